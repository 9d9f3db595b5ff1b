"""The customer's side of a practice conversation, above the step on the real contact screen.

The scenario's lines for the step on screen appear one by one, each after its delay (the app's
`line_speed` scales the delays: 0 shows them at once), below what the customer said in answer to
the trainee's last decision. Lines are the scenario's text: shown as text, never markup.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from counter_tui.policy.scenario import IMMEDIATE_RISK, Scenario
from counter_tui.services.contacts import ContactView


SHOWN = 4
"""The most lines of the conversation shown at once (the latest); 2 on a small terminal, where the
step's choices must still show."""

SMALL = 30
"""Terminals shorter than this show the latest two lines only."""


class PracticePanel(Static):
    """What the customer says: the reply to the last decision, then this step's lines as they come."""

    DEFAULT_CSS = """
    PracticePanel {
        height: auto;
        max-height: 5;
        background: $warning 15%;
        padding: 0 1;
    }
    """

    def __init__(self, scenario: Scenario, speed: float, first: ContactView | None = None) -> None:
        super().__init__(id="practice")
        self._first = first
        self.scenario = scenario
        self.speed = speed
        self._lines: list[str] = []
        self._shown_for: tuple[str, int] | None = None
        self._generation = 0

    def on_mount(self) -> None:
        if self._first is not None:
            self.show_step(self._first)

    def show_step(self, current: ContactView) -> None:
        """The step on screen changed (or the screen was drawn again): show its part of the script."""
        visited = [t.step for t in current.taken]
        key = (current.step.id, len(visited))
        if key == self._shown_for:
            return
        self._shown_for = key
        self._generation += 1
        self._lines = []
        if current.taken:
            before = self.scenario.moment_at(visited[-1], visited[:-1])
            led_to = IMMEDIATE_RISK if current.taken[-1].number == 0 else current.state.step_id
            reply = before.replies.get(led_to) if before else None
            if reply:
                self._lines.append(reply)
        moment = self.scenario.moment_at(current.step.id, visited)
        if moment is None:
            self._paint()
            return
        for line in moment.lines:
            delay = line.after * self.speed
            if delay <= 0:
                self._lines.append(line.say)
            else:
                generation = self._generation
                self.set_timer(delay, lambda say=line.say, g=generation: self._say(say, g))
        self._paint()

    def _say(self, say: str, generation: int) -> None:
        if generation == self._generation:  # the trainee has not moved on meanwhile
            self._lines.append(say)
            self._paint()

    def _paint(self) -> None:
        title = Content.from_markup("[b $warning]TRAINING[/] — [b]$name[/b] says:", name=self.scenario.customer.name)
        if not self._lines:
            self.update(title + Content.from_markup(" [dim](nothing yet)[/dim]"))
            return
        latest = self._lines[-(SHOWN if self.app.size.height >= SMALL else 2):]
        self.update(Content("\n").join([title, *(Content.from_markup("“$say”", say=line) for line in latest)]))
