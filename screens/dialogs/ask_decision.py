"""Ask the deciding role for a decision on control measures about the customer on screen: why
(persistent contact, behaviour elsewhere), saved with ctrl+s; an error shows beside the reason."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from counter_tui.services.errors import FieldErrors, NotFound, Refused, StoreError


class AskDecisionDialog(ModalScreen[str | None]):
    """Dismisses with the new task's id, or None (esc)."""

    DEFAULT_CSS = """
    AskDecisionDialog { align: center middle; }
    AskDecisionDialog > Vertical { width: 90%; max-width: 90; height: auto; border: thick $primary; padding: 0 1;
        background: $surface; }
    AskDecisionDialog TextArea { height: 6; }
    AskDecisionDialog #ask-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("ctrl+s", "send", "Ask", priority=True), Binding("escape", "cancel", "Cancel")]

    def __init__(self, heading: Content, submit: Callable[[str], str]) -> None:
        super().__init__()
        self.heading, self.submit = heading, submit

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.heading)
            yield TextArea(id="ask-reason", soft_wrap=True)
            yield Static("", id="ask-error")
            yield Static(Content.from_markup("[b]ctrl+s[/b] asks · [b]esc[/b] cancels"))

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
