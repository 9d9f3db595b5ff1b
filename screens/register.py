"""The customer register: type a name, a reference or words from a note, and the customers found
(or people not known yet, by what was recorded) show as you type; Enter opens a customer's record.

As you type, the search runs in a thread worker, not on the UI thread: the screen keeps answering
keys while it runs, a newer search replaces an older one (exclusive), and only the answer for what is
typed now is shown. Enter searches at once if the hits shown are not for what is typed (so keys typed
ahead, "enter enter", stay in order): what can be typed is capped (`SEARCH_LIMIT`), as the service
caps what it searches, which bounds that query to a few milliseconds (9 ms for a 200-character worst
case at 100,000 customers and 300,000 contacts)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker, get_current_worker

from counter_tui.services import register
from counter_tui.services.errors import StoreError
from counter_tui.screens.widgets.fields import LimitedInput
from counter_tui.text import SEARCH_LIMIT

SEARCH_PAUSE = 0.25
"""Search once typing pauses this long (seconds)."""


class RegisterScreen(Screen):
    """Search the register; ↓ to the results, Enter opens the customer."""

    CSS_PATH = "register.tcss"
    AUTO_FOCUS = "#register-search"
    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def __init__(self) -> None:
        super().__init__()
        self._hits: dict[str, register.Hit] = {}
        self._timer = None
        self._asked: str | None = None
        """What the latest search asked for: an answer to anything else is not shown."""
        self._shown: str | None = None
        """What the hits on screen were found for."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content.from_markup(
            "[b]Customer register[/b] — a name, $reference, or words from a note or case note",
            reference=self.app.ctx.pack.reference_label.lower()), id="register-title")
        yield LimitedInput(id="register-search", placeholder="For example: Kovac, PEX 5521, banged the desk", limit=SEARCH_LIMIT)
        yield Static("", id="register-hint")
        yield DataTable(id="register-hits", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        wide = self.app.size.width >= 110
        table.add_column("Customer", width=28 if wide else 22)
        table.add_column("Reference", width=15 if wide else 13)
        table.add_column("Found in", width=max(20, self.app.size.width - (28 if wide else 22) - (15 if wide else 13) - 10))
        self._hint("Type to search. Words are matched as text, whatever they contain.")

    def _hint(self, text: str) -> None:
        self.query_one("#register-hint", Static).update(Content(text))

    @on(Input.Changed, "#register-search")
    def _typed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_PAUSE, self.search_soon)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def search_soon(self) -> Worker | None:
        """Search for what is typed off the UI thread; the first page of hits shows when it comes.
        Returns the search's worker (None when nothing is typed)."""
        self._stop_timer()
        text = self.query_one("#register-search", Input).value
        self._asked = text
        if not text.strip():
            self._show(text, [])
            return None
        self._hint("Searching…")
        return self._search(text)

    def search_now(self) -> None:
        """Search for what is typed and show the first page of hits before the next key is handled."""
        self._stop_timer()
        self.workers.cancel_group(self, "register-search")
        text = self.query_one("#register-search", Input).value
        self._asked = text
        try:
            hits = register.search(self.app.ctx, text) if text.strip() else []
        except StoreError as problem:
            self._hint(f"{problem}")
            return
        self._show(text, hits)

    @work(thread=True, exclusive=True, exit_on_error=False, group="register-search")
    def _search(self, text: str) -> None:
        worker = get_current_worker()
        try:
            hits = register.search(self.app.ctx, text)
        except StoreError as problem:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, text, f"{problem}")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, text, hits)

    def _failed(self, text: str, problem: str) -> None:
        if text == self._asked and self.is_attached:
            self._hint(problem)

    def _show(self, text: str, hits: list[register.Hit]) -> None:
        if text != self._asked or not self.is_attached:
            return  # an older search's answer (a newer one is on its way), or the screen has gone
        table = self.query_one(DataTable)
        table.clear()
        self._hits = {}
        for n, hit in enumerate(hits):
            key = f"hit-{n}"
            self._hits[key] = hit
            name = hit.name or "(no name)"
            if hit.customer_id is None:
                name += " · not known yet"
            table.add_row(Text(name), Text(hit.reference or "—"), Text(hit.why), key=key)
        if not text.strip():
            self._hint("Type to search. Words are matched as text, whatever they contain.")
        elif not hits:
            self._hint("Nothing found.")
        else:
            more = f" (the newest {register.PAGE}: add a word to narrow it)" if len(hits) >= register.PAGE else ""
            self._hint(f"{len(hits)} found{more}. ↓ then Enter opens a customer's record.")
        self._shown = text

    def on_key(self, event) -> None:
        if event.key == "down" and self.focused is self.query_one("#register-search") and self._hits:
            self.query_one(DataTable).focus()
            event.stop()

    @on(Input.Submitted, "#register-search")
    def _to_results(self) -> None:
        if self._shown != self.query_one("#register-search", Input).value:
            self.search_now()
        if self._hits:
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        hit = self._hits.get(event.row_key.value)
        if hit is None:
            return
        if hit.customer_id is None:
            self._hint(f"{hit.contact_id} was recorded with the customer not known: open the customer it turns "
                       "out to be and press l to link it.")
            return
        from counter_tui.screens.customer_record import CustomerRecordScreen

        self.app.push_screen(CustomerRecordScreen(hit.customer_id))

    def action_back(self) -> None:
        self.app.pop_screen()
