"""A short note about the customer on screen, saved with ctrl+s (an error shows beside it, the text
kept): why a decision on control measures is asked for, or good conduct for the positive-action log."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from counter_tui.services.errors import FieldErrors, NotFound, Refused, StoreError
from counter_tui.screens.widgets.fields import LimitedTextArea


class NoteDialog(ModalScreen[str | None]):
    """Dismisses with what `submit` returned (the new record's id), or None (esc)."""

    DEFAULT_CSS = """
    NoteDialog { align: center middle; }
    NoteDialog > Vertical { width: 90%; max-width: 90; height: auto; border: thick $primary; padding: 0 1;
        background: $surface; }
    NoteDialog TextArea { height: 6; }
    NoteDialog #ask-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("ctrl+s", "send", "Save", priority=True), Binding("escape", "cancel", "Cancel")]

    def __init__(self, heading: Content, submit: Callable[[str], str]) -> None:
        super().__init__()
        self.heading, self.submit = heading, submit

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.heading)
            yield LimitedTextArea(id="ask-reason", soft_wrap=True, limit=2000)
            yield Static("", id="ask-error")
            yield Static(Content.from_markup("[b]ctrl+s[/b] saves · [b]esc[/b] cancels"))

    def action_send(self) -> None:
        try:
            task_id = self.submit(self.query_one("#ask-reason", TextArea).text)
        except FieldErrors as problem:
            self.query_one("#ask-error", Static).update(Content(problem.errors.get("reason", str(problem))))
            return
        except (Refused, NotFound, StoreError) as problem:
            self.query_one("#ask-error", Static).update(Content(f"{problem} Your text is kept."))
            return
        self.dismiss(task_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
