"""The public counter: what the office has (an internal post box, security guards) decides what the
EO counter manager may offer, so the bar shows it (HMPO "abusive customers in a public facing area")."""

from __future__ import annotations

from counter_tui.screens.contact import ContactScreen


class CounterScreen(ContactScreen):
    NOTE_TITLE = "Note: what the customer said or did at the counter (ctrl+n; esc back)"
