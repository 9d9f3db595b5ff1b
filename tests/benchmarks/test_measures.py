"""Control measures at scale: what the start of every contact and every queue read add.

The database is made once in a temporary folder (`COUNTER_BENCH_DIR` to move it) by the real
migrations, then 100,000 customers and 30,000 measures go straight into the tables with
`executemany` (from `random.Random(11)`): one customer in five has a measure, some several; 90% are
live; review dates spread over the two years around today, so about 600 live measures have a review
within the two weeks' notice and no review task yet.

Measured, warm, each over BENCH_RUNS runs (default 200) after warm-up, each case right after its
baseline:

1. `store.measures.for_customer(live_only=True)` — what `measure_record.on_record` reads at the start
   of every contact (and `restricted_here` for the flows' `only_if`) — for a customer with measures
   and one without, against the floor: a bare primary-key `SELECT id FROM customers WHERE id = ?`.
2. `store.measures.reviews_due(by=...)` with nothing due (what `queue.my_queue` pays on every read
   once the reviews are queued: the covering index finds no row), against the same floor; and with
   ~600 due (once, when they are queued).

EXPLAIN QUERY PLAN of each statement is printed. The test asserts facts only (the index is used, the
rows are right), never a time. Run:
    python -m pytest tests/benchmarks/test_measures.py -q -s -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from counter_tui.store import measures as measure_store
from counter_tui.store.connection import Store

CUSTOMERS, MEASURES = 100_000, 30_000
TODAY = date(2026, 12, 1)
RUNS = int(os.environ.get("BENCH_RUNS", "200"))


def _build(path: Path) -> Store:
    store = Store(path)
    db = store.db
    rng = random.Random(11)
    with db.conn:
        db.conn.executemany(
            "INSERT INTO customers (id, name, reference, version, added_at, changed_at, changed_by) VALUES (?,?,?,1,?,?,?)",
            [(f"P-{i:06d}", f"Customer {i}", f"CMS {i:08d}", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", "1")
             for i in range(1, CUSTOMERS + 1)],
        )
        rows = []
        for n in range(1, MEASURES + 1):
            customer = f"P-{rng.randint(1, CUSTOMERS // 5) * 5:06d}"  # every fifth customer
            review = TODAY + timedelta(days=rng.randint(-365, 365))
            status = "live" if rng.random() < 0.9 else "lifted"
            queued = f"T-{n:06d}" if review <= TODAY else None  # reviews already past are queued
            rows.append((f"M-{n:06d}", customer, "Main office", "dwp", rng.choice(["pv_marker", "writing_only"]), "marker",
                         status, "reason", (review - timedelta(days=365)).isoformat(), review.isoformat(), "[]", "7003",
                         "2026-01-01T00:00:00+00:00", "7003", "2026-01-01T00:00:00+00:00", queued))
        db.conn.executemany(
            """INSERT INTO measures (id, customer_id, office, pack, spec, kind, status, reason, starts_on, review_on,
            proposers, set_by, set_at, changed_by, changed_at, review_task_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            rows,
        )
    db.execute("ANALYZE")
    return store


def _time(call, runs: int) -> tuple[float, float]:
    for _ in range(5):
        call()
    laps = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        laps.append((time.perf_counter() - start) * 1000)
    laps.sort()
    return statistics.median(laps), laps[int(len(laps) * 0.95) - 1]


def _plan(db, sql: str, params: list) -> str:
    return " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())


def test_measures_at_the_start_of_a_contact_and_on_the_queue():
    folder = Path(os.environ.get("COUNTER_BENCH_DIR") or tempfile.mkdtemp(prefix="counter-bench-measures-"))
    store = _build(folder / "measures.db")
    db = store.db
    marked = db.execute("SELECT customer_id FROM measures WHERE status = 'live' GROUP BY customer_id "
                        "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    plain = "P-000001"
    floor = lambda: db.execute("SELECT id FROM customers WHERE id = ?", [marked]).fetchone()  # noqa: E731
    notice = TODAY + timedelta(days=14)
    due = measure_store.reviews_due(db, by=notice)
    assert 300 < len(due) < 1200 and all(m.review_task_id is None and m.status == "live" for m in due)
    live = measure_store.for_customer(db, marked, live_only=True)
    assert live and all(m.status == "live" and m.customer_id == marked for m in live)
    assert measure_store.for_customer(db, plain, live_only=True) == []
    print(f"\n{CUSTOMERS:,} customers, {MEASURES:,} measures; {len(due)} reviews due within 14 days; "
          f"the most-marked customer has {len(live)} live")
    print("plan for_customer:", _plan(db, "SELECT id FROM measures WHERE customer_id = ? AND status = 'live'", [marked]))
    print("plan reviews_due: ", _plan(db, "SELECT id FROM measures WHERE status = 'live' AND review_task_id IS NULL "
                                          "AND review_on IS NOT NULL AND review_on <= ?", [notice.isoformat()]))
    assert "USING INDEX measures_customer" in _plan(db, "SELECT id FROM measures WHERE customer_id = ? AND status = 'live'", [marked])
    rows = []
    base = _time(floor, RUNS)
    rows.append(("floor: customer by primary key", base))
    rows.append(("for_customer, a marked customer", _time(lambda: measure_store.for_customer(db, marked, live_only=True), RUNS)))
    rows.append(("for_customer, no measures", _time(lambda: measure_store.for_customer(db, plain, live_only=True), RUNS)))
    queued_all = TODAY - timedelta(days=400)  # nothing due: what every queue read pays once reviews are queued
    rows.append(("reviews_due, none due", _time(lambda: measure_store.reviews_due(db, by=queued_all), RUNS)))
    rows.append(("reviews_due, ~600 due (once)", _time(lambda: measure_store.reviews_due(db, by=notice), max(10, RUNS // 10))))
    print(f"{'case':36} {'median ms':>10} {'p95 ms':>8} {'x floor':>8}")
    for name, (median, p95) in rows:
        print(f"{name:36} {median:10.3f} {p95:8.3f} {median / base[0]:8.1f}")
    store.close()


if __name__ == "__main__":
    test_measures_at_the_start_of_a_contact_and_on_the_queue()
