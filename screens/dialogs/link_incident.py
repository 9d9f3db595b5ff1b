"""Choose an incident recorded with the customer not known, to link it to the customer on screen."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from counter_tui.policy.schema import CHANNEL_NAMES, Channel
from counter_tui.services.register import UnknownIncident


class LinkIncidentDialog(ModalScreen[str | None]):
    """Dismisses with the chosen incident's id, or None."""

    DEFAULT_CSS = """
    LinkIncidentDialog { align: center middle; }
    LinkIncidentDialog > Vertical { width: 90%; max-width: 100; height: auto; max-height: 80%; border: thick $primary;
        padding: 0 1; background: $surface; }
    LinkIncidentDialog OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, incidents: list[UnknownIncident], local: Callable) -> None:
        super().__init__()
        self.incidents, self.local = incidents, local

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.from_markup(
                "[b]Which incident was this customer?[/b] Incidents recorded with the customer not known, newest first."))
            yield OptionList(*[
                Option(Content.from_markup(
                    "[b]$id[/b] $when · $channel · $office · $who\n  $summary", id=i.incident_id, when=self.local(i.occurred_at),
                    channel=CHANNEL_NAMES[Channel(i.channel)], office=i.office, who=i.customer_name or "no name given",
                    summary=i.summary,
                ), id=i.incident_id)
                for i in self.incidents
            ])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
