"""Snapshots of what each pack shows that the others do not, at 80x24 and 120x40 on a clock that stands
still: the procedure in force (HMPO, the top of the screen), the council's choice between the
low-level and the Health and Safety Incident form, and the DWP caseworker's record of the instance.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.services import demo
from counter_tui.services.context import Context
from tests.conftest import START, make_context

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
CALL_HANDLER = [*"1001", "enter", *"123427", "enter"]
AMY = [*"8001", "enter", *"812327", "enter"]
"""The council demo's member of staff at reception."""
KIM = [*"7001", "enter", *"712327", "enter"]
"""The DWP demo's caseworker."""
UNNAMED_CALL = ["1", "enter"]
"""A telephone call (the first flow of each pack), started before the caller is named."""


@pytest.fixture(scope="module")
def demo_databases(tmp_path_factory) -> dict[str, Path]:
    """Each pack's demo database, filled once for the module: both sizes start from a copy."""
    return {"dir": tmp_path_factory.mktemp("demo")}


def demo_context(tmp_path: Path, filled: dict[str, Path], policy: str) -> Context:
    """The pack's demo (`counter demo --policy POLICY`) on a copy of its database, on a clock that stands still."""
    settings = demo.settings(None, policy)
    if policy not in filled:
        filled[policy] = filled["dir"] / f"{policy}.db"
        ctx = Context.open(filled[policy], settings, clock=FixedClock(START))
        demo.fill(ctx, START)
        ctx.store.close()  # the only connection: the WAL is checkpointed into the file
    shutil.copyfile(filled[policy], tmp_path / f"{policy}.db")
    return Context.open(tmp_path / f"{policy}.db", settings, clock=FixedClock(START))


@pytest.mark.parametrize("size", SIZES)
def test_the_procedure_in_force_opens_on_its_source_and_review_notes(snap_compare, tmp_path, size):
    """Guards the top of the procedure view: the pack's name, organisation and source, then the review
    notes under their heading for administrators."""
    app = CounterApp(make_context(tmp_path / "counter.db", FixedClock(START)))
    assert snap_compare(app, press=[*CALL_HANDLER, "i"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_council_which_incident_form(snap_compare, tmp_path, demo_databases, size):
    """Guards the council's step after a call ended for aggressive behaviour (6.1; 13.1): report to the
    line manager on the low-level incident form or the Health and Safety Incident form."""
    ctx = demo_context(tmp_path, demo_databases, "council")
    # aggressive or abusive -> the attempt to diffuse failed -> they did not modify -> the call is ended
    keys = [*AMY, *UNNAMED_CALL, "2", "2", "2", "1"]
    assert snap_compare(CounterApp(ctx), press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_dwp_record_of_the_instance(snap_compare, tmp_path, demo_databases, size):
    """Guards the DWP caseworker's record of the instance (6-9) after a call ended for unacceptable
    behaviour, prefilled from the call, with the police question."""
    ctx = demo_context(tmp_path, demo_databases, "dwp")
    # unacceptable customer behaviour -> not transferred: the call ended
    assert snap_compare(CounterApp(ctx), press=[*KIM, *UNNAMED_CALL, "2", "2"], terminal_size=size)
