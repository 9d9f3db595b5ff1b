"""The trainer's view: run a scenario for a group (a session trainees join from their terminals),
see each trainee's attempts and scores as they come in, the points the group missed most, and any
attempt's debrief."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from counter_tui.services import training
from counter_tui.services.errors import FieldErrors, NotFound, StoreError
from counter_tui.screens.training.start import channel_of, scenario_columns
from counter_tui.screens.widgets.fields import LimitedInput

REFRESH_SECONDS = 2.0
"""How often the group's scores are read again while the trainer watches."""


class TrainerScreen(Screen):
    """Scenarios to run, and the sessions run so far."""

    CSS_PATH = "training.tcss"
    BINDINGS = [
        Binding("n", "new_session", "Run for a group", id="new_session"),
        Binding("s", "sessions", "Sessions", id="sessions"),
        Binding("enter", "new_session", "Run for a group", show=False, id="run"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content.from_markup(
            "[b]Trainer.[/b] Type your name, choose a scenario and press [b]n[/b] to run it for a group: trainees "
            "join the session from their terminals (`counter train`). [b]s[/b]: the sessions and their scores."),
            id="training-intro")
        yield LimitedInput(id="trainer", placeholder="Your name (the trainer)", limit=80)
        yield Static("", id="trainer-error", classes="field-error")
        yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
        yield Static("", id="choice-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        scenario_columns(table, "Scenario", self.app.size.width)
        for found in training.scenarios():
            table.add_row(Content(found.title), Content(found.pack), Content(channel_of(found)), key=found.id)
        self.query_one(Input).focus()

    @on(Input.Submitted, "#trainer")
    def _named(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowHighlighted)
    def _detail(self, event: DataTable.RowHighlighted) -> None:
        found = training.scenario(event.row_key.value)
        self.query_one("#choice-detail", Static).update(Content.from_markup(
            "[b]$title[/b] — $teaches", title=found.title, teaches=found.teaches))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        if action in ("new_session", "run", "sessions"):
            return not isinstance(self.focused, Input)
        return True

    @on(DataTable.RowSelected)
    def action_new_session(self) -> None:
        table = self.query_one(DataTable)
        scenario_id = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        error = self.query_one("#trainer-error", Static)
        try:
            session_id = training.open_session(self.app.room, self.query_one(Input).value, scenario_id)
        except FieldErrors as problem:
            error.update(Content(problem.errors.get("trainee", str(problem))))
            error.add_class("-shown")
            self.query_one(Input).focus()
            return
        except (NotFound, StoreError) as problem:
            error.update(Content(str(problem)))
            error.add_class("-shown")
            return
        error.remove_class("-shown")
        self.app.push_screen(GroupScreen(session_id))

    def action_sessions(self) -> None:
        self.app.push_screen(SessionsScreen())


class SessionsScreen(Screen):
    """Every session, newest first; Enter shows its group."""

    CSS_PATH = "training.tcss"
    AUTO_FOCUS = "DataTable"
    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Session", "Scenario", "Trainer", "Started", "Open")
        for session in training.sessions(self.app.room):
            table.add_row(session["id"], Content(session["scenario"]), Content(session["trainer"]),
                          session["started_at"][:16].replace("T", " "), "no" if session["closed_at"] else "yes",
                          key=session["id"])

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(GroupScreen(event.row_key.value))

    def action_back(self) -> None:
        self.app.pop_screen()


class GroupScreen(Screen):
    """One session: each trainee's attempts and scores, and the points most often missed."""

    CSS_PATH = "training.tcss"
    AUTO_FOCUS = "DataTable"
    BINDINGS = [
        Binding("x", "close", "Close the session", id="close"),
        Binding("p", "print_all", "Print every debrief", id="print_all"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="group-heading")
        yield DataTable(id="attempts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="most-missed")
        yield Static("", id="group-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Attempt", "Trainee", "Started", "Score", "Missed")
        self.set_interval(REFRESH_SECONDS, self.reload)

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        try:
            view = training.group(self.app.room, self.session_id)
        except (NotFound, StoreError) as problem:
            self.query_one("#group-status", Static).update(Content(str(problem)))
            return
        session = view.session
        found = training.scenario(session["scenario"])
        state = "closed" if session["closed_at"] else "open: trainees join it from their terminals"
        self.query_one("#group-heading", Static).update(Content.from_markup(
            "[b]Session $id[/b] — $title · run by $trainer · $state", id=session["id"], title=found.title,
            trainer=session["trainer"], state=state))
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for attempt in view.attempts:
            done = attempt["finished_at"] is not None
            score = training.stored_score(attempt)
            table.add_row(attempt["id"], Content(attempt["trainee"]), attempt["started_at"][11:16],
                          f"{attempt['points']} of {attempt['out_of']}" if done else "practising…",
                          str(len(score.missed)) if score else "", key=attempt["id"])
        if view.attempts:
            table.move_cursor(row=min(max(row, 0), len(view.attempts) - 1))
        lines = [Content.from_markup("[b]Most often missed[/b]")]
        lines += [Content.from_markup("$n × $title", n=str(n), title=title) for title, n in view.most_missed[:6]]
        if not view.most_missed:
            lines.append(Content.from_markup("[dim]Nothing missed yet.[/dim]"))
        self.query_one("#most-missed", Static).update(Content("\n").join(lines))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        attempt = next(a for a in training.attempts(self.app.room, session_id=self.session_id)
                       if a["id"] == event.row_key.value)
        if attempt["finished_at"] is None:
            self.query_one("#group-status", Static).update(Content(f"{attempt['trainee']} is still practising."))
            return
        from counter_tui.screens.training.score import ScoreScreen

        self.app.push_screen(ScoreScreen(attempt["id"]))

    def action_close(self) -> None:
        training.close_session(self.app.room, self.session_id)
        self.reload()

    def action_print_all(self) -> None:
        printed = []
        try:
            for attempt in training.attempts(self.app.room, session_id=self.session_id):
                if attempt["finished_at"] is not None:
                    printed.append(training.print_debrief(self.app.room, attempt["id"]))
        except (NotFound, StoreError, OSError) as problem:
            self.query_one("#group-status", Static).update(Content(f"Not printed: {problem}"))
            return
        where = printed[0].parent if printed else ""
        self.query_one("#group-status", Static).update(Content(f"Printed {len(printed)} debrief(s) to {where}"))

    def action_back(self) -> None:
        self.app.pop_screen()
