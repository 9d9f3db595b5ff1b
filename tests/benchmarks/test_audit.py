"""The audit check on 1,000,000 events: the full `verify` and the app's incremental start-up check,
against bare reads of the same rows measured in the same run.

The database is built once in a temporary folder (`COUNTER_BENCH_DIR` to move it): migrations, then
1,000,000 hash-chained events in one transaction (step, note and task events of realistic size,
over 100,000 contact streams, each with its payload digest and chained hash), the audit checkpoint
set to the head as if the app had started before, then 10 new events (a short call) after it.

| row | what is timed |
| --- | --- |
| bare scan, all events | the floor under a full verify: every event's columns read in order, no hashing |
| events.verify (full) | `counter audit verify`'s work: every payload digest and chained hash recomputed |
| bare scan, budget rows | the floor under the start-up check: `STARTUP_BUDGET` (20,000) rows read, no hashing |
| startup_check, count only | the start-up check without its time limit: the checkpoint's event, the 10 new events, a sweep of older ones to 20,000 in all, the checkpoint saved (a durable commit) |
| audit.startup_check | what the app runs at start: the same, stopped after about `STARTUP_SECONDS` (50 ms); how many events it covered is printed |
| bare head read + commit | the floor under the incremental part: the newest event read and one durable commit (`BEGIN IMMEDIATE`, an UPDATE of the checkpoint row, `COMMIT`) in plain SQL on the same connection |
| startup_check, no sweep | the start-up check with the budget cut to the new events: the checkpoint's event, what is new, the checkpoint saved |

Prints medians and ratios to the bare rows; asserts only that the chain holds, never a time. Run:
    python -m pytest tests/benchmarks/test_audit.py -q -s -p no:cacheprovider -o addopts=""
    python tests/benchmarks/test_audit.py [RUNS]
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

EVENTS = int(os.environ.get("BENCH_EVENTS", 1_000_000))
"""How many events to build (BENCH_EVENTS for a quicker, smaller run)."""
NEW = 10
FULL_RUNS, START_RUNS = 3, 20


def build_database(folder: Path, count: int = EVENTS) -> tuple[Path, float]:
    """The database with `count` chained events and the checkpoint at the head, then `NEW` more."""
    from datetime import UTC, datetime, timedelta

    from counter_tui.clock import iso
    from counter_tui.store import events
    from counter_tui.store.connection import Store, write

    started = time.perf_counter()
    path = folder / "audit.db"
    store = Store(path)
    db = store.db
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    prev = events.GENESIS
    with write(db):
        batch = []
        for seq in range(1, count + 1):
            contact = f"C-{seq // 10:06d}"
            kind, payload = _event(seq, contact)
            text = events.canonical(payload)
            digest = events.payload_digest(text)
            at = iso(moment + timedelta(seconds=seq))
            own = events.chain_hash(seq, at, "1001", "call_handler", kind, f"contact:{contact}", digest, prev)
            batch.append((seq, at, "1001", "call_handler", kind, f"contact:{contact}", text, digest, prev, own))
            prev = own
            if len(batch) == 10_000:
                db.conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
                batch = []
        db.conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
        events.save_checkpoint(db, events.head(db), 0, moment)
    with write(db):
        for n in range(NEW):
            kind, payload = _event(count + 1 + n, "C-999999")
            events.append(db, at=moment + timedelta(days=400, seconds=n), actor="1001", role="call_handler",
                          kind=kind, stream="contact:C-999999", payload=payload)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path, time.perf_counter() - started


def _event(seq: int, contact: str) -> tuple[str, dict]:
    if seq % 10 == 0:
        return "note.saved", {"contact_id": contact, "text": "Swore at me twice and said he would sort me out. " * 3,
                              "version": seq % 7}
    if seq % 10 == 9:
        return "task.done", {"task_id": f"T-{seq:07d}", "note": "Called back; calm.", "contact_id": None}
    return "step.taken", {"contact_id": contact, "position": seq % 10, "step": "warn", "number": 1,
                          "label": "I have warned them: allow them to improve", "next": "allow",
                          "said": ["The call will not continue unless you improve your behaviour."],
                          "immediate_risk": False, "warning": True}


def _median(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), result


def measure(path: Path, full_runs: int = FULL_RUNS, start_runs: int = START_RUNS) -> dict:
    from counter_tui.services import audit
    from counter_tui.store import events
    from counter_tui.store.connection import Store

    store = Store(path)
    db = store.db
    columns = "seq, at, actor, role, kind, stream, payload, payload_sha256, prev_hash, hash"

    def scan(limit: int) -> int:
        return sum(1 for _ in db.execute(f"SELECT {columns} FROM events ORDER BY seq LIMIT ?", [limit]))

    def reset_checkpoint() -> None:  # back to "the app last started before the 10 new events"
        with __import__("counter_tui.store.connection", fromlist=["write"]).write(db):
            db.execute("UPDATE audit_checkpoint SET head_seq = ?, head_hash = (SELECT hash FROM events WHERE seq = ?)",
                       [EVENTS, EVENTS])

    figures: dict[str, float] = {}
    scan(-1)  # warm the page cache
    figures["bare scan, all events"], _ = _median(full_runs, lambda: scan(-1))
    figures["events.verify (full)"], result = _median(full_runs, lambda: events.verify(db))
    assert result[1] is None and result[0] == EVENTS + NEW
    budget = audit.STARTUP_BUDGET
    samples: dict[str, list[float]] = {name: [] for name in (
        "bare scan, budget rows", "startup_check, count only", "audit.startup_check", "bare head read + commit",
        "startup_check, no sweep")}
    covered = []

    def timed(name: str, work: Callable[[], object]) -> object:
        t0 = time.perf_counter()
        result = work()
        samples[name].append(time.perf_counter() - t0)
        return result

    for _ in range(start_runs):  # alternately, so a change in the machine's load falls on every row alike
        timed("bare scan, budget rows", lambda: scan(budget))
        reset_checkpoint()
        assert timed("startup_check, count only", lambda: audit.startup_check(store, seconds=None)) is None
        reset_checkpoint()
        before = events.read_checkpoint(db)[1]
        assert timed("audit.startup_check", lambda: audit.startup_check(store)) is None
        after = events.read_checkpoint(db)[1]
        covered.append(NEW + (after - before if after > before else EVENTS - before + after))
        timed("bare head read + commit", lambda: _bare_commit(db.conn))
        reset_checkpoint()
        assert timed("startup_check, no sweep", lambda: audit.startup_check(store, budget=NEW)) is None
    store.close()
    figures.update({name: statistics.median(values) for name, values in samples.items()})
    figures["events per start"] = statistics.median(covered)
    return figures


def _bare_commit(conn: sqlite3.Connection) -> None:
    """The newest event read and one durable commit, in plain SQL on the same connection."""
    conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE audit_checkpoint SET checked_at = ? WHERE id = 1", [str(time.time())])
    conn.execute("COMMIT")


def report(built: float, size: int, figures: dict[str, float]) -> None:
    from counter_tui.services import audit

    print(f"\nbuilt {EVENTS:,} events (+{NEW} after the checkpoint) in {built:.1f} s; file {size / 2**20:.0f} MiB;"
          f" start-up budget {audit.STARTUP_BUDGET:,} events")
    per_start = figures.pop("events per start")
    base_of = {"events.verify (full)": "bare scan, all events", "startup_check, count only": "bare scan, budget rows",
               "startup_check, no sweep": "bare head read + commit"}
    print(f"{'row':32}{'median':>12}{'x bare':>10}")
    for name, seconds in figures.items():
        ratio = f"{seconds / figures[base_of[name]]:>9.1f}x" if name in base_of else ""
        print(f"{name:32}{seconds * 1000:>10.2f} ms{ratio}")
    per = figures["events.verify (full)"] / (EVENTS + NEW) * 1e6
    print(f"full verify: {per:.2f} µs per event. The start-up check (at most {audit.STARTUP_SECONDS * 1000:.0f} ms or "
          f"{audit.STARTUP_BUDGET:,} events) checked {per_start:,.0f} events per start: every event once in "
          f"{(EVENTS + NEW) / per_start:,.0f} starts")


@pytest.fixture(scope="module")
def database():
    with tempfile.TemporaryDirectory(prefix="counter-bench-audit-", dir=os.environ.get("COUNTER_BENCH_DIR")) as tmp:
        path, built = build_database(Path(tmp))
        yield path, built


def test_audit(database) -> None:
    """Prints the figures; asserts only that the chain holds and the checks pass, never a time."""
    path, built = database
    figures = measure(path, start_runs=int(os.environ.get("BENCH_RUNS", START_RUNS)))
    report(built, path.stat().st_size, figures)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    with tempfile.TemporaryDirectory(prefix="counter-bench-audit-", dir=os.environ.get("COUNTER_BENCH_DIR")) as tmp:
        built_path, seconds = build_database(Path(tmp))
        runs = int(sys.argv[1]) if len(sys.argv) > 1 else START_RUNS
        report(seconds, built_path.stat().st_size, measure(built_path, start_runs=runs))
