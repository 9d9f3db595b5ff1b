"""Shared by the training tests: a training room on a fixed clock, and playing a scenario at the
keyboard of the training app (well: the required path; badly: another choice at the first moment
that has one)."""

from __future__ import annotations

from pathlib import Path

from counter_tui.clock import FixedClock
from counter_tui.policy import engine
from counter_tui.policy.loader import load_pack
from counter_tui.policy.scenario import IMMEDIATE_RISK, Scenario
from counter_tui.policy.scenario_check import facts_for, required_path
from counter_tui.services import training
from tests.conftest import START

from datetime import timedelta


def room(folder: Path, tick: timedelta | None = timedelta(seconds=2)) -> training.Room:
    """A training room whose clock moves on `tick` at every reading (None: stands still, for
    snapshots: the contact screen reads the clock every second)."""
    return training.Room.open(folder, FixedClock(START, tick=tick) if tick else FixedClock(START))


def well(scenario: Scenario) -> list[str]:
    """The steps each required choice leads to ("immediate_risk" for key 0)."""
    pack = load_pack(scenario.pack)
    return [IMMEDIATE_RISK if d.number == 0 else d.next for d in required_path(pack, scenario).decisions]


def badly(scenario: Scenario) -> tuple[list[str], str]:
    """A path that leaves the required one at its first moment with another way on, then takes the
    first offered choice at each step; and the required choice's label it missed."""
    pack = load_pack(scenario.pack)
    flow = pack.flow(scenario.flow)
    facts = facts_for(pack, scenario)
    state, path, visited, missed = engine.start(pack, flow.id), [], [], None
    while not flow.step(state.step_id).is_final and len(path) < 30:
        step = flow.step(state.step_id)
        offered = engine.offered(step, facts)
        moment = scenario.moment_at(step.id, visited)
        number = offered[0][0]
        if missed is None and moment is not None:
            others = [n for n, c in offered if c.next != moment.expect]
            if moment.expect == IMMEDIATE_RISK:
                others = [n for n, _ in offered]
            elif not others and flow.immediate_risk is not None:  # the one way on is right: key 0 is the wrong one
                others = [engine.IMMEDIATE_RISK]
            if others:
                number = others[0]
                missed = next((c.label for c in step.choices if c.next == moment.expect), flow.immediate_risk.label
                              if moment.expect == IMMEDIATE_RISK and flow.immediate_risk else moment.expect)
        elif moment is not None:
            number = next((n for n, c in offered if c.next == moment.expect), number)
        decision = engine.choose(pack, state, number, facts)
        path.append(decision.after.step_id)
        visited.append(step.id)
        state = decision.after
    return path, missed


def key_for(current, target: str) -> str:
    """The key the contact screen shows for the choice leading to `target`."""
    if target == IMMEDIATE_RISK:
        return "0"
    for key, (_, choice) in enumerate(current.offered, 1):
        if choice.next == target:
            return str(key)
    raise AssertionError(f"no choice to {target} at {current.step.id}")


async def play(pilot, app, scenario: Scenario, path: list[str], note: str) -> None:
    """From the brief: start, take each choice by its key, save the record, see the score.

    The decisions are key presses; the note and the record's empty fields are filled in directly
    (typing them key by key is tested elsewhere and would make sixteen scenarios slow to play)."""
    from counter_tui.screens.record import RecordScreen

    from counter_tui.screens.dialogs.prepare import PrepareDialog

    await pilot.press("enter")
    await pilot.pause()
    if isinstance(app.screen, PrepareDialog):  # an interview: the earlier case notes and incidents first
        await pilot.press("enter")
        await pilot.pause()
    app.screen.query_one("#note").load_text(note)
    app.screen.save_typing()
    for target in path:
        await pilot.press(key_for(app.screen.current, target))
    assert isinstance(app.screen, RecordScreen), type(app.screen).__name__
    for field in app.screen.query(".field"):
        if hasattr(field, "choices"):  # a pick list (optional in the packs): left as it is
            continue
        if hasattr(field, "load_text"):
            if not field.text:
                field.load_text("Practice")
        elif isinstance(field.value, str) and not field.value:  # a checkbox (a yes/no question) is left as it is
            field.value = "2026-12-03 10:00" if field.placeholder.startswith("YYYY") else "Practice"
    await pilot.press("ctrl+s")
    await pilot.press("enter")  # the summary: done
