"""Written communications: the note holds the extract, and the bar what arrived and the kind of abuse
as recorded (HMPO "Customer conduct: abusive written communications")."""

from __future__ import annotations

from textual.content import Content

from counter_tui.screens.contact import ContactScreen


class WrittenScreen(ContactScreen):
    NOTE_TITLE = "The extract: the abusive words as written (ctrl+n; esc back)"

    def channel_facts(self) -> list[Content]:
        """What was recorded before any warning: the document and the kind of abuse."""
        recorded = []
        for taken in self.current.taken:
            if self.current.flow.step(taken.step).say:
                break
            recorded.append(Content(taken.label.split(":")[0].split(" (")[0]))
        return recorded
