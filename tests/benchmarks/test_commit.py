"""One step's durable commit: `services.contacts.take_step` against a bare SQLite INSERT + COMMIT.

Both on real files in the same temporary folder (so on the same file system), opened the same way
(WAL, synchronous=FULL: every commit is on disk before it returns), timed alternately so a change in
the machine's load or the disk's falls on both alike.

- bare: `BEGIN IMMEDIATE; INSERT` one row the size of a step event `; COMMIT` on a plain sqlite3
  connection.
- take_step: the service a decision key calls: in one BEGIN IMMEDIATE transaction it reads the
  contact and its steps, replays the flow, appends the hash-chained event and updates the
  projections, commits, then reads the contact back for the screen. Every step of the HMPO
  telephone flow's call that is ended after a warning (1, 2, 1), over many contacts.
- view: `contacts.view` alone (the read part, done twice per take_step), to show where time goes.

Prints median and p95 and the ratio to the bare commit; asserts nothing about time. Run:
    python -m pytest tests/benchmarks/test_commit.py -q -s -p no:cacheprovider
    python tests/benchmarks/test_commit.py [STEPS]
Set COUNTER_BENCH_DIR to put the files on another file system (default: the system's temp folder).
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

STEPS = 600
WARM_UP = 15
FLOW, CALL = "telephone", (1, 2, 1)
"""warn -> allow -> tell_end -> ended: three steps per contact."""


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _bare(path: Path) -> tuple[sqlite3.Connection, str]:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, payload TEXT NOT NULL) STRICT")
    payload = json.dumps({
        "contact_id": "C-000001", "position": 1, "step": "warn", "number": 1,
        "label": "I have warned them: allow them to improve",
        "said": ["The call will not continue unless you improve your behaviour."],
        "next": "allow", "immediate_risk": False, "warning": True,
    })
    return conn, payload


def _filesystem(path: Path) -> str:
    """The type of the file system holding `path` (from /proc/mounts, where there is one)."""
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "unknown"
    best = ("", "unknown")
    resolved = str(path.resolve())
    for fields in mounts:
        point, kind = fields[1], fields[2]
        if (resolved == point or resolved.startswith(point.rstrip("/") + "/")) and len(point) > len(best[0]):
            best = (point, kind)
    return f"{best[1]} at {best[0]}"


def run(steps: int = STEPS) -> dict[str, list[float]]:
    from counter_tui.models.staff import Actor
    from counter_tui.services import contacts, staff
    from counter_tui.services.context import Context

    times: dict[str, list[float]] = {"bare": [], "take_step": [], "view": []}
    with tempfile.TemporaryDirectory(prefix="counter-bench-", dir=os.environ.get("COUNTER_BENCH_DIR")) as tmp:
        folder = Path(tmp)
        conn, payload = _bare(folder / "bare.db")
        ctx = Context.open(folder / "counter.db")
        office = ctx.settings.offices[0]
        staff.add_staff(ctx, number="1001", name="Sam Okafor", role="call_handler", office=office, pin="123427")
        actor = Actor(number="1001", name="Sam Okafor", role="call_handler", office=office)
        try:
            total = steps + WARM_UP
            taken = 0
            while taken < total:
                contact_id = contacts.start_contact(ctx, actor, FLOW)
                for number in CALL:
                    at_step = contacts.view(ctx, contact_id).step.id  # what the screen shows: not timed

                    t0 = time.perf_counter()
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("INSERT INTO events (at, payload) VALUES (?, ?)", ["2026-11-25T09:00:00.000000Z", payload])
                    conn.execute("COMMIT")
                    t1 = time.perf_counter()
                    contacts.take_step(ctx, actor, contact_id, number, at_step=at_step)
                    t2 = time.perf_counter()
                    contacts.view(ctx, contact_id)
                    t3 = time.perf_counter()

                    times["bare"].append(t1 - t0)
                    times["take_step"].append(t2 - t1)
                    times["view"].append(t3 - t2)
                    taken += 1
            stored = ctx.store.db.execute("SELECT count(*) FROM events WHERE kind = 'step.taken'").fetchone()[0]
            if stored != taken:
                raise AssertionError(f"{stored} steps stored for {taken} taken")
            mode = ctx.store.db.execute("PRAGMA journal_mode").fetchone()[0], ctx.store.db.execute("PRAGMA synchronous").fetchone()[0]
            where = _filesystem(folder)
        finally:
            conn.close()
            ctx.store.close()

    for name in times:
        times[name] = times[name][WARM_UP:]
    base = statistics.median(times["bare"])
    n = len(times["take_step"])
    print(f"\nDurable commit of one step, {n} each (alternating), {n // len(CALL)} contacts; "
          f"files on {where}; counter's journal_mode={mode[0]}, synchronous={mode[1]} (2 = FULL)")
    print(f"{'':52}{'median ms':>10}{'p95 ms':>10}{'ratio':>8}")
    labels = {
        "bare": "bare INSERT + COMMIT (WAL, FULL)",
        "take_step": "contacts.take_step (read, append, commit, read)",
        "view": "  contacts.view alone (the read, x2 in take_step)",
    }
    for name, label in labels.items():
        samples = times[name]
        median = statistics.median(samples)
        print(f"{label:52}{median * 1000:10.3f}{p95(samples) * 1000:10.3f}{median / base:8.1f}")
    return times


def test_commit() -> None:
    """On demand only (tests/benchmarks is not collected by default); prints, never asserts timings."""
    steps = int(os.environ.get("BENCH_STEPS", STEPS))
    times = run(steps)
    assert len(times["take_step"]) >= steps


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else STEPS)
