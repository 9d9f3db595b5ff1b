"""An attempt's score and debrief: each point met or missed with why and the section of the
guidance, the timeline of what the trainee did beside what the guidance says, and their earlier
attempts at the same scenario to compare; ctrl+r prints it (PDF)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from counter_tui.services import training
from counter_tui.services.errors import NotFound, StoreError


INDENT = Content("      ")


def _clock(offset: float | None) -> str:
    if offset is None:
        return "  —  "
    minutes, seconds = divmod(int(offset), 60)
    return f"{minutes:02d}:{seconds:02d}"


def debrief_text(debrief: training.Debrief) -> Content:
    score, attempt = debrief.score, debrief.attempt
    style = "b $success" if score.full else "b $warning"
    lines = [
        Content.from_markup(f"[{style}]$points of $out_of[/]  [b]$title[/b] — $trainee · attempt $id",
                            points=str(score.points), out_of=str(score.out_of), title=debrief.scenario.title,
                            trainee=attempt["trainee"], id=attempt["id"]),
        Content(""),
        Content.from_markup("[b]Point by point[/b]"),
    ]
    for c in score.criteria:
        mark = "[b $success]✓[/]" if c.passed else "[b $error]✗[/]"
        lines.append(Content.from_markup(f"{mark} [b]$title[/b] — $why [dim]($section)[/dim]",
                                         title=c.title, why=c.explanation, section=c.section))
    lines += [Content(""), Content.from_markup("[b]What you did, beside what the guidance says[/b]")]
    for row in score.timeline:
        mark = "" if row.passed is None else ("[$success]✓[/] " if row.passed else "[$error]✗[/] ")
        lines.append(Content(_clock(row.offset) + " ") + Content.from_markup(
            f"{mark}[b]$step[/b] [dim]($section)[/dim]", step=row.step, section=row.section))
        for say in row.customer:
            lines.append(INDENT + Content.from_markup("[i]Customer:[/i] “$say”", say=say))
        lines.append(INDENT + Content.from_markup("[i]You:[/i] $did", did=row.did))
        if row.guidance and row.passed is False:
            lines.append(INDENT + Content.from_markup("[b]The guidance:[/b] $guidance", guidance=row.guidance))
    if debrief.earlier:
        lines += [Content(""), Content.from_markup("[b]Your earlier attempts at this scenario[/b]")]
        for a in debrief.earlier:
            lines.append(Content.from_markup("$id  $when  $points of $out_of", id=a["id"],
                                             when=a["started_at"][:16].replace("T", " "), points=str(a["points"]),
                                             out_of=str(a["out_of"])))
    return Content("\n").join(lines)


class ScoreScreen(Screen):
    """The debrief of one attempt."""

    CSS_PATH = "training.tcss"
    AUTO_FOCUS = "#debrief"
    BINDINGS = [
        Binding("ctrl+r", "print", "Print the debrief (PDF)", id="print"),
        Binding("escape", "back", "Back", id="back"),
        Binding("enter", "back", "Done", id="done"),
    ]

    def __init__(self, attempt_id: str) -> None:
        super().__init__()
        self.attempt_id = attempt_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="debrief"):
            yield Static(debrief_text(training.debrief(self.app.room, self.attempt_id)), id="debrief-text")
        yield Static("", id="debrief-status")
        yield Footer()

    def action_print(self) -> None:
        status = self.query_one("#debrief-status", Static)
        try:
            path = training.print_debrief(self.app.room, self.attempt_id)
        except (NotFound, StoreError, OSError) as problem:
            status.update(Content(f"Not printed: {problem}"))
            return
        status.update(Content(f"Printed: {path}"))

    def action_back(self) -> None:
        self.app.pop_screen()
