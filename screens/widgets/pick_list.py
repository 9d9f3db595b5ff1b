"""A form's pick list (a field with `options`): one value from a drop-down, or several ticked in a
list, picked by keyboard (arrows, space or enter) and kept as the text of what was picked, so the
record, its PDF and its export show the words, not a number.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Select, SelectionList
from textual.widgets.selection_list import Selection

from counter_tui.policy.schema import OPTION_SEPARATOR


class PickOne(Select[str]):
    """One of the options, or none yet (a drop-down: enter opens it, arrows move, enter picks)."""

    def __init__(self, widget_id: str, choices: list[str], text: str) -> None:
        self.choices = choices
        super().__init__([(Content(choice), choice) for choice in choices], prompt="Pick one",
                         value=text if text in choices else Select.NULL, allow_blank=True, id=widget_id,
                         classes="field pick-one")


class PickMany(SelectionList[str]):
    """Any number of the options, each ticked with space or enter as the arrows reach it."""

    def __init__(self, widget_id: str, choices: list[str], text: str) -> None:
        self.choices = choices
        chosen = {value.strip() for value in text.split(OPTION_SEPARATOR.strip())}
        super().__init__(*(Selection(Content(choice), choice, choice in chosen) for choice in choices),
                         id=widget_id, classes="field pick-many")


def pick_list(widget_id: str, choices: list[str], text: str, *, many: bool) -> PickOne | PickMany:
    """The widget for an `options` field, showing `text` (a saved draft) as picked."""
    return PickMany(widget_id, choices, text) if many else PickOne(widget_id, choices, text)


def picked_text(widget: Select | SelectionList) -> str:
    """What is picked, as the record stores it: the option's text, several joined in the options' order."""
    if isinstance(widget, SelectionList):
        selected = set(widget.selected)
        return OPTION_SEPARATOR.join(choice for choice in getattr(widget, "choices", widget.selected) if choice in selected)
    return "" if widget.value is Select.NULL or widget.value is None else str(widget.value)
