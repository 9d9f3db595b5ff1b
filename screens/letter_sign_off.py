"""The approver's screen: read the drafted letter, then 1 signs it off, 2 returns it with a reason, or
3 does not agree to it (final, with a reason: no letter goes and nothing follows).

Once signed off (or opened from a done task) it shows what followed, step by step as the guidance
lists it, with each e-mail's state (waiting, sent, failed and why), refreshed while it is open.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from counter_tui.screens.widgets.letter_follow_up import follow_up
from counter_tui.services import letter_sign_off, letters
from counter_tui.services.errors import FieldErrors, NotFound, Refused, StoreError
from counter_tui.services.letters import LetterConflict, LetterView
from counter_tui.services.record_text import local_time
from counter_tui.screens.widgets.fields import LimitedInput
from counter_tui.screens.widgets.print_job import print_in_background

REFRESH_SECONDS = 2.0
"""How often the e-mail states are read again while the screen is open."""


class LetterSignOffScreen(Screen):
    """Sign off (1), return with a reason (2) or not agree with a reason (3); ctrl+r prints; esc goes back."""

    CSS_PATH = Path(__file__).parent / "task.tcss"
    BINDINGS = [
        Binding("1", "approve", "Sign it off", id="approve"),
        Binding("2", "ask_reason('return')", "Return it with a reason", id="return"),
        Binding("3", "ask_reason('not_agreed')", "Not agreed (with a reason)", id="not_agreed"),
        Binding("ctrl+r", "print", "Print (PDF)", id="print", priority=True),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id
        self.current: LetterView | None = None
        self._reason_for = "return"

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        self.current = letters.view(self.app.ctx, self.app.actor, self.task_id)
        with VerticalScroll(id="task-body"):
            yield Static(self._text(), id="letter-text")
        yield Label("Why you are returning it (the drafter sees this)", id="reason-label")
        yield LimitedInput(id="reason", placeholder="Your reason, then Enter", limit=2000)
        yield Static("", id="task-error")
        yield Footer()

    def on_mount(self) -> None:
        self._show_reason(False)
        self.query_one("#task-body").focus()
        if self.current.mode == "read":
            self.set_interval(REFRESH_SECONDS, self.reload)

    def _show_reason(self, shown: bool) -> None:
        self.query_one("#reason-label").display = shown
        self.query_one("#reason", Input).display = shown

    def reload(self) -> None:
        """Read the letter and its e-mail states again."""
        try:
            self.current = letters.view(self.app.ctx, self.app.actor, self.task_id)
        except (StoreError, Refused, NotFound):
            return  # busy, or signed out: the next refresh tries again
        self.query_one("#letter-text", Static).update(self._text())
        self.refresh_bindings()

    def _text(self) -> Content:
        ctx, current = self.app.ctx, self.current
        letter, values = current.letter, current.values
        lines = [
            Content.from_markup("[b]$title[/b] · $id · incident $incident  [dim]— $section[/dim]",
                                title=current.template.title, id=letter.id, incident=letter.incident_id or "—",
                                section=current.spec.section),
            Content.from_markup("$customer $ref · drafted by $who$when", customer=letter.customer_name or "customer not named",
                                ref=letter.reference, who=current.drafted_by or "—",
                                when=f" on {local_time(ctx, letter.submitted_at, with_date=True)}" if letter.submitted_at else ""),
        ]
        if current.mode == "sign_off":
            lines.append(Content.from_markup(
                "[b]Press 1 to sign it off, 2 to return it with a reason, or 3 if you do not agree to it.[/b] "
                "Once signed off, Counter does what follows; not agreed, no letter goes and nothing follows."))
        if letter.status == "not_agreed":
            lines.append(Content.from_markup("[b $error]Not agreed[/] by $who on $when: $why",
                                             who=current.closed_by or "the approver",
                                             when=local_time(ctx, letter.closed_at, with_date=True), why=letter.closed_reason))
        lines += [
            Content(""),
            Content.from_markup("[b]Subject:[/b] $subject", subject=values["subject"]),
            Content(values["body"]),
            Content(""),
            Content.from_markup("[b]Application dealt with at:[/b] $office · [b]live application:[/b] $live",
                                office=values["application_office"], live=values["live_application"]),
            Content(""),
            follow_up(ctx, current),
        ]
        return Content("\n").join(lines)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        """The decision keys only while the letter waits for this approver."""
        if action in ("approve", "ask_reason", "not_agreed"):
            return self.current is not None and self.current.mode == "sign_off"
        return True

    def _error(self, text: str) -> None:
        self.query_one("#task-error", Static).update(Content(text))

    def action_approve(self) -> None:
        try:
            letter_sign_off.approve(self.app.ctx, self.app.actor, self.current.letter.id, version=self.current.letter.version)
        except (Refused, StoreError, LetterConflict) as problem:
            self._error(str(problem))
            return
        self.app.send_mail_now()
        copies = "being e-mailed" if self.app.ctx.settings.smtp else "kept in the outbox (no mail server configured)"
        self.app.notify(f"Letter {self.current.letter.id} signed off: its copies are {copies}.",
                        title="Signed off", markup=False)
        self.reload()
        self.set_interval(REFRESH_SECONDS, self.reload)

    def action_ask_reason(self, what: str = "return") -> None:
        self._reason_for = what
        self.query_one("#reason-label", Label).update(
            "Why you are returning it (the drafter sees this)" if what == "return"
            else "Why you do not agree to it (final: the drafter sees this, and no letter goes)")
        self._show_reason(True)
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        letter = self.current.letter
        if self._reason_for == "not_agreed":
            done = self._decide(letter_sign_off.not_agreed, event.value)
            if done is not None:
                self.app.notify(f"Letter {letter.id}: not agreed. No letter goes, and nothing follows.",
                                title="Not agreed", markup=False)
                self.app.pop_screen()
            return
        redraft = self._decide(letter_sign_off.return_letter, event.value)
        if redraft is not None:
            self.app.notify(f"Letter {letter.id} returned to {self.current.drafted_by} ({redraft.id}).",
                            title="Returned", markup=False)
            self.app.pop_screen()

    def _decide(self, decision, reason: str):
        """Return or not agree, with the reason typed: what the service returns, or None with the
        problem shown and the reason kept on screen."""
        try:
            return decision(self.app.ctx, self.app.actor, self.current.letter.id, reason,
                            version=self.current.letter.version)
        except FieldErrors as problem:
            self._error("; ".join(problem.errors.values()))
        except (Refused, StoreError, LetterConflict) as problem:
            self._error(f"{problem} Your reason is kept on screen.")
        return None

    def action_print(self) -> None:
        from counter_tui.services import printing

        letter_id = self.current.letter.id
        print_in_background(self, lambda: printing.print_letter(self.app.ctx, letter_id),
                            lambda text, ok: self._error(text))

    def action_back(self) -> None:
        if self.query_one("#reason", Input).display:
            self._show_reason(False)
            self.query_one("#task-body").focus()
            return
        self.app.pop_screen()
