"""The audit check: is the event log's hash chain whole? Needs only the database, never the pack.

`verify` is the judge: the whole chain, every blanked payload against the retention run that
lists it, the re-base of the chain (migration m012), the audit checkpoint, the published head file
and any anchors given; that each retention run was due (`audit_retention`); and that the tables the
services trust say what the events say (`audit_projections`). `head` is the anchor to keep apart
from the database (printed on the incident report form, written by `counter audit head --out`, and
to `[audit] head_file` after every write). `startup_check` is the quick check the app runs at
every start (see its docstring for what it does and does not see).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from counter_tui.config import RetentionSettings
from counter_tui.services import audit_projections, audit_retention
from counter_tui.services.errors import StoreError
from counter_tui.store import events
from counter_tui.store import head_file as head_files
from counter_tui.store.connection import Store, write
from counter_tui.store.events import Anchor, ChainBreak

STARTUP_BUDGET = 20_000
"""Events the start-up check reads at most: new events first, the rest of the budget sweeps older ones."""
STARTUP_SECONDS = 0.05
"""And for at most about this long, however fast the machine (tests/benchmarks/test_audit.py)."""


@dataclass(frozen=True)
class AuditResult:
    checked: int
    problem: str | None
    """The first break, naming its event, or None when the chain holds."""
    differences: tuple[str, ...] = ()
    """Projection rows that do not say what the events say (table, row, column), when any."""


def verify(store: Store, anchors: Iterable[Anchor] = (), *, now: datetime | None = None,
           schedule: RetentionSettings | None = None, head_file: Path | None = None) -> AuditResult:
    """Check the whole chain, then the re-base record, the audit checkpoint, the published head and
    each anchor; then that every retention run was due (under `schedule`, the `[retention]` in force,
    when given) and none is dated after `now` (when given, or when `schedule` is: then the time of
    the check); then rebuild the projections from the events and compare them with the tables.

    A checkpoint that vanished while the log has events is a problem until an anchor or the head
    file proves where the record ends (deleting both the newest events and the checkpoint would
    otherwise leave a shorter chain that holds). When everything holds, the checkpoint moves to the
    head (best effort: a busy or read-only database is left as it is), and so does the head file.
    """
    db = store.db
    anchors = list(anchors)
    checked, broken = events.verify(db, anchors)
    broken = broken or _rebased_from_a_broken_chain(db) or _checkpoint_lost(db)
    if broken:
        return AuditResult(checked=checked, problem=str(broken))
    published = head_files.compare(db, head_file) if head_file else None
    if published:
        return AuditResult(checked=checked, problem=published)
    saved = events.read_checkpoint(db)
    proven = bool(anchors) or (head_file is not None and head_files.read(head_file) is not None)
    if saved is None and checked and not proven:
        return AuditResult(checked=checked, problem=MISSING_CHECKPOINT)
    purge = audit_retention.unproven(db, schedule, now or (datetime.now(UTC) if schedule is not None else None))
    if purge:
        return AuditResult(checked=checked, problem=str(purge))
    found = audit_projections.differences(db)
    if found:
        return AuditResult(checked=checked, differences=tuple(map(str, found)),
                           problem=f"{len(found)} place(s) in the tables differ from what the events say "
                                   f"(first: {found[0]})")
    newest = events.head(db)
    _save(store, newest or Anchor(0, events.GENESIS), saved[1] if saved else 0, now)
    if head_file and newest:
        _publish(head_file, newest)
    return AuditResult(checked=checked, problem=None)


MISSING_CHECKPOINT = ("the audit checkpoint is missing while the log has events: events may have been deleted "
                      "from the end; give an anchor kept apart from the database (--anchor SEQ:HASH, or "
                      "[audit] head_file) to prove where the record ends")


def publish(store: Store, head_file: Path | None) -> None:
    """Rewrite `head_file` with the chain head after every write to this database from now on."""
    head_files.publish_to(store.path, head_file)


def _publish(path: Path, anchor: Anchor) -> None:
    try:
        head_files.write(path, anchor)
    except OSError:
        pass  # the next start says the file is behind


def head(store: Store) -> Anchor | None:
    """The chain's newest event as an anchor (None on an empty log)."""
    return events.head(store.db)


def startup_check(store: Store, *, budget: int = STARTUP_BUDGET, seconds: float | None = STARTUP_SECONDS,
                  now: datetime | None = None, head_file: Path | None = None) -> str | None:
    """The check run at every start: the message for a warning banner, or None when nothing is wrong.

    A full verify reads every event (12 s for 1,000,000 on the 2-core development machine), far
    too slow for a start, so this one is incremental and bounded: at most `budget` events and about
    `seconds` (None: no time limit): 52 ms on that log, 0.5 ms of it for the checkpoint and the
    events since (tests/benchmarks/README.md). The table `audit_checkpoint` remembers the
    last event verified (seq and hash) and how far a sweep over older events has got. Each start:

    1. the checkpoint's event must still be in the log with the same hash: deleting events from the
       end, or rewriting anything up to the checkpoint and re-hashing forward, is caught here;
    2. the events after it are verified link by link from that hash (new events since last time;
       if there are more than the budget allows, the rest next time);
    3. what is left of the budget verifies the next slice of older events from the sweep's place,
       so every event is re-checked in turn (about 4,900 events a start: 1,000,000 in 205 starts).

    Then the checkpoint moves on (not when anything is wrong, so the warning stays). An event
    altered without re-hashing, behind the checkpoint, is caught when the sweep reaches it, not at
    once; an attacker who edits the checkpoint table as well as the log only makes the next full
    `counter audit verify` (and any printed anchor) the judge: run it regularly (nightly, say). A
    missing checkpoint row, while the log has events, is itself a warning until a full verify
    passes with an anchor.

    With `head_file` (`[audit] head_file`), the database is first compared with the head published
    there (behind it or forked from it: a warning, whatever the checkpoint says), and from then on
    every write to the database rewrites it (`publish`).

    It writes the checkpoint (a short transaction; skipped if the database is busy), so it may run
    in a thread worker after the first paint: each thread has its own connection (`Store.db`).
    """
    db = store.db
    if head_file is not None:
        published = head_files.compare(db, head_file)
        if published:
            return f"The record may have been tampered with: {published}. Run `counter audit verify` and tell an administrator."
        publish(store, head_file)
    saved = events.read_checkpoint(db)
    if saved is None:
        if events.head(db) is None:
            return None
        return ("The audit checkpoint is missing, so events deleted from the end would not show: run "
                "`counter audit verify --anchor SEQ:HASH` with an anchor kept apart from the database.")
    anchor, sweep = saved
    deadline = None if seconds is None else time.monotonic() + seconds
    if anchor.seq > 0:
        broken = events.check_anchor(db, anchor, "the audit checkpoint")
        if broken:
            return _banner(broken)
    new = events.walk(db, anchor if anchor.seq > 0 else None, budget, deadline=deadline)
    if new.broken:
        return _banner(new.broken)
    left = budget - new.checked
    verified = new.last or anchor
    if left > 0 and verified.seq > 0 and (deadline is None or time.monotonic() < deadline):
        start = None if sweep <= 0 else _anchor_at(db, min(sweep, verified.seq))
        older = events.walk(db, start, min(left, verified.seq - (start.seq if start else 0)), deadline=deadline)
        if older.broken:
            return _banner(older.broken)
        reached = older.last.seq if older.last else 0
        sweep = 0 if reached >= verified.seq else reached
    _save(store, verified, sweep, now)
    if head_file is not None:
        _publish_if_behind(db, head_file)
    return None


def _publish_if_behind(db, path: Path) -> None:
    """Bring a head file that matched (checked above) up to the database's head."""
    newest = events.head(db)
    try:
        published = head_files.read(path)
    except ValueError:
        return
    if newest and (published is None or published.seq < newest.seq):
        _publish(path, newest)


def _banner(broken: ChainBreak) -> str:
    return f"The record may have been tampered with ({broken}). Run `counter audit verify` and tell an administrator."


def _anchor_at(db, seq: int) -> Anchor | None:
    row = db.execute("SELECT seq, hash FROM events WHERE seq = ?", [seq]).fetchone()
    return Anchor(row[0], row[1]) if row else None


def _save(store: Store, verified: Anchor, sweep: int, now: datetime | None) -> None:
    try:
        with write(store.db) as db:
            events.save_checkpoint(db, verified, sweep, now or datetime.now(UTC))
    except StoreError:
        pass  # busy or read-only: the next check starts from the older checkpoint


def _rebased_from_a_broken_chain(db) -> ChainBreak | None:
    """A re-base (migration m012) of a chain that was already broken stays a break for good."""
    for seq, at, payload in db.execute("SELECT seq, at, payload FROM events WHERE kind = ? ORDER BY seq",
                                       [events.REBASE_KIND]):
        previous = json.loads(payload).get("previous_chain", "held") if payload != events.PURGED_TEXT else "held"
        if previous != "held":
            return ChainBreak(seq, f"when the chain was re-based at {at}, the old chain was already {previous}")
    return None


def _checkpoint_lost(db) -> ChainBreak | None:
    """The checkpoint is an anchor too: its event must still be there with its hash."""
    saved = events.read_checkpoint(db)
    if saved is None or saved[0].seq <= 0:
        return None
    return events.check_anchor(db, saved[0], "the audit checkpoint")
