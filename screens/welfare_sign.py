"""The member of staff reads their line manager's record of the incident and signs it as agreed, or
says what they do not agree with — under their own sign-in."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static, TextArea

from counter_tui.services import welfare
from counter_tui.services.errors import FieldErrors, Refused, StoreError
from counter_tui.services.record_text import local_time
from counter_tui.screens.widgets.fields import LimitedTextArea
from counter_tui.text import NOTE_LIMIT


class WelfareSignScreen(Screen):
    """Read, then ctrl+s to sign as agreed or ctrl+d to record that you do not agree (say why)."""

    CSS_PATH = Path(__file__).parent / "task.tcss"
    AUTO_FOCUS = "#task-note"
    BINDINGS = [
        Binding("ctrl+s", "sign(True)", "Sign: I agree", id="agree", priority=True),
        Binding("ctrl+d", "sign(False)", "I do not agree", id="disagree", priority=True),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        ctx = self.app.ctx
        record = welfare.record_to_sign(ctx, self.app.actor, self.task_id)
        lines = [
            Content.from_markup("[b]$title[/b] · written by $who · $id", title=record.title, who=record.written_by,
                                id=record.contact_id),
            Content.from_markup("[dim]It belongs to your human resources file, not the customer's record.[/dim]"),
            Content(""),
        ]
        lines += [Content.from_markup("[b]$label:[/b] $text", label=label, text=text or "—") for label, text in record.fields]
        with VerticalScroll(id="task-body"):
            yield Static(Content("\n").join(lines))
        yield Label("Your comment (needed if you do not agree)")
        yield LimitedTextArea(id="task-note", soft_wrap=True, limit=NOTE_LIMIT)
        yield Static("", id="task-error")
        yield Footer()

    def action_sign(self, agreed: bool) -> None:
        ctx = self.app.ctx
        comment = self.query_one("#task-note", TextArea).text
        try:
            welfare.sign(ctx, self.app.actor, self.task_id, agreed=agreed, comment=comment)
        except FieldErrors as problem:
            self.query_one("#task-error", Static).update(Content("; ".join(problem.errors.values())))
            return
        except (Refused, StoreError) as problem:
            self.query_one("#task-error", Static).update(Content(f"{problem} Your comment is kept on screen."))
            return
        said = "signed as agreed" if agreed else "recorded that you do not agree"
        self.app.notify(f"You {said} at {local_time(ctx, ctx.clock.now())[:5]}.", title="Welfare record", markup=False)
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
