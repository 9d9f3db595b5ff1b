"""The drafter's decision whether to write a letter the guidance leaves to them (HMPO "How to bar a
customer from a CSC": the HEO counter manager "may consider writing to the customer"): 1 goes on to
draft it, 2 asks for the reason and closes the task with no letter."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from counter_tui.screens.widgets.fields import LimitedInput
from counter_tui.services import letter_decision, letters, queue
from counter_tui.services.deadlines import due_phrase
from counter_tui.services.errors import FieldErrors, Refused, StoreError


class LetterDecisionScreen(Screen):
    """1: write the letter (its draft opens); 2: do not, with a reason (Enter records it); esc goes back."""

    CSS_PATH = Path(__file__).parent / "task.tcss"
    BINDINGS = [
        Binding("1", "write", "Write it", id="write"),
        Binding("2", "ask_reason", "Do not write it (with a reason)", id="decline"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def compose(self) -> ComposeResult:
        yield Header()
        ctx = self.app.ctx
        self.current = current = letters.view(ctx, self.app.actor, self.task_id)
        decision = current.spec.decide_first
        task, letter = current.task, current.letter
        lines = [
            Content.from_markup("[b]$title[/b] · $id · incident $incident  [dim]— $section[/dim]",
                                title=task.title, id=task.id, incident=letter.incident_id or "—", section=decision.section),
            Content.from_markup("$customer $ref · $due", customer=letter.customer_name or "customer not named",
                                ref=letter.reference, due=due_phrase(ctx, task.due_at)),
            Content(""),
        ]
        lines += [Content.from_markup("• $text", text=text) for text in queue.spec_of(ctx, task).instructions[:2]]
        lines += [
            Content(""),
            Content.from_markup("[b]$question[/b]", question=decision.question),
            Content.from_markup("  [b]1[/b] $write", write=decision.write),
            Content.from_markup("  [b]2[/b] $decline [dim](your reason is required; no letter is written)[/dim]",
                                decline=decision.decline),
        ]
        with VerticalScroll(id="task-body"):
            yield Static(Content("\n").join(lines), id="decision-text")
        yield Label(Content(f"Why: {decision.decline.lower()} (recorded on the incident)"), id="reason-label")
        yield LimitedInput(id="reason", placeholder="Your reason, then Enter", limit=2000)
        yield Static("", id="task-error")
        yield Footer()

    def on_mount(self) -> None:
        self._show_reason(False)
        self.query_one("#task-body").focus()

    def _show_reason(self, shown: bool) -> None:
        self.query_one("#reason-label").display = shown
        self.query_one("#reason", Input).display = shown

    def _error(self, text: str) -> None:
        self.query_one("#task-error", Static).update(Content(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        if action in ("write", "ask_reason"):
            return not self.query_one("#reason", Input).display
        return True

    def action_write(self) -> None:
        try:
            letter_decision.decide(self.app.ctx, self.app.actor, self.current.letter.id, write_it=True)
        except (Refused, StoreError, FieldErrors) as problem:
            self._error(str(problem))
            return
        from counter_tui.screens.letter import LetterScreen

        self.app.switch_screen(LetterScreen(self.task_id))

    def action_ask_reason(self) -> None:
        self._show_reason(True)
        self.query_one("#reason", Input).focus()
        self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            letter_decision.decide(self.app.ctx, self.app.actor, self.current.letter.id, write_it=False,
                                   reason=event.value)
        except FieldErrors as problem:
            self._error("; ".join(problem.errors.values()))
            return
        except (Refused, StoreError) as problem:
            self._error(f"{problem} Your reason is kept on screen.")
            return
        self.app.notify(f"{self.current.spec.decide_first.decline}: recorded, no letter is written.",
                        title="Decided", markup=False)
        self.app.pop_screen()

    def action_back(self) -> None:
        if self.query_one("#reason", Input).display:
            self._show_reason(False)
            self.query_one("#task-body").focus()
            self.refresh_bindings()
            return
        self.app.pop_screen()
