"""Live contacts: a manager's view of the contacts in progress, refreshed as they move on, from which
Enter takes one over with a reason (the pack's `[take_over]`, ICO 14.2) and opens it where it stands."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from counter_tui.services import takeover
from counter_tui.services.errors import NotFound, Refused, StoreError
from counter_tui.services.record_text import local_time

REFRESH_SECONDS = 5.0
"""How often the list is read again while it is on screen."""

ROW_LINES = 2
"""The most lines a row takes: a long step title, name or channel wraps once, then is cut."""


class LiveContactsScreen(Screen):
    """The contacts in progress; Enter asks why, takes the one at the cursor over and opens it."""

    CSS_PATH = "live_contacts.tcss"
    AUTO_FOCUS = "DataTable"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("f5", "reload", "Refresh", id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._widths: dict[str, int] = {}
        self._shown: dict[str, takeover.LiveContact] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="live-summary")
        yield DataTable(id="live", cursor_type="row", zebra_stripes=True)
        yield Static(id="live-error")
        yield Footer()

    def on_mount(self) -> None:
        """Columns to fit the terminal: at 80 columns the contact's id and office give way to the step."""
        table = self.query_one(DataTable)
        wide = self.app.size.width >= 110
        fixed = ({"Started": 7, "Contact": 8, "Handled by": 16, "Office": 12, "Channel": 14, "Customer": 18} if wide
                 else {"Started": 7, "Handled by": 12, "Channel": 10, "Customer": 13})
        columns = (["Started", "Contact", "Handled by", "Office", "Channel", "Customer", "Step"] if wide
                   else ["Started", "Handled by", "Channel", "Customer", "Step"])
        step_width = max(16, self.app.size.width - sum(fixed.values()) - 2 * len(columns) - 4)
        self._widths = {label: fixed.get(label, step_width) for label in columns}
        for label, width in self._widths.items():
            table.add_column(label, width=width, key=label)
        self.set_interval(REFRESH_SECONDS, self.action_reload)
        # No reload here: Textual resumes every screen it pushes, and on_screen_resume reloads.

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """Read the live contacts again, keeping the cursor on the contact it was on."""
        ctx, actor = self.app.ctx, self.app.actor
        if actor is None or self.app.screen is not self:
            return
        error = self.query_one("#live-error", Static)
        try:
            live = takeover.live_contacts(ctx, actor)
        except (Refused, StoreError) as problem:
            error.update(Content(str(problem)))
            return
        table = self.query_one(DataTable)
        at = self._cursor_contact()
        table.clear()
        self._shown = {item.contact.id: item for item in live}
        for item in live:
            contact = item.contact
            cells = {
                "Started": Text(local_time(ctx, contact.started_at)[:5]), "Contact": Text(contact.id),
                "Handled by": Text(item.handler_name), "Office": Text(contact.office), "Channel": Text(item.channel),
                "Customer": Text(contact.customer_name or "not named yet"), "Step": Text(item.step_title),
            }
            shown = [cells[label] for label in self._widths]
            lines = max(len(text.wrap(self.app.console, self._widths[label])) for label, text in zip(self._widths, shown))
            table.add_row(*shown, key=contact.id, height=min(lines, ROW_LINES))
        if at in self._shown:
            table.move_cursor(row=table.get_row_index(at), animate=False)
        self.query_one("#live-summary", Static).update(self._summary(len(live)))

    def _cursor_contact(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _summary(self, count: int) -> Content:
        rules = self.app.ctx.pack.take_over
        section = rules.section if rules is not None else ""
        if not count:
            return Content.from_markup("[b]Live contacts[/b] ($section): none in progress.", section=section)
        return Content.from_markup(
            "[b]Live contacts[/b] ($section): $n in progress. Enter takes over the one at the cursor: you give the "
            "reason, its next steps are yours, and its handler is told.", section=section, n=str(count),
        )

    @on(DataTable.RowSelected)
    def _take_over(self, event: DataTable.RowSelected) -> None:
        """Ask why, then take the contact over and open it where it stands."""
        from counter_tui.screens.dialogs.note import NoteDialog

        item = self._shown.get(event.row_key.value)
        if item is None:
            return
        ctx, actor = self.app.ctx, self.app.actor
        contact = item.contact
        heading = Content.from_markup(
            "[b]Take over $id from $handler[/b] ($section)\nCustomer: $customer · $channel · at: $step\n"
            "Why are you taking it over? Recorded with both your names.",
            id=contact.id, handler=item.handler_name, section=ctx.pack.take_over.section,
            customer=contact.customer_name or "not named yet", channel=item.channel, step=item.step_title,
        )

        def taken(contact_id: str | None) -> None:
            if not contact_id:
                return
            from counter_tui.screens.contact import open_contact

            try:
                open_contact(self.app, contact_id)
            except (NotFound, StoreError) as problem:
                self.query_one("#live-error", Static).update(Content(str(problem)))

        self.app.push_screen(NoteDialog(
            heading, lambda reason: takeover.take_over(ctx, actor, contact.id, reason=reason)), taken)

    def action_back(self) -> None:
        self.app.pop_screen()
