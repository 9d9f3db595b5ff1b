"""Offer to resume a contact left open when the terminal died or the member of staff moved away."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from counter_tui.models.contact import Contact


class ResumeDialog(ModalScreen[bool]):
    """Dismisses with True to resume, False for later."""

    DEFAULT_CSS = """
    ResumeDialog { align: center middle; }
    ResumeDialog > Vertical { width: 70; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    """
    BINDINGS = [
        Binding("1", "answer(True)", "Resume", id="resume"),
        Binding("2", "answer(False)", "Later", id="later"),
        Binding("escape", "answer(False)", "Later", show=False, id="later_escape"),
    ]

    def __init__(self, contact: Contact, step_title: str, started: str, count: int) -> None:
        super().__init__()
        self.contact, self.step_title, self.started, self.count = contact, step_title, started, count

    def compose(self) -> ComposeResult:
        more = f" (and {self.count - 1} more on the start screen)" if self.count > 1 else ""
        with Vertical():
            yield Static(Content.from_markup(
                "[b]You have an interrupted contact[/b]$more\n\n$id with $customer, started $started.\n"
                "It stopped at: [b]$step[/b]\n\n[b reverse] 1 [/]  Resume where it stopped\n[b reverse] 2 [/]  Later",
                more=more, id=self.contact.id, customer=self.contact.customer_name or "a customer not yet named",
                started=self.started, step=self.step_title,
            ))

    def action_answer(self, resume: bool) -> None:
        self.dismiss(resume)
