"""The outbox: every e-mail Counter sends (copies of signed-off letters, notices to other offices)
with its state — waiting, sent, failed and retrying, or held with the reason — newest first, paged
from SQL; `r` retries the failed and held ones."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from counter_tui.services import outbox
from counter_tui.services.errors import StoreError
from counter_tui.services.record_text import local_time

PAGE = 50
STYLES = {"sent": "green", "failed": "bold red", "held": "bold red"}


class OutboxScreen(Screen):
    """E-mail waiting, sent, failed or held."""

    _total = 0
    """How many messages there are (more pages load as the cursor reaches the last row)."""

    CSS_PATH = "queue.tcss"
    AUTO_FOCUS = "DataTable"
    BINDINGS = [
        Binding("r", "retry", "Retry failed and held", id="retry"),
        Binding("f5", "reload", "Refresh", id="reload"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="queue-counts")
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="outbox-detail")
        yield Static(id="queue-error")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        wide = self.app.size.width >= 110
        fixed = {"Message": 9, "State": 15, "Tries": 5, "To": 28}
        columns = ["Message", "State", "Tries", "To", "What"] if wide else ["Message", "State", "To"]
        rest = max(16, self.app.size.width - sum(fixed[c] for c in columns[:-1]) - 2 * len(columns) - 4)
        for label in columns:
            table.add_column(label, width=rest if label == columns[-1] else fixed[label], key=label)
        self._columns = columns
        self.action_reload()

    def action_reload(self) -> None:
        ctx = self.app.ctx
        try:
            messages = outbox.messages(ctx, limit=PAGE)
            counts = outbox.counts(ctx)
        except StoreError as problem:
            self.query_one("#queue-error", Static).update(Content(str(problem)))
            return
        self._loaded = {}
        self._total = sum(counts.values())
        table = self.query_one(DataTable)
        at = table.cursor_row
        table.clear()
        self._add_rows(messages)
        order = ("queued", "sending", "sent", "failed", "held")
        summary = " · ".join(f"{counts[s]} {outbox.STATE_NAMES[s]}" for s in order if counts.get(s))
        smtp = ctx.settings.smtp
        server = f"mail server {smtp.host}:{smtp.port}" if smtp else "no mail server configured ([smtp]): messages are kept ready"
        if messages:
            table.move_cursor(row=min(at, len(messages) - 1))
        self.query_one("#queue-counts", Static).update(Content.from_markup(
            "[b]Outbox[/b] — $summary\n[dim]$server · r retries the failed and held · ↑↓ shows each[/dim]",
            summary=summary or "nothing sent yet", server=server,
        ))
        self._detail(messages[table.cursor_row] if messages else None)

    def _add_rows(self, messages) -> None:
        table = self.query_one(DataTable)
        for message in messages:
            self._loaded[message.id] = message
            cells = {
                "Message": Text(message.id), "State": Text(outbox.STATE_NAMES[message.status], style=STYLES.get(message.status, "")),
                "To": Text(message.list_name), "Tries": Text(str(message.attempts)), "What": Text(message.purpose),
            }
            table.add_row(*(cells[c] for c in self._columns), key=message.id)

    def _detail(self, message) -> None:
        if message is None:
            self.query_one("#outbox-detail", Static).update("")
            return
        ctx = self.app.ctx

        def local(moment) -> str:
            return local_time(ctx, moment, with_date=True) if moment else "—"

        self.query_one("#outbox-detail", Static).update(Content.from_markup(
            "[b]$id[/b] $purpose\nTo: $to\nSubject: $subject\n$state", id=message.id, purpose=message.purpose,
            subject=message.subject,
            to=", ".join(message.recipients) or "no addresses", state=outbox.describe(ctx, message, local=local),
        ))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or event.row_key.value is None:
            return
        self._detail(self._loaded.get(event.row_key.value))
        table = self.query_one(DataTable)
        if event.cursor_row == table.row_count - 1 and table.row_count < self._total:  # the next page, from SQL
            self._add_rows(outbox.messages(self.app.ctx, limit=PAGE, offset=table.row_count))

    def action_retry(self) -> None:
        try:
            made_due = outbox.retry(self.app.ctx, self.app.actor)
        except StoreError as problem:
            self.query_one("#queue-error", Static).update(Content(str(problem)))
            return
        self.notify(f"{len(made_due)} message(s) to send again.", title="Outbox", markup=False)
        self.app.send_mail_now()
        self.action_reload()

    def mail_changed(self) -> None:
        """The outbox sent something: show its new state."""
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()
