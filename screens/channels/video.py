"""A video interview: the same as face to face, plus whether the connection is still up; ctrl+d
records the moment it ended (or came back), and the case note's timeline shows it
(HMPO "Customer conduct: Skype interviews")."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content

from counter_tui.screens.channels.interview import InterviewScreen
from counter_tui.services import contacts
from counter_tui.services.errors import StoreError
from counter_tui.services.record_text import local_time


class VideoScreen(InterviewScreen):
    NOTE_TITLE = "Note: what the customer said or did on the video call (ctrl+n; esc back)"
    BINDINGS = [Binding("ctrl+d", "connection", "Connection", id="connection")]

    def channel_facts(self) -> list[Content]:
        ended = self.current.contact.connection_ended_at
        connection = (
            Content.from_markup("[b $error]connection ended $at[/]", at=local_time(self.app.ctx, ended)[:5])
            if ended else Content("connection: up")
        )
        return [connection, *super().channel_facts()]

    def action_connection(self) -> None:
        ended = self.current.contact.connection_ended_at is None
        try:
            self.current = contacts.set_connection(self.app.ctx, self.app.actor, self.contact_id, ended=ended)
        except StoreError as problem:
            self._status(f"Not recorded: {problem}", error=True)
            return
        when = local_time(self.app.ctx, self.app.ctx.clock.now())
        self._status(f"Recorded {when}: the video connection {'ended' if ended else 'came back'}.")
        self._tick()
