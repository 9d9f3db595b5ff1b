"""A telephone call: the shared guided steps, the note of what the caller said."""

from __future__ import annotations

from counter_tui.screens.contact import ContactScreen


class TelephoneScreen(ContactScreen):
    NOTE_TITLE = "Note: what the caller said or did (ctrl+n; esc back to choices)"
