"""A face-to-face interview: warnings count across interviews, so the bar shows the earlier ones
beside this interview's (HMPO "Customer conduct: face to face interviews")."""

from __future__ import annotations

from textual.content import Content

from counter_tui.screens.contact import ContactScreen


class InterviewScreen(ContactScreen):
    NOTE_TITLE = "Note: what the customer said or did in the interview (ctrl+n; esc back)"

    def channel_facts(self) -> list[Content]:
        total = self.current.facts.earlier_warnings + self.current.state.warnings
        if total < 2:
            return []
        return [Content.from_markup("[b $error]$n warnings so far: continued abuse ends it[/]", n=str(total))]
