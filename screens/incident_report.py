"""The incident report form: the eight columns of HMPO "How to record an incident", filled from
what staff recorded, completed by the manager, saved as typed, then printed."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Input, Label, RadioButton, RadioSet, Static, TextArea

from counter_tui.services import incident_report, letter_record, referrals
from counter_tui.services.errors import FieldErrors, Refused, StoreError
from counter_tui.services.incident_report import ReportConflict, ReportDraft
from counter_tui.services.deadlines import due_phrase
from counter_tui.services.record_text import local_time
from counter_tui.screens.widgets.autosave import Autosave, SaveJob, versioned_job
from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea
from counter_tui.screens.widgets.print_job import print_in_background
from counter_tui.text import NOTE_LIMIT, SHORT_LIMIT

REFRESH_SECONDS = 2.0
"""How often a completed form's copies are read again (waiting, sent, held) while it is open."""


class IncidentReportScreen(Screen):
    """Complete the form (ctrl+s); once complete it is read only and prints with ctrl+r."""

    CSS_PATH = Path(__file__).parent / "record.tcss"
    BINDINGS = [
        Binding("ctrl+s", "complete", "Complete the form", id="complete", priority=True),
        Binding("ctrl+r", "print", "Print (PDF)", id="print", priority=True),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id
        self.report: ReportDraft | None = None
        self._version = 0
        self._autosave = Autosave(self, self._draft, lambda text, ok: self._status(text, ok=ok))

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        self.report = report = incident_report.draft(self.app.ctx, self.app.actor, self.task_id)
        self._version = report.version
        yield Static(self._heading(), id="record-heading")
        with VerticalScroll(id="record-fields"):
            for field in report.fields:
                if field.yes_no and field.required:  # a question: unanswered until answered, never "no" by default
                    yield Label(Content(field.label), classes="field-label")
                    with RadioSet(id=f"field-{field.id}", classes="field yes-no"):
                        yield RadioButton("Yes", value=field.text == incident_report.YES)
                        yield RadioButton("No", value=field.text == incident_report.NO)
                elif field.yes_no:
                    yield Checkbox(field.label, value=field.text == incident_report.YES, id=f"field-{field.id}",
                                   classes="field")
                else:
                    mark = "" if field.required else " (optional)"
                    yield Label(Content(f"{field.label}{mark}"), classes="field-label")
                    if field.multiline:
                        yield LimitedTextArea(field.text, id=f"field-{field.id}", soft_wrap=True, classes="field", limit=NOTE_LIMIT)
                    else:
                        yield LimitedInput(field.text, id=f"field-{field.id}", classes="field", limit=SHORT_LIMIT)
                yield Static("", id=f"error-{field.id}", classes="field-error")
        yield Static("", id="record-status")
        yield Footer()

    def _heading(self) -> Content:
        report, ctx = self.report, self.app.ctx
        incident = report.incident
        lines = [
            Content.from_markup("[b]$title[/b] · $id  [dim]— $section[/dim]", title=report.form.title, id=incident.id,
                                section=report.form.section),
            Content.from_markup("$summary · $customer · $due", summary=incident.summary,
                                customer=incident.customer_name or "customer not named",
                                due=due_phrase(ctx, report.task.due_at)),
        ]
        if incident.reported_at is None:
            lines.append(Content.from_markup("Filled from what was recorded: add what is missing, then [b]ctrl+s[/b]."))
            notice = ctx.pack.incident_report.notice
            if notice is not None:  # the guidance's words, as data
                lines.append(Content.from_markup("[b]$text[/b] [dim]— $section[/dim]", text=notice.text,
                                                 section=notice.section))
        else:
            lines.append(Content.from_markup(
                "[b]Completed[/b] $when · [b]ctrl+r[/b] prints it · a copy (PDF) by e-mail to each:",
                when=local_time(ctx, incident.reported_at, with_date=True),
            ))
            lines += [Content.from_markup("  • $name ($id): $state", name=copy.name, id=copy.message_id, state=copy.state)
                      for copy in incident_report.copies(ctx, incident.id)] or [
                Content.from_markup("  sent to: $sent", sent="; ".join(incident.distribution) or "—")]
        for item in referrals.on_incident(ctx, incident.id):  # referred to the SEO or not, and decisions since
            lines.append(Content.from_markup("[b]$text[/b]", text=item.text))
        for line in letter_record.incident_letters(ctx, incident.id):
            lines.append(Content.from_markup("[b]Letter[/b] $line", line=line))
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        if self.report.incident.reported_at is not None:
            for widget in self.query(".field"):
                widget.disabled = True
            self.set_interval(REFRESH_SECONDS, self._show_copies)
            return
        empty = [w for w in self.query(".field") if not isinstance(w, Checkbox) and not self._value(w)]
        (empty[0] if empty else self.query(".field").first()).focus()

    @staticmethod
    def _value(widget) -> str:
        if isinstance(widget, Checkbox):
            return incident_report.YES if widget.value else incident_report.NO
        if isinstance(widget, RadioSet):
            return {0: incident_report.YES, 1: incident_report.NO}.get(widget.pressed_index, incident_report.UNANSWERED)
        return widget.text if isinstance(widget, TextArea) else widget.value

    def values(self) -> dict[str, str]:
        return {f.id: self._value(self.query_one(f"#field-{f.id}")) for f in self.report.fields}

    def _status(self, text: str, *, ok: bool = False) -> None:
        status = self.query_one("#record-status", Static)
        status.set_class(ok, "-ok")
        status.update(Content(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        """Once complete the form is read only: no Complete key."""
        if action == "complete":
            return self.report is None or self.report.incident.reported_at is None
        return True

    # -- saving ----------------------------------------------------------------------------------
    @on(TextArea.Changed, ".field")
    @on(Input.Changed, ".field")
    @on(Checkbox.Changed, ".field")
    @on(RadioSet.Changed, ".field")
    def _typed(self) -> None:
        self._autosave.typed()

    def _draft(self) -> SaveJob | None:
        """The form as typed so far, saved on the autosave's thread (or at once by `save_typing`)."""
        if self.report is None or self.report.incident.reported_at is not None:
            return None
        ctx, actor, task_id, values = self.app.ctx, self.app.actor, self.task_id, self.values()
        return versioned_job(self, lambda version: incident_report.save_draft(ctx, actor, task_id, values, version=version),
                             ReportConflict)

    def save_typing(self) -> bool:
        """Keep the form as typed so far, now (leaving, signing out, locking)."""
        return self._autosave.save_now()

    def _conflict(self, conflict: ReportConflict) -> None:
        """Someone else saved: keep this text on screen; saving again is a deliberate replacement."""
        self._version = conflict.version
        self._status(f"{conflict} Your text is kept here; save again (ctrl+s) to replace theirs.")

    def action_complete(self) -> None:
        if self.report.incident.reported_at is not None:
            self._status("This form is already complete.")
            return
        self._autosave.settle()  # a draft save on its thread lands before the form is completed, never after
        for field in self.report.fields:
            self.query_one(f"#error-{field.id}", Static).remove_class("-shown")
        try:
            incident_report.complete(self.app.ctx, self.app.actor, self.task_id, self.values(), version=self._version)
        except FieldErrors as problem:
            for field_id, message in problem.errors.items():
                error = self.query_one(f"#error-{field_id}", Static)
                error.update(Content(message))
                error.add_class("-shown")
            self._status("Not complete yet: see the fields marked above.")
            self.query_one(f"#field-{next(iter(problem.errors))}").focus()
            return
        except ReportConflict as conflict:
            self._conflict(conflict)
            return
        except (StoreError, Refused) as problem:
            self._status(f"{problem} Your text is kept on screen.")
            return
        self._autosave.cancel()  # read only from now on
        self.report = incident_report.draft(self.app.ctx, self.app.actor, self.task_id)
        self.query_one("#record-heading", Static).update(self._heading())
        for widget in self.query(".field"):
            widget.disabled = True
        self._status("Completed: a copy to each recipient is in the outbox. ctrl+r prints it; esc goes back.", ok=True)
        self.refresh_bindings()
        self.app.send_mail_now()
        self.set_interval(REFRESH_SECONDS, self._show_copies)

    def _show_copies(self) -> None:
        """Each copy's state as the outbox sends it (read again while the completed form is open)."""
        try:
            self.query_one("#record-heading", Static).update(self._heading())
        except StoreError:
            return  # busy: the next round reads it

    def action_print(self) -> None:
        from counter_tui.services import printing

        incident_id = self.report.incident.id
        print_in_background(self, lambda: printing.print_incident(self.app.ctx, incident_id, form="incident"),
                            lambda text, ok: self._status(text, ok=ok))

    def action_back(self) -> None:
        self.save_typing()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        self._autosave.cancel()
