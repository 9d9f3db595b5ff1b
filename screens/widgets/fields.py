"""Text fields with a stated limit that refuse, beside the field, a paste they cannot take as it is.

`LimitedInput` (one line) and `LimitedTextArea` (several lines) show how many characters they hold
and their limit on their lower border ("12/120"). A paste with a control character, more than one
line into a one-line field, or more than the field has room for is refused whole: what was in the
field stays, and the border says why (in full in a notification too) until the field next changes.
Nothing pasted is ever cut short or altered to fit. Typing stops at the limit.

Use the limits of `counter_tui.text` (`NAME_LIMIT`, `REFERENCE_LIMIT`, `SHORT_LIMIT`, `NOTE_LIMIT`,
`SEARCH_LIMIT`), the same the services enforce.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea
from textual.widgets.text_area import EditResult, Location

from counter_tui.text import paste_problem

_CSS = """
{name}.-refused {{
    border-subtitle-color: $error;
    border-subtitle-style: bold;
}}
"""


class LimitedInput(Input):
    """A one-line field of at most `limit` characters, its count and limit on its border."""

    DEFAULT_CSS = _CSS.format(name="LimitedInput")

    def __init__(self, value: str | None = None, *, limit: int, **kwargs) -> None:
        self.limit = limit
        self.refusal = ""
        super().__init__(value, max_length=limit, **kwargs)
        self._show_count()

    def _show_count(self) -> None:
        self.border_subtitle = self.refusal or f"{len(self.value)}/{self.limit}"

    def refuse(self, message: str) -> None:
        """Keep what is in the field and say why beside it."""
        self.refusal = message
        self.add_class("-refused")
        self._show_count()
        self.notify(message, severity="warning", markup=False)

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        self.refusal = ""
        self.remove_class("-refused")
        self._show_count()

    def _room(self) -> int:
        start, end = sorted(self.selection)
        return self.limit - (len(self.value) - (end - start))

    def _on_paste(self, event: events.Paste) -> None:
        problem = paste_problem(event.text, multiline=False, room=self._room())
        if problem is None:
            # Blank lines around the one line are not part of it (Input keeps only the first line).
            event.text = event.text.strip("\r\n")
            return  # Input's own handler inserts it
        event.prevent_default()
        event.stop()
        self.refuse(problem)

    def action_paste(self) -> None:
        problem = paste_problem(self.app.clipboard, multiline=False, room=self._room())
        if problem is None:
            super().action_paste()
        else:
            self.refuse(problem)


class LimitedTextArea(TextArea):
    """A field of several lines of at most `limit` characters, its count and limit on its border."""

    DEFAULT_CSS = _CSS.format(name="LimitedTextArea")

    def __init__(self, text: str = "", *, limit: int, **kwargs) -> None:
        self.limit = limit
        self.refusal = ""
        super().__init__(text, **kwargs)
        self._show_count()

    def _show_count(self) -> None:
        self.border_subtitle = self.refusal or f"{len(self.text)}/{self.limit}"

    def refuse(self, message: str) -> None:
        """Keep what is in the field and say why beside it."""
        self.refusal = message
        self.add_class("-refused")
        self._show_count()
        self.notify(message, severity="warning", markup=False)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area is self:
            self.refusal = ""
            self.remove_class("-refused")
            self._show_count()

    def _room(self, start: Location, end: Location) -> int:
        return self.limit - (len(self.text) - len(self.get_text_range(start, end)))

    def _replace_via_keyboard(self, insert: str, start: Location, end: Location) -> EditResult | None:
        # Typing (and Textual's own paste) stops at the limit.
        if len(insert) > self._room(start, end):
            if not self.refusal:
                self.refuse(f"The limit is {self.limit:,} characters.")
            return None
        return super()._replace_via_keyboard(insert, start, end)

    async def _on_paste(self, event: events.Paste) -> None:
        if self.read_only:
            return
        problem = paste_problem(event.text, multiline=True, room=self._room(*self.selection))
        if problem is not None:
            event.prevent_default()
            event.stop()
            self.refuse(problem)

    def action_paste(self) -> None:
        problem = paste_problem(self.app.clipboard, multiline=True, room=self._room(*self.selection))
        if problem is None:
            super().action_paste()
        else:
            self.refuse(problem)


def typed_text(node, widget_id: str) -> str:
    """What is typed in the field `widget_id` under `node` (a screen or widget): '' where it is not shown."""
    found = node.query(f"#{widget_id}")
    if not found:
        return ""
    widget = found.first()
    return widget.text if isinstance(widget, TextArea) else widget.value
