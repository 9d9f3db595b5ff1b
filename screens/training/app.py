"""The training app (`counter train`): the live app's screens on practice databases.

An app whose context is the current attempt's practice database, never the live one: it has no
sign-in (a trainee types their name), no calls for help, no idle lock and no outbox, and every
screen's header says TRAINING, in the warning colour. It gives the shared screens what they use of
an app (`ctx`, `actor`, `go_home`), as `counter_tui.app.CounterApp` does. The contact screen is the
real one; the scenario's customer speaks in a panel above the step (`practice_panel.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

if TYPE_CHECKING:
    from counter_tui.services.training import Practice, Room

TRAINING = "TRAINING — practice only: nothing here is live"


class TrainingApp(App[None]):
    """Practice, or (as trainer) run scenarios for a group and read their debriefs."""

    TITLE = "Counter"
    CSS = """
    Header { background: $warning-darken-3; }
    """
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "show_keys", "Keys", id="keys"),
        Binding("ctrl+o", "stop_practice", "Stop and score", id="stop_practice"),
    ]

    def __init__(self, room: Room, *, scenario: str | None = None, trainer: bool = False,
                 line_speed: float = 1.0) -> None:
        """Args:
        room: the training room (its results and practice databases).
        scenario: the scenario to offer (all when None).
        trainer: open the trainer's view instead of a trainee's.
        line_speed: scales the delays between the customer's lines (0: all at once, for tests).
        """
        from counter_tui.screens.widgets.paste import install_paste_parser

        install_paste_parser()  # pastes arrive as text, never as key presses
        super().__init__()
        self.room = room
        self.ctx = None
        self.actor = None
        self.scenario_id = scenario
        self.trainer = trainer
        self.line_speed = line_speed
        self.trainee = ""
        """The name typed on this terminal, offered again for the next attempt."""
        self.practice: Practice | None = None
        self.sub_title = TRAINING

    def on_mount(self) -> None:
        """The start (or trainer's) screen; none of the live app's sign-in, timers or record check."""
        from counter_tui.screens.training.start import TrainingStartScreen
        from counter_tui.screens.training.trainer import TrainerScreen

        self.push_screen(TrainerScreen() if self.trainer else TrainingStartScreen(self.scenario_id))

    def begin_practice(self, practice: Practice) -> None:
        """The attempt's practice database becomes the context every screen reads."""
        self.practice, self.ctx, self.actor = practice, practice.ctx, practice.actor
        self.sub_title = f"{TRAINING} · {practice.ctx.pack.name}"

    def end_practice(self) -> None:
        self.practice, self.ctx, self.actor = None, None, None
        self.sub_title = TRAINING

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_practice":
            return self.practice is not None and getattr(self.screen, "contact_id", None) is not None
        return True

    def action_stop_practice(self) -> None:
        """Stop part way: what was typed is kept, and the attempt is scored as it stands."""
        from counter_tui.screens.training.brief import BriefScreen

        for screen in self.screen_stack:
            if hasattr(screen, "save_typing"):
                screen.save_typing()
        while not isinstance(self.screen, BriefScreen):
            self.pop_screen()

    def on_contact_screen_step_shown(self, message) -> None:
        """The real contact screen shows a step: the scenario's customer answers and speaks."""
        from counter_tui.screens.training.practice_panel import PracticePanel

        if self.practice is None:
            return
        screen = message.screen
        panels = screen.query(PracticePanel)
        if panels:
            panels.first().show_step(message.current)
        else:
            screen.mount(PracticePanel(self.practice.scenario, self.line_speed, message.current),
                         after=screen.query_one("#bar"))

    def action_show_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def go_home(self) -> None:
        """Back to the start screen (the trainee's list, or the trainer's)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
