"""Before an interview: the customer's earlier case notes and incidents, newest first, under the
guidance's words ("know the customer may become abusive during the interview"). Enter (or esc)
goes on to the interview; what people typed in those records is shown as text, never markup."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from counter_tui.services.interview_prep import Preparation


class PrepareDialog(ModalScreen[None]):
    """Read, then Enter starts the interview."""

    DEFAULT_CSS = """
    PrepareDialog { align: center middle; }
    PrepareDialog > Vertical { width: 100%; max-width: 110; height: 1fr; border: thick $warning; background: $surface; }
    PrepareDialog #prepare-head { padding: 0 1; height: auto; }
    PrepareDialog #prepare-body { padding: 0 1; height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "start", "Start the interview", id="start", priority=True),
        Binding("escape", "start", "Start the interview", show=False, id="start_escape"),
    ]

    def __init__(self, preparation: Preparation, local) -> None:
        """`local` formats a moment in the organisation's time (record_text.local_time)."""
        super().__init__()
        self.preparation, self.local = preparation, local

    def compose(self) -> ComposeResult:
        prep = self.preparation
        head = [Content.from_markup("[b]$title[/b]  [dim]— $section[/dim]", title=prep.title, section=prep.section)]
        head += [Content.from_markup("[b $warning]$text[/]", text=text) for text in prep.guidance]
        with Vertical():
            yield Static(Content("\n").join(head), id="prepare-head")
            with VerticalScroll(id="prepare-body"):
                yield Static(self._body(), id="prepare-records")
            yield Footer()

    def _body(self) -> Content:
        prep, lines = self.preparation, []
        if prep.incidents:
            lines.append(Content.from_markup("\n[b]Incidents for this application ($n)[/b]", n=str(len(prep.incidents))))
            lines += [Content.from_markup("• $when · $id · $channel · $summary", when=self.local(i.at), id=i.incident_id,
                                          channel=i.channel, summary=i.summary) for i in prep.incidents]
        if prep.records:
            lines.append(Content.from_markup("\n[b]Case notes for this application ($n)[/b]", n=str(len(prep.records))))
        for record in prep.records:
            lines.append(Content.from_markup("[b]$when · $title · $who[/b] ($id)", when=self.local(record.at),
                                             title=record.title, who=record.staff_name, id=record.contact_id))
            lines += [Content.from_markup("  $label: $text", label=label, text=text) for label, text in record.fields]
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        self.query_one("#prepare-body").focus()

    def action_start(self) -> None:
        self.dismiss(None)


def offer_preparation(screen) -> None:
    """On a contact screen whose flow asks for it (`prepare`), before its first step and once per
    screen: the customer's earlier records and incidents, if they have any (none: nothing shown)."""
    from counter_tui.services import interview_prep
    from counter_tui.services.record_text import local_time

    current = screen.current
    if getattr(screen, "_prepared", False) or current.taken or current.flow.prepare is None:
        return
    found = interview_prep.preparation(screen.app.ctx, screen.contact_id)
    if found is None:
        return
    screen._prepared = True
    screen.app.push_screen(PrepareDialog(found, lambda moment: local_time(screen.app.ctx, moment, with_date=True)))
