"""A real terminal for tests: the app runs in a tmux pane, keys and pastes go through the terminal's
input parser as a person's would, and the screen is read back with `capture-pane`.

Each `TmuxTerminal` has a tmux server of its own (a private socket), so tests never see each other or
the developer's sessions. Nothing waits on a fixed sleep: `wait_for` polls the screen against a deadline.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Sequence

import pytest

DEADLINE = 30.0
"""Seconds a wait may take before the test fails (generous: a loaded 2-core machine)."""


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


class TmuxTerminal:
    """One tmux pane running `command` at `width` x `height`."""

    def __init__(self, command: Sequence[str], *, width: int = 100, height: int = 30, env: dict[str, str] | None = None) -> None:
        self.socket = f"counter-test-{uuid.uuid4().hex[:12]}"
        environment = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        line = f"{environment} exec {shlex.join(command)}".strip()
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height), "-s", "app", line)
        self._tmux("set-option", "-t", "app", "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True, check=False)
        return done.stdout

    def keys(self, *keys: str) -> None:
        """tmux key names (`Enter`, `C-p`, `F2`) or literal text with `-l` semantics for plain strings."""
        for key in keys:
            if key[:2] in {"C-", "M-"} or key in {"Enter", "Escape", "Tab", "BSpace", "Up", "Down"} or (key.startswith("F") and key[1:].isdigit()):
                self._tmux("send-keys", "-t", "app", key)
            else:
                self._tmux("send-keys", "-t", "app", "-l", key)

    def paste(self, text: str) -> None:
        """Paste `text` as a terminal does (bracketed, when the app asked for it)."""
        self._tmux("set-buffer", "-b", "test", text)
        self._tmux("paste-buffer", "-p", "-d", "-b", "test", "-t", "app")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "app")

    def alive(self) -> bool:
        return self._tmux("display-message", "-p", "-t", "app", "#{pane_dead}").strip() == "0"

    def wait_for(self, text: str, *, deadline: float = DEADLINE) -> str:
        """The screen once it shows `text`; the test fails with the screen after `deadline` seconds."""
        end = time.monotonic() + deadline
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > end:
                pytest.fail(f"timed out after {deadline:.0f} s waiting for {text!r} on screen:\n{shown}")
            time.sleep(0.05)

    def close(self) -> None:
        self._tmux("kill-server")
