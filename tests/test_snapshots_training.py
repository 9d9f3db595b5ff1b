"""Snapshots of training at 80x24 and 120x40: the brief, the scenario on the real contact screen
(the customer's lines above the step, TRAINING round the screen), the score and debrief of an
attempt that ended without the required warning, and the trainer's view of a group.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import pytest

from counter_tui.services import training
from counter_tui.screens.training.app import TrainingApp
from tests.training_helpers import room

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
BRIEF = [*"Ann Lee", "enter", "enter"]


@pytest.fixture
def app(tmp_path) -> TrainingApp:
    return TrainingApp(room(tmp_path, tick=None), scenario="hmpo_phone_abuse_ends", line_speed=0)


@pytest.mark.parametrize("size", SIZES)
def test_the_brief(snap_compare, app, size):
    assert snap_compare(app, press=BRIEF, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_customer_speaks_above_the_step(snap_compare, app, size):
    assert snap_compare(app, press=[*BRIEF, "enter", "1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_score_of_an_attempt_ended_without_a_warning(snap_compare, app, size):
    keys = [*BRIEF, "enter", "2", *"Refused to serve him.", "ctrl+s", "enter"]
    assert snap_compare(app, press=keys, terminal_size=size)


def test_the_trainers_view_of_a_group(snap_compare, tmp_path):
    shared = room(tmp_path, tick=None)
    session_id = training.open_session(shared, "Jo Trainer", "hmpo_phone_abuse_ends")
    for name in ("Ann Lee", "Bob Ray"):
        practice = training.start(shared, name, "hmpo_phone_abuse_ends", session_id=session_id)
        training.finish(shared, practice)  # stopped at once: nothing done
    app = TrainingApp(shared, trainer=True)
    assert snap_compare(app, press=[*"Jo Trainer", "enter", "s", "enter"], terminal_size=(120, 40))
