"""The trainee's start: their name, then a scenario to practise, a group session to join, or an
unfinished attempt of theirs to carry on."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from counter_tui.policy.schema import CHANNEL_NAMES
from counter_tui.services import training
from counter_tui.services.errors import FieldErrors, NotFound, Refused, StoreError
from counter_tui.screens.widgets.fields import LimitedInput


def scenario_columns(table: DataTable, first: str, width: int) -> None:
    """The scenario list's columns, fitted to the terminal: what it practises, its procedure, its channel."""
    procedure, channel = (22, 24) if width >= 110 else (10, 15)
    table.add_column(first, width=max(30, width - procedure - channel - 10))
    table.add_column("Procedure", width=procedure)
    table.add_column("Channel", width=channel)


def channel_of(scenario) -> str:
    from counter_tui.policy.loader import load_pack

    return CHANNEL_NAMES[load_pack(scenario.pack).flow(scenario.flow).channel]


class TrainingStartScreen(Screen):
    """Who is practising, and what."""

    CSS_PATH = "training.tcss"
    BINDINGS = [Binding("enter", "start", "Start", id="start", show=True)]

    def __init__(self, only: str | None = None) -> None:
        super().__init__()
        self.only = only
        """The scenario given on the command line: the list offers just that one."""
        self._rows: dict[str, tuple[str, str]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content.from_markup(
            "[b]Practice on the real procedures.[/b] Nothing here is live: no real customer, queue, "
            "letter or e-mail. Type your name, then choose what to practise and press [b]Enter[/b]."),
            id="training-intro")
        yield LimitedInput(id="trainee", placeholder="Your name (shown on your scores)", limit=80)
        yield Static("", id="trainee-error", classes="field-error")
        yield DataTable(id="choices", cursor_type="row", zebra_stripes=True)
        yield Static("", id="choice-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        scenario_columns(table, "Practise", self.app.size.width)
        name = getattr(self.app, "trainee", "")
        self.query_one(Input).value = name
        if name:
            table.focus()
        else:
            self.query_one(Input).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self._rows = {}
        room = self.app.room
        name = self.query_one(Input).value.strip()
        try:
            unfinished = training.unfinished(room, name) if name else []
            sessions = training.open_sessions(room)
        except StoreError as problem:
            self._error(str(problem))
            unfinished, sessions = [], []
        for row in unfinished:
            found = training.scenario(row["scenario"])
            self._add(table, ("resume", row["id"]), f"Carry on: {found.title} ({row['id']})", found)
        for session in sessions:
            found = training.scenario(session["scenario"])
            self._add(table, ("session", session["id"]), f"Group session {session['id']} ({session['trainer']}): {found.title}", found)
        for found in training.scenarios():
            if self.only is None or found.id == self.only:
                self._add(table, ("scenario", found.id), found.title, found)
        self._detail()

    def _add(self, table: DataTable, what: tuple[str, str], title: str, found) -> None:
        key = f"{what[0]}:{what[1]}"
        self._rows[key] = what
        table.add_row(Content(title), Content(found.pack), Content(channel_of(found)), key=key)

    @on(DataTable.RowHighlighted)
    def _detail(self) -> None:
        table = self.query_one(DataTable)
        if not self._rows or table.cursor_row < 0:
            return
        what = self._rows[table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value]
        found = self._scenario_of(what)
        self.query_one("#choice-detail", Static).update(
            Content.from_markup("[b]$title[/b] — $teaches", title=found.title, teaches=found.teaches))

    def _scenario_of(self, what: tuple[str, str]):
        kind, ident = what
        if kind == "scenario":
            return training.scenario(ident)
        if kind == "session":
            return training.scenario(next(s for s in training.open_sessions(self.app.room) if s["id"] == ident)["scenario"])
        return training.scenario(next(a for a in training.attempts(self.app.room) if a["id"] == ident)["scenario"])

    @on(Input.Submitted, "#trainee")
    def _named(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    def _error(self, text: str) -> None:
        error = self.query_one("#trainee-error", Static)
        error.update(Content(text))
        error.set_class(bool(text), "-shown")

    @on(DataTable.RowSelected)
    def action_start(self) -> None:
        table = self.query_one(DataTable)
        if not self._rows or table.cursor_row < 0:
            return
        kind, ident = self._rows[table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value]
        room, name = self.app.room, self.query_one(Input).value
        try:
            if kind == "resume":
                practice = training.resume(room, ident)
            elif kind == "session":
                session = next(s for s in training.open_sessions(room) if s["id"] == ident)
                practice = training.start(room, name, session["scenario"], session_id=ident)
            else:
                practice = training.start(room, name, ident)
        except FieldErrors as problem:
            self._error(problem.errors.get("trainee", str(problem)))
            self.query_one(Input).focus()
            return
        except (NotFound, Refused, StoreError, StopIteration) as problem:
            self._error(str(problem) or "That session has just closed.")
            self.reload()
            return
        self._error("")
        self.app.trainee = practice.actor.name
        from counter_tui.screens.training.brief import BriefScreen

        self.app.push_screen(BriefScreen(practice))
