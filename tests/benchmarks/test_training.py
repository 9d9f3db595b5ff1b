"""Training: starting an attempt (a practice database from the room's template, the customer's
earlier contacts, the contact started), scoring it, and the trainer's group view of a session with
40 attempts, each against a bare baseline measured in the same run.

| row | what is timed |
| --- | --- |
| bare copy + open | the floor under a practice database: the template file copied and opened, one read |
| migrate a new database | what each attempt would cost without the template: Counter's migrations on a new file |
| training.start | an attempt begun: the copy, the pack checked, two earlier interviews set up, the contact started |
| bare replay | the floor under scoring: the engine replays the attempt's choices |
| scoring.score | the attempt scored against the scenario's required path, criterion by criterion |
| bare attempts read | the floor under the group view: the session's 40 rows read |
| training.group | the trainer's view: the rows, their scores parsed, the points missed most counted |

Prints medians and ratios; asserts only facts (full marks on the required path), never a time. Run:
    python -m pytest tests/benchmarks/test_training.py -q -s -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

RUNS = 15
SCENARIO = "hmpo_interview_third_admin_refusal"


def median_ms(work, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def test_training_benchmark():
    from counter_tui.policy import engine
    from counter_tui.policy.loader import load_pack
    from counter_tui.policy.scenario import load_scenario
    from counter_tui.policy.scenario_check import required_path
    from counter_tui.policy.scoring import score
    from counter_tui.services import training
    from counter_tui.store.connection import Store

    folder = Path(tempfile.mkdtemp(prefix="counter-bench-training-"))
    try:
        room = training.Room.open(folder)
        first = training.start(room, "Warm Up", SCENARIO)  # makes the room's template
        training.finish(room, first)
        template = folder / "practice" / "template.db"
        n = iter(range(10_000))

        def bare_copy():
            target = folder / f"bare-{next(n)}.db"
            shutil.copyfile(template, target)
            with sqlite3.connect(target) as conn:
                conn.execute("SELECT count(*) FROM contacts").fetchone()

        def migrate_new():
            store = Store(folder / f"new-{next(n)}.db")
            store.db
            store.close()

        practices = []
        rows = {
            "bare copy + open": median_ms(bare_copy),
            "migrate a new database": median_ms(migrate_new, 5),
            "training.start": median_ms(lambda: practices.append(training.start(room, "Ann Lee", SCENARIO))),
        }
        scenario, pack = load_scenario(SCENARIO), load_pack("hmpo")
        practice = practices[0]
        path = required_path(pack, scenario)
        for decision in path.decisions:
            from counter_tui.services import contacts

            contacts.take_step(practice.ctx, practice.actor, practice.contact_id, decision.number,
                               at_step=decision.step.id)
        facts = training.attempt_facts(practice)
        numbers = [t.number for t in facts.taken]
        rows["bare replay"] = median_ms(lambda: engine.replay(pack, scenario.flow, numbers), 200)
        rows["scoring.score"] = median_ms(lambda: score(pack, scenario, facts), 200)
        assert all(c.passed for c in score(pack, scenario, facts).criteria if c.kind in ("decision", "warnings"))

        session = training.open_session(room, "Jo Trainer", SCENARIO)
        for i in range(40):
            attempt = training.start(room, f"Trainee {i}", SCENARIO, session_id=session)
            training.finish(room, attempt)
        db = room.store.db
        rows["bare attempts read"] = median_ms(
            lambda: db.execute("SELECT * FROM attempts WHERE session_id = ?", [session]).fetchall(), 100)
        rows["training.group"] = median_ms(lambda: training.group(room, session), 100)
        assert len(training.group(room, session).attempts) == 40

        floors = {"migrate a new database": "bare copy + open", "training.start": "bare copy + open",
                  "scoring.score": "bare replay", "training.group": "bare attempts read"}
        print()
        for name, ms in rows.items():
            ratio = f"  ({ms / rows[floors[name]]:.1f}x {floors[name]})" if name in floors else ""
            print(f"{name:<26} {ms:9.3f} ms{ratio}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
