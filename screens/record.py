"""The record screen: the form the procedure requires when a flow ends (case note, terminated call
log), prefilled from what was captured so staff add only what is missing. Saved as typed.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, SelectionList, Static, TextArea

from counter_tui.services import contacts, records
from counter_tui.services.errors import FieldErrors, Refused, StoreError
from counter_tui.screens.widgets.autosave import Autosave, SaveJob
from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea
from counter_tui.screens.widgets.pick_list import pick_list, picked_text
from counter_tui.text import NOTE_LIMIT, SHORT_LIMIT



class RecordScreen(Screen):
    """Complete and save the record; finishing creates the incident and the hand-offs."""

    CSS_PATH = "record.tcss"
    BINDINGS = [Binding("ctrl+s", "finish", "Save and finish", id="finish", priority=True)]

    def __init__(self, contact_id: str) -> None:
        super().__init__()
        self.contact_id = contact_id
        self._autosave = Autosave(self, self._draft, lambda text, ok: self._status(text, ok=ok))
        self._fields: list[tuple[str, str, str, bool]] = []
        self._multiline: dict[str, bool] = {}
        self._options: dict[str, list[str]] = {}
        self._shown: dict[str, str] = {}
        """Each pick list's value as last seen, so only a real pick saves a draft."""

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        ctx, actor = self.app.ctx, self.app.actor
        current = contacts.view(ctx, self.contact_id)
        form = records.form_for(ctx, current)
        self._fields = records.draft_record(ctx, actor, self.contact_id)
        self._multiline = {f.id: f.multiline for f in form.fields} if form else {}
        self._options = {f.id: f.options for f in form.fields if f.options} if form else {}
        many = {f.id for f in form.fields if f.many} if form else set()
        when = {f.id for f in form.fields if f.when} if form else set()
        days = {f.id for f in form.fields if f.day} if form else set()
        questions = {f.id for f in form.fields if f.yes_no} if form else set()
        with VerticalScroll(id="record-heading"):  # focusable (shift+tab), so long guidance scrolls by key
            yield Static(self._heading(current, form))
        with VerticalScroll(id="record-fields"):
            for field_id, label, text, required in self._fields:
                if field_id in questions:  # a yes/no question: a checkbox, ticked where a choice said so
                    yield Checkbox(Content(label), value=text == "yes", id=f"field-{field_id}", classes="field")
                    yield Static("", id=f"error-{field_id}", classes="field-error")
                    continue
                mark = "" if required or "(if known)" in label or "optional" in label else " (optional)"
                yield Label(Content(f"{label}{mark}"), classes="field-label")
                if field_id in self._options:  # a pick list: the value is the text of what is picked
                    widget = pick_list(f"field-{field_id}", self._options[field_id], text, many=field_id in many)
                    self._shown[field_id] = self._value(widget)
                    yield widget
                elif self._multiline[field_id]:
                    area = LimitedTextArea(text, id=f"field-{field_id}", soft_wrap=True, classes="field", limit=NOTE_LIMIT)
                    yield area
                else:
                    hint = ("YYYY-MM-DD HH:MM, for example 2026-12-03 14:30" if field_id in when
                            else "YYYY-MM-DD, for example 2026-12-03" if field_id in days else "")
                    yield LimitedInput(text, id=f"field-{field_id}", classes="field", placeholder=hint, limit=SHORT_LIMIT)
                yield Static("", id=f"error-{field_id}", classes="field-error")
        yield Static("", id="record-status")
        yield Footer()

    def _heading(self, current, form) -> Content:
        step = current.step
        lines = [Content.from_markup("[b]$title[/b]  [dim]— $section[/dim]", title=step.title, section=step.section)]
        if form is not None:  # before the guidance, which may run past a small terminal's heading
            lines.append(Content.from_markup(
                "[b]$form[/b] — filled from what you recorded; add what is missing, then [b]ctrl+s[/b].",
                form=form.title,
            ))
        else:
            lines.append(Content.from_markup("Press [b]ctrl+s[/b] to finish."))
        lines += [Content.from_markup("• $text", text=text) for text in step.guidance]
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        fields = self.query(".field")
        if fields:
            first_empty = next((f for f in fields if not self._value(f)), fields.first())
            first_empty.focus()

    @staticmethod
    def _value(widget) -> str:
        if isinstance(widget, Checkbox):
            return "yes" if widget.value else "no"
        if isinstance(widget, Select | SelectionList):
            return picked_text(widget)
        return widget.text if isinstance(widget, TextArea) else widget.value

    def _record(self) -> dict[str, str]:
        return {fid: self._value(self.query_one(f"#field-{fid}")) for fid, *_ in self._fields}

    @on(TextArea.Changed, ".field")
    @on(Input.Changed, ".field")
    @on(Checkbox.Changed, ".field")
    def _typed(self) -> None:
        self._autosave.typed()

    @on(Select.Changed, ".field")
    @on(SelectionList.SelectedChanged, ".field")
    def _picked(self, event: Select.Changed | SelectionList.SelectedChanged) -> None:
        """A pick list changed: a draft to save only when what is picked differs from what it showed
        (the widgets also report the value they are mounted with, which is no change)."""
        widget = event.control
        fid = (widget.id or "").removeprefix("field-")
        now = self._value(widget)
        if self._shown.get(fid) != now:
            self._shown[fid] = now
            self._typed()

    def _draft(self) -> SaveJob:
        """The form as typed so far, saved on the autosave's thread (or at once by `save_typing`)."""
        ctx, actor, contact_id, record = self.app.ctx, self.app.actor, self.contact_id, self._record()
        return SaveJob(lambda: records.save_record_draft(ctx, actor, contact_id, record))

    def save_typing(self) -> bool:
        """Keep the form as typed so far, now (before signing out or locking)."""
        return self._autosave.save_now()

    def _status(self, text: str, *, ok: bool = False) -> None:
        status = self.query_one("#record-status", Static)
        status.set_class(ok, "-ok")
        status.update(Content(text))

    def action_finish(self) -> None:
        self._autosave.settle()  # a draft save on its thread lands before the record, never after
        for fid, *_ in self._fields:
            self.query_one(f"#error-{fid}", Static).remove_class("-shown")
        try:
            finished = records.finish(self.app.ctx, self.app.actor, self.contact_id, self._record())
        except FieldErrors as problem:
            for fid, message in problem.errors.items():
                error = self.query_one(f"#error-{fid}", Static)
                error.update(Content(message))
                error.add_class("-shown")
            self._status("Not saved yet: see the fields marked above.")
            first = next(iter(problem.errors))
            self.query_one(f"#field-{first}").focus()
            return
        except (StoreError, Refused) as problem:
            self._status(f"{problem} Your text is kept on screen.")
            return
        self._autosave.cancel()
        from counter_tui.screens.summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(finished))
