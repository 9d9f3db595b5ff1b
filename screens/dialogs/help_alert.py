"""The call for help shown on every other terminal at the office, until someone says they are going."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from counter_tui.models.alert import Alert


class HelpAlertDialog(ModalScreen[bool]):
    """Dismisses with True when this member of staff acknowledges (is going to help)."""

    DEFAULT_CSS = """
    HelpAlertDialog { align: center middle; }
    HelpAlertDialog > Vertical { width: 64; height: auto; border: thick $error; padding: 1 2; background: $error 15%; }
    """
    BINDINGS = [Binding("a", "acknowledge", "I am going to help", id="acknowledge")]

    def __init__(self, alert: Alert, where: str, at: str) -> None:
        super().__init__()
        self.alert, self.where, self.at = alert, where, at

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.from_markup(
                "[b $error]HELP NEEDED[/]\n\n[b]$name[/b] asked for help at $at\n$where\n\n"
                "Go to them if it is safe to do so.\n\n[b reverse] a [/]  I am going to help",
                name=self.alert.raised_name, at=self.at, where=self.where,
            ))

    def action_acknowledge(self) -> None:
        self.dismiss(True)
