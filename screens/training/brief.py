"""Before the practice: the scenario's brief, the customer, the procedure and channel; Enter starts
the contact on the real contact screen. When the trainee comes back (the record saved, or ctrl+o
to stop part way), the attempt is scored and its score shown."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from counter_tui.services import training
from counter_tui.services.errors import StoreError
from counter_tui.services.training import Practice
from counter_tui.screens.training.start import channel_of


class BriefScreen(Screen):
    """The brief, then (on return) the scoring."""

    CSS_PATH = "training.tcss"
    BINDINGS = [
        Binding("enter", "begin", "Start the contact", id="begin"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, practice: Practice) -> None:
        super().__init__()
        self.practice = practice
        self.begun = False
        """Set once the contact screen opened: coming back to this screen then scores the attempt."""

    def compose(self) -> ComposeResult:
        found = self.practice.scenario
        customer = found.customer
        yield Header()
        with VerticalScroll(id="brief"):
            yield Static(Content("\n").join([
                Content.from_markup("[b]$title[/b]  [dim]$id · attempt $attempt[/dim]", title=found.title, id=found.id,
                                    attempt=self.practice.attempt_id),
                Content.from_markup("Procedure: [b]$pack[/b] · channel: [b]$channel[/b] · you are: [b]$role[/b]",
                                    pack=self.practice.ctx.pack.name, channel=channel_of(found),
                                    role=self.practice.ctx.pack.role(self.practice.actor.role).name),
                Content(""),
                Content("\n\n".join(" ".join(part.split()) for part in found.brief.strip().split("\n\n"))),
                Content(""),
                Content.from_markup("The customer: [b]$name[/b] $reference — $query", name=customer.name,
                                    reference=customer.reference, query=customer.query),
                Content.from_markup("It practises: $teaches", teaches=found.teaches),
                Content(""),
                Content.from_markup(
                    "Press [b]Enter[/b] to start. The customer's words appear above the step; press the keys you "
                    "would press for real and write the note as you go. [b]ctrl+o[/b] stops and scores the attempt."),
            ]), id="brief-text")
        yield Static("", id="brief-status")
        yield Footer()

    def on_mount(self) -> None:
        self.app.begin_practice(self.practice)

    def action_begin(self) -> None:
        from counter_tui.screens.contact import open_contact

        self.begun = True
        open_contact(self.app, self.practice.contact_id)

    def action_back(self) -> None:
        """Back to the list without starting: the attempt stays unfinished, to carry on later."""
        self.app.end_practice()
        self.app.pop_screen()

    def on_screen_resume(self) -> None:
        if not self.begun:
            return
        try:
            training.finish(self.app.room, self.practice)
        except StoreError as problem:
            self.query_one("#brief-status", Static).update(Content(f"{problem} Press Enter to carry on."))
            return
        self.app.end_practice()
        from counter_tui.screens.training.score import ScoreScreen

        self.app.switch_screen(ScoreScreen(self.practice.attempt_id))
