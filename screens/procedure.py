"""The procedure in force, read in the app: the pack's name, organisation and source document, its
review notes for administrators, then each channel's flows step by step (title, section, the words to
say, marked where they are not from the guidance, and the numbered choices).

The lines are `counter policy show`'s own (`counter_tui.policy.render`), styled by their kind; text
from the pack is data, never markup.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from counter_tui.policy import render
from counter_tui.policy.schema import CHANNEL_NAMES, Channel, Pack

STYLES: dict[str, str] = {
    "flow": "bold $accent",
    "immediate_risk": "$error",
    "step": "bold",
    "say": "bold $warning",
    "guidance": "$text-muted",
    "outcome": "$success",
}
"""How each kind of line looks; a kind not named here is plain text."""


INDENT = 3
"""Columns a step's lines sit in from its heading (wrapped lines too), as `counter policy show` indents them."""


def styled(line: render.Line) -> Content:
    """One line of the pack as `counter policy show` prints it (less its indent), styled by its kind;
    the mark on words not from the guidance stands out from the words themselves."""
    plain = line.text.lstrip(" ")
    text = Content(plain).stylize(STYLES[line.kind]) if line.kind in STYLES else Content(plain)
    if line.mark:  # " (words not from the guidance)", set apart so it cannot be read as words to say
        text += Content(" ") + Content(line.mark.strip()).stylize("bold reverse $error")
    return text


def flow_text(lines: list[render.Line], width: int, *, guidance: bool) -> Content:
    """A flow as shown: its heading, then each step's heading over its lines, which are wrapped to
    `width` with a hanging indent so a long choice or guidance line stays under its step.

    Args:
        guidance: show each step's guidance (in the document's words; long).
    """
    out: list[Content] = []
    for line in lines:
        if line.kind == "guidance" and not guidance:
            continue
        if line.kind == "step":
            out.append(Content(""))
        indent = 0 if line.kind in ("flow", "step") else INDENT
        out += [Content(" " * indent) + part for part in styled(line).wrap(max(20, width - indent))]
    return Content("\n").join(out)


class ProcedureScreen(Screen):
    """Every channel's flows of the pack in force, keyboard only; escape goes back."""

    CSS_PATH = "procedure.tcss"
    AUTO_FOCUS = "#procedure"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("n", "next_flow", "Next flow", id="next_flow"),
        Binding("p", "previous_flow", "Previous flow", id="previous_flow"),
        Binding("g", "toggle_guidance", "Guidance", id="toggle_guidance"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_guidance = False
        """Each step's guidance, in the document's words (long): off at first, so the flows read at a glance."""
        self._flows: dict[Static, list[render.Line]] = {}
        """Each flow's lines, to show again with or without the guidance, or at another width."""
        self._wrapped_at = self.app.size.width - 4
        """The width the flows are wrapped to (see `_width`)."""

    def compose(self) -> ComposeResult:
        pack: Pack = self.app.ctx.pack
        yield Header()
        with VerticalScroll(id="procedure"):
            yield Static(self._about(pack), id="procedure-about")
            notes = Static(self._notes(pack), id="procedure-notes")
            notes.border_title = "For administrators: review notes"
            notes.border_subtitle = f"{len(pack.review_notes)} gap(s) or ambiguities in the document"
            yield notes
            yield Static(self._roles(pack), id="procedure-roles")
            for channel in Channel:
                flows = render.flows_on(pack, channel)
                if not flows:
                    continue
                yield Static(Content(CHANNEL_NAMES[channel]), classes="procedure-channel")
                for flow in flows:
                    lines = list(render.flow_lines(pack, flow))
                    widget = Static(flow_text(lines, self._wrapped_at, guidance=False), classes="procedure-flow")
                    self._flows[widget] = lines
                    yield widget
        yield Footer()

    @staticmethod
    def _about(pack: Pack) -> Content:
        """The organisation, the pack's name and the document it implements."""
        title, source = (styled(line) for line in render.heading_lines(pack) if line.kind in ("title", "source"))
        keys = Content.from_markup("[dim]↑↓ PgUp PgDn to read · n / p: next / previous flow · g: each step's guidance[/dim]")
        return Content("\n").join([title.stylize("bold"), source, keys])

    @staticmethod
    def _notes(pack: Pack) -> Content:
        """Where the document is silent or unclear, and what the pack does instead."""
        lines = [Content.from_markup(
            "[dim]Where the document is silent or unclear, the pack says so here rather than inventing a rule.[/dim]")]
        lines += [Content(line.text) for line in render.review_note_lines(pack, prefix="• ")]
        if not pack.review_notes:
            lines.append(Content("The pack records no gaps in the document."))
        return Content("\n").join(lines)

    @staticmethod
    def _roles(pack: Pack) -> Content:
        """The roles and behaviour categories the pack defines, as the command line lists them."""
        return Content("\n").join(Content(str(line)) for line in render.heading_lines(pack)
                                  if line.kind in ("roles", "behaviour"))

    def _width(self) -> int:
        """The width the flows are wrapped to: the scrolling area's, less its padding and scroll bar."""
        if self.is_mounted:
            region = self.query_one("#procedure", VerticalScroll).scrollable_content_region
            if region.width:
                return region.width
        return self._wrapped_at

    def _show_flows(self) -> None:
        self._wrapped_at = width = self._width()
        for widget, lines in self._flows.items():
            widget.update(flow_text(lines, width, guidance=self.show_guidance))

    def on_resize(self) -> None:
        """Wrap the flows again once the terminal (or the scroll bar) changes their width."""
        self.call_after_refresh(lambda: self._width() != self._wrapped_at and self._show_flows())

    # -- keys -----------------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_guidance(self) -> None:
        """Show or hide each step's guidance, keeping the flow at the top of the screen in view."""
        top = self._flow_at_top()
        self.show_guidance = not self.show_guidance
        self._show_flows()
        if top is not None:
            self.call_after_refresh(self._scroll_to, top)

    def _flow_at_top(self) -> Static | None:
        scroll = self.query_one("#procedure", VerticalScroll)
        above = [w for w in self._flows if w.virtual_region.y <= scroll.scroll_y]
        return above[-1] if above else None

    def _scroll_to(self, widget: Static) -> None:
        self.query_one("#procedure", VerticalScroll).scroll_to(y=widget.virtual_region.y, animate=False)

    def action_next_flow(self) -> None:
        scroll = self.query_one("#procedure", VerticalScroll)
        later = [w for w in self._flows if w.virtual_region.y > scroll.scroll_y]
        if later:
            self._scroll_to(later[0])

    def action_previous_flow(self) -> None:
        scroll = self.query_one("#procedure", VerticalScroll)
        earlier = [w for w in self._flows if w.virtual_region.y < scroll.scroll_y]
        if earlier:
            self._scroll_to(earlier[-1])
