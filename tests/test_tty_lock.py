"""The lock screen and typing ahead in a real terminal (issue 17.1, 17.6): keys go through the terminal's
input parser, which Pilot bypasses.

The app runs in a tmux pane on a database of its own. A number and PIN typed the moment the app starts
sign that member in; on a locked terminal ctrl+p opens no palette and ctrl+q does not quit.
"""

from __future__ import annotations

import sys

import pytest

from tests.conftest import make_context
from tests.tmux_terminal import TmuxTerminal, tmux_available

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not tmux_available(), reason="needs tmux")]


@pytest.fixture
def terminal(tmp_path, clock):
    path = tmp_path / "counter.db"
    make_context(path, clock)
    term = TmuxTerminal([sys.executable, "-m", "counter_tui", "--db", str(path)],
                        env={"COUNTER_CONFIG": str(tmp_path / "none.toml")})
    yield term
    term.close()


def test_typed_ahead_then_locked_the_palette_and_quit_are_refused(terminal):
    """GIVEN the app just started WHEN "1001", Enter, the PIN and Enter are typed at once THEN the call
    handler is signed in; WHEN f2 locks and ctrl+p, ctrl+q are pressed THEN the lock screen stays, no
    palette, and the app is still running."""
    terminal.keys("1001", "Enter", "123427", "Enter")  # before the first paint
    terminal.wait_for("Signed in as Sam Okafor")
    terminal.keys("F2")
    terminal.wait_for("Locked")
    terminal.keys("C-p")
    terminal.keys("C-q")
    terminal.keys("C-g")
    terminal.keys("0")  # a fact to wait for: the digit typed reaches the lock screen's field, after the keys above
    shown = terminal.wait_for("The terminal is locked")  # the refusal of ctrl+q (the toast wraps)
    assert "Search for commands" not in shown and "Locked" in shown
    assert terminal.alive()
    terminal.keys("C-u", "1001", "Enter", "123427", "Enter")
    terminal.wait_for("Signed in as Sam Okafor")
