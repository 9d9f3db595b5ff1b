"""Drafting a letter on the day: the template's text already merged with the customer and the
incident, what the guidance says it must explain beside it, saved as typed, sent for sign-off."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static, TextArea

from counter_tui.screens.widgets.autosave import Autosave, SaveJob, versioned_job
from counter_tui.services import letters, queue
from counter_tui.services.errors import FieldErrors, Refused, StoreError
from counter_tui.services.letters import LetterConflict, LetterView
from counter_tui.services.deadlines import due_phrase
from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea
from counter_tui.screens.widgets.print_job import print_in_background
from counter_tui.screens.widgets.record_lines import record_lines
from counter_tui.text import NOTE_LIMIT


class LetterScreen(Screen):
    """Edit the draft, then ctrl+s sends it to the approver; esc keeps the draft for later."""

    CSS_PATH = Path(__file__).parent / "record.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Send for sign off", id="submit", priority=True),
        Binding("ctrl+r", "print", "Print the draft (PDF)", id="print", priority=True),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id
        self.current: LetterView | None = None
        self._version = 0
        self._autosave = Autosave(self, self._draft, lambda text, ok: self._status(text, ok=ok))

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        self.current = current = letters.view(self.app.ctx, self.app.actor, self.task_id)
        self._version = current.letter.version
        values = current.values
        yield Static(self._heading(), id="record-heading")
        with VerticalScroll(id="record-fields"):
            yield Static(self._what_to_explain(), id="letter-explains")
            origin = record_lines("The record this letter follows", queue.originating_record(self.app.ctx, current.task))
            if origin:  # the interview note: why the interview was ended, what was said and done
                yield Static(Content("\n").join(origin), id="letter-origin")
            if current.template.suggestions:
                yield Label("Start from a suggested text (the guidance's own)", classes="field-label")
                options = [(Content(f"{s.title}: {s.paragraphs[0][:60]}…" if s.paragraphs else s.title), n)  # text, never markup
                           for n, s in enumerate(current.template.suggestions)]
                yield Select(options, id="suggestion", prompt="Choose a suggested text", classes="field")
            yield Label("Subject", classes="field-label")
            yield LimitedInput(values["subject"], id="field-subject", classes="field", limit=200)
            yield Static("", id="error-subject", classes="field-error")
            yield Label("The letter", classes="field-label")
            yield LimitedTextArea(values["body"], id="field-body", soft_wrap=True, classes="field letter-body", limit=NOTE_LIMIT)
            yield Static("", id="error-body", classes="field-error")
            asked = {step.only_if for step in current.spec.after}
            offices = self.app.ctx.settings.offices
            chosen = values["application_office"] if values["application_office"] in offices else Select.BLANK
            label = Label("Office where the application was dealt with", classes="field-label")
            office = Select([(Content(o), o) for o in offices], value=chosen, id="field-application_office", allow_blank=False,
                            classes="field")
            live = Checkbox("There is a live application", value=values["live_application"] == letters.YES,
                            id="field-live_application", classes="field")
            label.display = office.display = "other_office" in asked  # only where what follows depends on it
            live.display = "live_application" in asked
            yield label
            yield office
            yield Static("", id="error-application_office", classes="field-error")
            yield live
        yield Static("", id="record-status")
        yield Footer()

    def _heading(self) -> Content:
        ctx, current = self.app.ctx, self.current
        letter, template = current.letter, current.template
        lines = [
            Content.from_markup("[b]$title[/b] · $id · incident $incident", title=template.title,
                                id=letter.id, incident=letter.incident_id or "—"),
            Content.from_markup("$customer $ref · draft $due · signed off by the $approver",
                                customer=letter.customer_name or "customer not named", ref=letter.reference,
                                due=due_phrase(ctx, current.task.due_at), approver=current.approver_role),
        ]
        if letter.status == "returned":
            lines.append(Content.from_markup("[b $error]Returned:[/] $why", why=letter.returned_reason))
        return Content("\n").join(lines)

    def _what_to_explain(self) -> Content:
        """What the guidance says the letter must explain, and whose words the text is."""
        template = self.current.template
        lines = [Content.from_markup("[b]It must explain[/b] (the guidance):")]
        lines += [Content.from_markup("• $point", point=point) for point in template.must_explain]
        if not template.words_from_guidance:
            lines.append(Content.from_markup("[dim]The text below is Counter's, not the guidance's: check it says what you mean.[/dim]"))
        for note in letters.merge_notes(self.app.ctx, self.current.letter):
            lines.append(Content.from_markup("[b $warning]Note:[/] $note", note=note))
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        """Start in the letter; a free-text letter with nothing written yet starts at its suggestions."""
        if self.current.template.suggestions and not self.current.values["body"].strip():
            self.query_one("#suggestion", Select).focus()
        else:
            self.query_one("#field-body", TextArea).focus()

    def values(self) -> dict[str, str]:
        office = self.query_one("#field-application_office", Select).value
        return {
            "subject": self.query_one("#field-subject", Input).value,
            "body": self.query_one("#field-body", TextArea).text,
            "application_office": office if isinstance(office, str) else "",
            "live_application": letters.YES if self.query_one("#field-live_application", Checkbox).value else letters.NO,
        }

    def _status(self, text: str, *, ok: bool = False) -> None:
        status = self.query_one("#record-status", Static)
        status.set_class(ok, "-ok")
        status.update(Content(text))

    @on(Select.Changed, "#suggestion")
    def _suggested(self, event: Select.Changed) -> None:
        """Put the chosen suggestion in the letter: in place of an empty text, else after it."""
        if not isinstance(event.value, int):
            return
        text = letters.suggestion(self.app.ctx, self.current.letter.id, event.value)
        body = self.query_one("#field-body", TextArea)
        body.load_text(f"{body.text.rstrip()}\n\n{text}".strip() if body.text.strip() else text)
        body.focus()

    @on(TextArea.Changed, ".field")
    @on(Input.Changed, ".field")
    @on(Checkbox.Changed, ".field")
    @on(Select.Changed, "#field-application_office")
    def _typed(self) -> None:
        self._autosave.typed()

    def _draft(self) -> SaveJob | None:
        """The letter as typed so far, saved on the autosave's thread (or at once by `save_typing`)."""
        if self.current is None or self.current.mode != "draft":
            return None
        ctx, actor, letter_id, values = self.app.ctx, self.app.actor, self.current.letter.id, self.values()
        return versioned_job(self, lambda version: letters.save_draft(ctx, actor, letter_id, values, version=version),
                             LetterConflict)

    def save_typing(self) -> bool:
        """Keep the letter as typed so far, now (leaving, printing, signing out, locking)."""
        return self._autosave.save_now()

    def _conflict(self, conflict: LetterConflict) -> None:
        self._version = conflict.version
        self._status(f"{conflict} Your text is kept here; ctrl+s sends yours, replacing theirs.")

    def action_submit(self) -> None:
        self._autosave.settle()  # a draft save on its thread lands before the letter is sent, never after
        for name in ("subject", "body", "application_office"):
            self.query_one(f"#error-{name}", Static).remove_class("-shown")
        try:
            sign_off = letters.submit(self.app.ctx, self.app.actor, self.current.letter.id, self.values(),
                                      version=self._version)
        except FieldErrors as problem:
            for field_id, message in problem.errors.items():
                error = self.query_one(f"#error-{field_id}", Static)
                error.update(Content(message))
                error.add_class("-shown")
            self._status("Not sent yet: see the fields marked above.")
            self.query_one(f"#field-{next(iter(problem.errors))}").focus()
            return
        except LetterConflict as conflict:
            self._conflict(conflict)
            return
        except (StoreError, Refused) as problem:
            self._status(f"{problem} Your text is kept on screen.")
            return
        self._autosave.cancel()
        self.app.notify(f"Letter {self.current.letter.id} sent to the {self.current.approver_role} for sign off "
                        f"({sign_off.id}).", title="Sent for sign off", markup=False)
        self.app.pop_screen()

    def action_print(self) -> None:
        from counter_tui.services import printing

        self.save_typing()
        letter_id = self.current.letter.id
        print_in_background(self, lambda: printing.print_letter(self.app.ctx, letter_id),
                            lambda text, ok: self._status(text, ok=ok))

    def action_back(self) -> None:
        self.save_typing()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        self._autosave.cancel()
