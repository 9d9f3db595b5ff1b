"""The customer register at scale: 100,000 customers and 1,000,000 contacts with case notes.

The database is built once per module in a temporary folder (`COUNTER_BENCH_DIR` to move it):
`Store(path)` makes the file and runs the real migrations (so the FTS5 tables and their triggers are
the product's), then rows go straight into `customers`, `contacts` and `steps` with `executemany`,
one transaction per chunk of 50,000. The customers' trigger fills `customers_fts` as they arrive.
The contacts' insert trigger, run once per row, costs about three times the rows themselves, so it
is set aside while the contacts go in, and `contacts_fts` is then filled by one INSERT .. SELECT
made from the trigger's own statement (`new.x` read from `contacts`): what m009 runs for the
contacts already there, as in an office whose database predates it. The trigger is then put back.
About 2 minutes 15 s on a 2-core machine, ~1 minute of it making the rows in Python; 1.1 GB.
The event log is not written: the register reads only the projections. Everything comes from
`random.Random(7)`:

- customers: "First Last" from lists of first names and surnames (surnames weighted, so some are
  common); 2% have no name; 90% have a reference like "PEX 1234 5678".
- contacts: `started_at` ISO UTC, spread over the two years before END and in rowid order (as
  contacts are added); 80% linked to a customer (1% of those to one of 20 frequent callers, so
  a few customers have ~400 contacts); 1% are welfare records (`staff_threatened`: never linked,
  never found by a search); the rest are callers not known. Each has a note and a `record`
  (`{"who", "query", "said_or_did"}`) from a vocabulary weighted like words in text (Zipf), plus
  "refund" in 15% of them (a broad term), "ombudsman" in only a dozen (a selective term, and in
  four welfare records, which must not be found), and 1-3 steps (a warning in 1 step of 10).

Measured, warm, each over BENCH_RUNS runs (default 50) after 3 warm-up rounds, each case timed
right after its baseline(s), round after round, so a change in the machine's load falls on both:

1. The start-of-contact look-up, `store.customers.search` (names by the start of their words from
   `customers_fts`, references as a range of the `customers_reference` index, then a summary per
   customer found) for a 3-letter fragment, a whole surname and "PEX 12"; against the floor (a bare
   primary-key `SELECT id FROM customers WHERE id = ?`) and a bare FTS5 query on `customers_fts` for
   the same text. The rows marked "LIKE" and "alternative" are the measurements that chose this:
   the look-up it replaced (name LIKE '%x%', a scan of every customer: 28 ms, and reference_key
   LIKE 'X%': 106 ms, on 2026-12-01) beside the two changes it made, written out separately; the
   "of N" counts are what the old substring look-up matched. Aim: < 5 ms.
2. `store.register.search` (25 lines) for a selective term, a broad term, two words and a surname,
   against a bare `SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT 25` of the same
   FTS5 query (the last word a prefix: `"lost" "passport"*`); two extra rows, the bare query with the
   last word whole, show what the prefix costs a common word — why the search now tries whole words
   first and adds the prefix only when they find less than a page (60 ms before, 1.7 ms after).
   Aim: < 50 ms.
3. `store.register.contacts_of` for a frequent caller (200 of ~400 contacts), against a bare read of
   the same customer's contact ids from the index.

EXPLAIN QUERY PLAN of each statement is printed. The test asserts facts only (the search reads the
FTS indexes; the hits are right; welfare records are never found), never a time. Run:
    python -m pytest tests/benchmarks/test_register.py -q -s -p no:cacheprovider -o addopts=""
    python tests/benchmarks/test_register.py [RUNS]
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

CUSTOMERS = 100_000
CONTACTS = 1_000_000
RUNS = 50
WARM_UP = 3
CHUNK = 50_000
END = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""The newest contact is just before this; the oldest two years before."""

LINKED, WELFARE = 0.80, 0.01
FREQUENT_CALLERS, FREQUENT_SHARE = 20, 0.01
BROAD, BROAD_SHARE = "refund", 0.15
SELECTIVE, SELECTIVE_CONTACTS, SELECTIVE_WELFARE = "ombudsman", 12, 4
FRAGMENT, SURNAME, REFERENCE = "kov", "Kovalenko", "PEX 12"
TWO_WORDS = "lost passport"
PRIVATE_FLOWS = ["staff_threatened"]
AIM_LOOKUP_MS, AIM_SEARCH_MS = 5.0, 50.0

FIRST_NAMES = """Aaliyah Adam Aisha Alan Alice Amara Amir Andrew Anna Anthony Arjun Barbara Ben Bogdan Carlos Caroline
Catherine Chen Chloe Chris Daniel David Deepak Dmitri Eilidh Elena Eleanor Emily Emma Fatima Fiona Gareth George Grace
Hannah Harry Hassan Helen Ian Imran Isabel Jack Jacob James Jane Jennifer Joanna John Joseph Karen Katarzyna Kevin Laura
Leah Liam Lucy Magdalena Mark Martin Mary Matthew Mei Michael Mohammed Nadia Natalia Niamh Nicola Noah Oksana Oliver
Olivia Omar Patrick Paul Peter Priya Rachel Rebecca Richard Robert Rosa Ruth Ryan Samuel Sarah Sean Sophie Stephen
Susan Thomas Tomasz Victoria William Yusuf Zainab Zoe""".split()
SURNAMES = """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright
Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris
Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young
Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan
Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali
Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher
Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart
Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill
Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson
Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland
Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates
Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls
Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins O'Connor Nowak Kowalski Wisniewski Kovacs
Kovalenko Novikov Markov Ivanova Petrenko Popescu Horvat Nguyen Tran Okafor Mensah Osei Adeyemi Lindqvist
Rossi Ferrari Garcia Fernandez Silva Santos Muller Schmidt Dubois Yilmaz Demir""".split()
OFFICES = ["Main office", *(f"Office {n:02d}" for n in range(2, 20))]
FLOWS = [("telephone", "telephone"), ("telephone", "telephone_call_back"), ("face_to_face", "face_to_face"),
         ("video", "video"), ("written", "written"), ("counter", "counter")]
FLOW_WEIGHTS = [45, 10, 20, 5, 10, 10]
OUTCOMES = ["resolved", "call_back", "ended_after_warning", "refused_service", "referred"]
QUERIES = ["Where is my passport", "Change of name on the application", "Urgent travel next week",
           "Photo rejected", "Countersignatory problem", "Lost passport replacement", "Child passport",
           "Appointment at the office", "Application status", "Complaint about the delay"]
VOCABULARY = """the customer said and was to a passport about application they that I on for it with their not
would be told he she called again asked wanted delay photo form week weeks office travel date urgent fee
appointment today tomorrow explained waiting letter post number status check checked copy documents birth certificate
countersignatory signed name address changed manager supervisor angry upset shouted swore threatened calm calmed
apologised listened transferred line dropped rang back later holiday flight booked cancel cancelled lost stolen found
renewal renew first child adult son daughter husband wife mother father email sent received missing returned damaged
expired expiry valid identity proof bank statement utility bill council tax driving licence visa embassy abroad
country british citizenship naturalisation residence permit biometric fingerprint interview officer counter queue
ticket desk security guard police warned warning behaviour language aggressive abusive rude polite thanked helpful
unhelpful complaint complain escalate escalated reference ref case note notes recorded record system computer screen
print printed courier delivery tracking track signature sign declaration guarantor secure collection collect
fast track premium service standard online paper fees paid payment card declined charge charged money cost pay
""".split()
CUM_WEIGHTS: list[float] = []
for _rank, _ in enumerate(VOCABULARY):  # Zipf: the n-th word about 1/n as often as the first
    CUM_WEIGHTS.append((CUM_WEIGHTS[-1] if CUM_WEIGHTS else 0.0) + 1.0 / (_rank + 1))
assert BROAD not in VOCABULARY and SELECTIVE not in VOCABULARY


def p95(samples: list[float]) -> float:
    if len(samples) < 2:
        return max(samples)
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")  # what counter_tui.clock.iso writes for a UTC moment


def _words(rng: random.Random, low: int, high: int) -> list[str]:
    return rng.choices(VOCABULARY, cum_weights=CUM_WEIGHTS, k=rng.randint(low, high))


def _sentence(words: list[str]) -> str:
    return " ".join(words).capitalize() + "."


def make_customers(rng: random.Random, count: int) -> list[tuple]:
    """Rows for `customers`: (id, name, reference, added_at, changed_at, changed_by)."""
    surname_weights = [1.0 / (k + 5) for k in range(len(SURNAMES))]  # the first surnames are the common ones
    rows, references = [], set()
    span = 2 * 365 * 86400
    for n in range(1, count + 1):
        name = "" if rng.random() < 0.02 else (
            f"{rng.choice(FIRST_NAMES)} {rng.choices(SURNAMES, weights=surname_weights)[0]}")
        reference = ""
        if rng.random() < 0.90 or not name:
            while not reference or reference in references:
                reference = f"PEX {rng.randrange(10_000):04d} {rng.randrange(10_000):04d}"
            references.add(reference)
        at = _iso(END - timedelta(seconds=span + rng.randrange(span)))
        rows.append((f"P-{n:06d}", name, reference, at, at, f"{3000 + rng.randrange(500):04d}"))
    return rows


def make_contacts(rng: random.Random, count: int, customers: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Rows for `contacts` (newest last, as they are added) and for `steps`."""
    span = 2 * 365 * 86400
    starts = sorted(rng.random() * span for _ in range(count))
    frequent = rng.sample(range(len(customers)), FREQUENT_CALLERS)
    selective = rng.sample(range(count), SELECTIVE_CONTACTS + SELECTIVE_WELFARE)
    selective_welfare, selective = set(selective[:SELECTIVE_WELFARE]), set(selective)
    staff = [(f"{3000 + k:04d}", f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}", rng.choice(OFFICES))
             for k in range(500)]
    flow_cum = [sum(FLOW_WEIGHTS[:k + 1]) for k in range(len(FLOWS))]
    linked_share = LINKED / (1 - WELFARE)
    contacts, steps = [], []
    base = END - timedelta(seconds=span)
    random_, randrange, choice, choices = rng.random, rng.randrange, rng.choice, rng.choices
    for n in range(count):
        contact_id = f"C-{n + 1:06d}"
        started = base + timedelta(seconds=starts[n])
        started_at = _iso(started)
        staff_number, staff_name, office = choice(staff)
        welfare = n in selective_welfare if n in selective else random_() < WELFARE
        customer_id, name, reference = None, "", ""
        if welfare:
            channel, flow = "telephone", "staff_threatened"
            who, query = staff_name, ""
        else:
            channel, flow = choices(FLOWS, cum_weights=flow_cum)[0]
            if random_() < linked_share:
                k = choice(frequent) if random_() < FREQUENT_SHARE else randrange(len(customers))
                customer_id, name, reference = customers[k][0], customers[k][1], customers[k][2]
            elif random_() < 0.5:
                name = f"{choice(FIRST_NAMES)} {choice(SURNAMES)}"
            who = name or "A caller who would not give a name"
            query = choice(QUERIES)
        note_length = randrange(6, 15)
        words = choices(VOCABULARY, cum_weights=CUM_WEIGHTS, k=note_length + randrange(8, 21))
        if random_() < BROAD_SHARE:
            words.insert(randrange(len(words)), BROAD)
        if n in selective:
            words.insert(note_length + randrange(8), SELECTIVE)  # in what the customer said or did
        note = " ".join(words[:note_length]).capitalize() + "."
        said = " ".join(words[note_length:]).capitalize() + "."
        record = json.dumps({"who": who, "query": query, "said_or_did": said})
        is_open = n >= count - 50  # the newest few are still open
        ended = None if is_open else _iso(started + timedelta(seconds=120 + randrange(1500)))
        contacts.append((contact_id, "hmpo", flow, channel, staff_number, staff_name, office, name, reference,
                         query, "open" if is_open else "finished", "speak" if is_open else "ended",
                         started_at, ended, None if is_open else choice(OUTCOMES), note, 1, record, customer_id))
        for position in range(1, randrange(2, 5)):  # 1-3 steps, a warning in 1 of 10
            if random_() < 0.1:
                steps.append((contact_id, position, "warn", 1, "I have warned them", "[]", 1, started_at, staff_number))
            else:
                steps.append((contact_id, position, "speak", 2, "Carry on", "[]", 0, started_at, staff_number))
    return contacts, steps


def _welfare_selective(contacts: list[tuple]) -> int:
    return sum(1 for c in contacts if c[2] in PRIVATE_FLOWS and SELECTIVE in c[17].lower())


def build_database(folder: Path, customers: int = CUSTOMERS, contacts: int = CONTACTS) -> tuple[Path, dict[str, float]]:
    """The register's database; returns its path and the build's phases in seconds."""
    from counter_tui.store.connection import Store, write

    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    rng = random.Random(7)
    customer_rows = make_customers(rng, customers)
    contact_rows, step_rows = make_contacts(rng, contacts, customer_rows)
    assert _welfare_selective(contact_rows) == SELECTIVE_WELFARE
    t1 = time.perf_counter()
    phases[f"rows made in Python ({customers:,} + {contacts:,} + {len(step_rows):,} steps)"] = t1 - t0
    path = folder / "counter.db"
    store = Store(path)
    db = store.db  # the file, WAL, the real migrations (FTS5 tables and triggers)
    # A fixture, not an office's database: no need for each page to reach the disk before the next.
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")
    t2 = time.perf_counter()
    phases["Store(path): migrations"] = t2 - t1
    with write(db):
        db.conn.executemany("INSERT INTO customers (id, name, reference, version, added_at, changed_at, changed_by) "
                            "VALUES (?, ?, ?, 1, ?, ?, ?)", customer_rows)
    t3 = time.perf_counter()
    phases["customers (+ customers_fts by trigger)"] = t3 - t2
    contact_sql = """INSERT INTO contacts (id, pack, flow, channel, staff_number, staff_name, office, customer_name,
        reference, query, status, step, started_at, ended_at, outcome, note, note_version, record, customer_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
    # The insert trigger costs ~3x the rows themselves when it runs once per row, so it is set aside
    # and contacts_fts filled after the rows with one INSERT .. SELECT of the trigger's own expression:
    # what m009 does for the contacts already there (as in an office whose database predates it).
    trigger = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'contacts_fts_insert'").fetchone()[0]
    populate = fts_population(trigger)
    db.execute("DROP TRIGGER contacts_fts_insert")
    for start in range(0, len(contact_rows), CHUNK):
        with write(db):
            db.conn.executemany(contact_sql, contact_rows[start:start + CHUNK])
    t4 = time.perf_counter()
    phases[f"contacts ({len(contact_rows) // CHUNK + bool(len(contact_rows) % CHUNK)} transactions)"] = t4 - t3
    with write(db):
        db.execute(populate)
        db.execute(trigger)
        in_step = db.execute(
            "SELECT (SELECT count(*) FROM contacts) = (SELECT count(*) FROM contacts_fts)").fetchone()[0]
        assert in_step, "contacts_fts does not hold every contact"
    t4b = time.perf_counter()
    phases["contacts_fts: " + _one_line(populate)[:57] + "…"] = t4b - t4
    t4 = t4b
    step_sql = ("INSERT INTO steps (contact_id, position, step, number, label, said, warning, at, actor, event_seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")
    for start in range(0, len(step_rows), 4 * CHUNK):
        with write(db):
            db.conn.executemany(step_sql, step_rows[start:start + 4 * CHUNK])
    with write(db):
        db.conn.executemany("INSERT INTO counters (name, value) VALUES (?, ?) "
                            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                            [("customer", customers), ("contact", contacts)])
    t5 = time.perf_counter()
    phases["steps"] = t5 - t4
    store.close()  # the last connection: the WAL is checkpointed into the file
    t6 = time.perf_counter()
    phases["close (WAL checkpoint)"] = t6 - t5
    phases["build in all"] = t6 - t0
    return path, phases


def fts_population(trigger: str) -> str:
    """From the product's `contacts_fts_insert` trigger, the INSERT .. SELECT that fills the index for
    every contact in the table: the trigger's statement with `VALUES (new.x ...)` read `FROM contacts`."""
    body = re.search(r"\bBEGIN\s+(.*?);\s*END\s*$", trigger, re.S | re.I).group(1)
    found = re.fullmatch(r"INSERT INTO (\w+)\s*\(([^)]*)\)\s*VALUES\s*\((.*)\)", body.strip(), re.S | re.I)
    assert found, f"the trigger is not one INSERT .. VALUES: {trigger}"
    table, columns, values = found.groups()
    values = re.sub(r"\bnew\.", "", values)
    return f"INSERT INTO {table}({columns}) SELECT {values} FROM contacts"


def facts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(str(path))
    try:
        one = lambda sql, *a: conn.execute(sql, a).fetchone()[0]  # noqa: E731
        match = lambda q: one("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?", q)  # noqa: E731
        return {
            "customers": one("SELECT count(*) FROM customers"),
            "customers_fts": one("SELECT count(*) FROM customers_fts"),
            "contacts": one("SELECT count(*) FROM contacts"),
            "contacts_fts": one("SELECT count(*) FROM contacts_fts"),
            "linked": one("SELECT count(*) FROM contacts WHERE customer_id IS NOT NULL"),
            "welfare": one("SELECT count(*) FROM contacts WHERE flow = 'staff_threatened'"),
            "steps": one("SELECT count(*) FROM steps"),
            "most contacts": one("SELECT max(n) FROM (SELECT count(*) n FROM contacts WHERE customer_id IS NOT NULL "
                                 "GROUP BY customer_id)"),
            "broad": match(f'"{BROAD}"'),
            "selective": match(f'"{SELECTIVE}"'),
            "bytes": path.stat().st_size,
        }
    finally:
        conn.close()


def report_build(phases: dict[str, float], f: dict[str, int]) -> None:
    print(f"\nBuilt {f['customers']:,} customers and {f['contacts']:,} contacts ({f['linked']:,} linked to a customer, "
          f"{f['welfare']:,} welfare records), {f['steps']:,} steps; the most contacts of one customer: "
          f"{f['most contacts']}; '{BROAD}' in {f['broad']:,} contacts ({f['broad'] / f['contacts']:.1%}), "
          f"'{SELECTIVE}' in {f['selective']}; file {f['bytes'] / 2**20:.0f} MiB")
    for name, seconds in phases.items():
        print(f"  {name:72}{seconds:8.2f} s")


class _Recorder:
    """Stands in for the database to note the statements a query function runs."""

    def __init__(self, db) -> None:
        self.db, self.calls = db, []

    def execute(self, sql: str, params=()):
        self.calls.append((sql, list(params)))
        return self.db.execute(sql, params)


def statements(db, function: Callable, *args, **kwargs) -> list[tuple[str, list]]:
    """The distinct statements `function` runs (the first parameters of each)."""
    recorder = _Recorder(db)
    function(recorder, *args, **kwargs)
    seen: dict[str, list] = {}
    for sql, params in recorder.calls:
        seen.setdefault(sql, params)
    return list(seen.items())


def plan(db, sql: str, params: list) -> list[str]:
    """EXPLAIN QUERY PLAN, indented by depth."""
    rows = db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def _one_line(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def fts_lookup(db, text: str, limit: int = 8):
    """The look-up done with FTS5 prefix matching instead of LIKE: the same order and summaries as
    `store.customers.search` (a possible change, measured here only; not the product's code)."""
    from counter_tui.store import customers as customer_store
    from counter_tui.store.register import fts_query

    rows = db.execute(
        """SELECT customers.id, customers.name, customers.reference, customers.version, customers.changed_at,
        customers.changed_by FROM customers_fts JOIN customers ON customers.rowid = customers_fts.rowid
        WHERE customers_fts MATCH ? ORDER BY customers.name COLLATE NOCASE, customers.id LIMIT ?""",
        [fts_query(text), limit],
    ).fetchall()
    return [customer_store.summary(db, customer_store._customer(r)) for r in rows]


def range_lookup(db, reference: str, limit: int = 8):
    """The reference look-up read from the index `customers_reference`: reference_key (upper case, no
    spaces) from the key up to the key with its last character moved on one, instead of LIKE 'KEY%'
    (LIKE ignores case, so it cannot use an index on a column that does not); the same order and
    summaries as `store.customers.search` (a possible change, measured here only)."""
    from counter_tui.store import customers as customer_store

    key = customer_store.reference_key(reference)
    rows = db.execute(
        """SELECT id, name, reference, version, changed_at, changed_by FROM customers
        WHERE reference_key >= ? AND reference_key < ?
        ORDER BY reference_key = ? DESC, name COLLATE NOCASE, id LIMIT ?""",
        [key, key[:-1] + chr(ord(key[-1]) + 1), key, limit],
    ).fetchall()
    return [customer_store.summary(db, customer_store._customer(r)) for r in rows]


def _run(cases: dict[str, tuple[Callable, list[str]]], baselines: dict[str, Callable], runs: int) -> dict:
    """Time every case right after each of its baselines, round after round; returns seconds."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    base_samples: dict[tuple[str, str], list[float]] = {(c, b): [] for c, (_, bs) in cases.items() for b in bs}
    clock = time.perf_counter
    gc.collect()
    gc.disable()
    try:
        for round_ in range(WARM_UP + runs):
            for name, (function, bases) in cases.items():
                for base in bases:
                    t0 = clock()
                    baselines[base]()
                    t1 = clock()
                    if round_ >= WARM_UP:
                        base_samples[(name, base)].append(t1 - t0)
                t0 = clock()
                function()
                t1 = clock()
                if round_ >= WARM_UP:
                    samples[name].append(t1 - t0)
    finally:
        gc.enable()
    return {"samples": samples, "bases": base_samples}


def _open(path: Path):
    from counter_tui.store.connection import Store

    store = Store(path)
    return store, store.db  # Counter's own pragmas (WAL, default cache), migrations already applied


def measure_lookup(path: Path, runs: int) -> dict:
    from counter_tui.store import customers as customer_store
    from counter_tui.store.register import fts_query

    store, db = _open(path)
    try:
        floor_id = "P-050000"
        lookups = {f'search(name="{FRAGMENT}")': {"name": FRAGMENT, "reference": ""},
                   f'search(name="{SURNAME}")': {"name": SURNAME, "reference": ""},
                   f'search(reference="{REFERENCE}")': {"name": "", "reference": REFERENCE}}
        baselines: dict[str, Callable] = {
            "floor": lambda: db.execute("SELECT id FROM customers WHERE id = ?", [floor_id]).fetchall()}
        cases: dict[str, tuple[Callable, list[str]]] = {}
        bare_fts = "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? LIMIT 8"
        for label, kwargs in lookups.items():
            text = kwargs["name"] or kwargs["reference"]
            baselines[f"fts {text}"] = (lambda q=fts_query(text): db.execute(bare_fts, [q]).fetchall())
            cases[label] = (lambda k=kwargs: customer_store.search(db, **k), ["floor", f"fts {text}"])
        like_sql, like_params = statements(db, customer_store.search, name=FRAGMENT, reference="")[0]
        cases[f'  the replaced LIKE statement alone ("{FRAGMENT}")'] = (
            lambda: db.execute(like_sql, like_params).fetchall(), ["floor", f"fts {FRAGMENT}"])
        for text in (FRAGMENT, SURNAME):
            cases[f'alternative: FTS5 {fts_query(text)} (same order, summaries)'] = (
                lambda t=text: fts_lookup(db, t), ["floor", f"fts {text}"])
        cases[f'alternative: reference_key range "{REFERENCE}" (same order, summaries)'] = (
            lambda: range_lookup(db, REFERENCE), ["floor", f"fts {REFERENCE}"])
        results = {label: function() for label, (function, _) in cases.items()}
        hits = {label: len(found) for label, found in results.items()}
        one = lambda sql, *a: db.execute(sql, a).fetchone()[0]  # noqa: E731
        totals = {
            f'search(name="{FRAGMENT}")': one("SELECT count(*) FROM customers WHERE name LIKE ?", f"%{FRAGMENT}%"),
            f'search(name="{SURNAME}")': one("SELECT count(*) FROM customers WHERE name LIKE ?", f"%{SURNAME}%"),
            f'search(reference="{REFERENCE}")': one("SELECT count(*) FROM customers WHERE reference_key LIKE ?",
                                                    customer_store.reference_key(REFERENCE) + "%"),
        }
        totals[f'  the replaced LIKE statement alone ("{FRAGMENT}")'] = totals[f'search(name="{FRAGMENT}")']
        for text in (FRAGMENT, SURNAME):
            totals[f'alternative: FTS5 {fts_query(text)} (same order, summaries)'] = one(
                "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH ?", fts_query(text))
        totals[f'alternative: reference_key range "{REFERENCE}" (same order, summaries)'] = totals[
            f'search(reference="{REFERENCE}")']
        customer_count = one("SELECT count(*) FROM customers")
        base_hits = {f"fts {t}": (len(baselines[f"fts {t}"]()), one(
            "SELECT count(*) FROM customers_fts WHERE customers_fts MATCH ?", fts_query(t)))
            for t in (FRAGMENT, SURNAME, REFERENCE)}
        plans = {}
        for label, kwargs in lookups.items():
            (sql, params), *per_customer = statements(db, customer_store.search, **kwargs)
            plans[f"{label}: {_one_line(sql)[:90]}…"] = plan(db, sql, params)
            for sql, params in per_customer:  # the same statements for every look-up: shown once
                plans.setdefault(f"summary, per customer found: {_one_line(sql)[:80]}…", plan(db, sql, params))
        floor_sql = "SELECT id FROM customers WHERE id = ?"
        plans[f"floor: {floor_sql}"] = plan(db, floor_sql, [floor_id])
        plans[f"bare FTS5: {bare_fts}"] = plan(db, bare_fts, [fts_query(FRAGMENT)])
        for sql, params in statements(db, fts_lookup, FRAGMENT)[:1]:
            plans[f"alternative FTS5 look-up: {_one_line(sql)[:90]}…"] = plan(db, sql, params)
        for sql, params in statements(db, range_lookup, REFERENCE)[:1]:
            plans[f"alternative reference range: {_one_line(sql)[:80]}…"] = plan(db, sql, params)
        timed = _run(cases, baselines, runs)
    finally:
        store.close()
    return {**timed, "customers": customer_count, "hits": hits, "totals": totals, "base_hits": base_hits,
            "plans": plans, "results": results,
            "baselines": {c: bs for c, (_, bs) in cases.items()}}


def measure_search(path: Path, runs: int) -> dict:
    from counter_tui.store import register
    from counter_tui.store.register import fts_query

    store, db = _open(path)
    try:
        texts = {"selective": SELECTIVE, "broad": BROAD, "two words": TWO_WORDS, "surname": SURNAME}
        bare = "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT 25"
        baselines: dict[str, Callable] = {}
        cases: dict[str, tuple[Callable, list[str]]] = {}
        for kind, text in texts.items():
            baselines[kind] = lambda q=fts_query(text): db.execute(bare, [q]).fetchall()
            cases[f'register.search("{text}") {kind}'] = (
                lambda t=text: register.search(db, t, private_flows=PRIVATE_FLOWS, limit=25), [kind])
        for kind in ("broad", "two words"):  # what the * on the last word costs a common word
            whole = fts_query(texts[kind])[:-1]
            cases[f"  bare MATCH '{whole}' (last word whole, no *)"] = (
                lambda q=whole: db.execute(bare, [q]).fetchall(), [kind])
        results = {label: function() for label, (function, _) in cases.items()}
        one = lambda sql, *a: db.execute(sql, a).fetchone()[0]  # noqa: E731
        totals = {f'register.search("{text}") {kind}': (
            one("SELECT count(*) FROM customers_fts WHERE customers_fts MATCH ?", fts_query(text)),
            one("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?", fts_query(text)))
            for kind, text in texts.items()}
        for label in cases:
            if label.startswith("  bare MATCH"):
                query = label.split("'")[1]
                totals[label] = (None, one("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?", query))
        contact_count = one("SELECT count(*) FROM contacts")
        plans = {}
        for sql, params in statements(db, register.search, SELECTIVE, private_flows=PRIVATE_FLOWS, limit=25):
            plans[f"register.search: {_one_line(sql)[:90]}…"] = plan(db, sql, params)
        plans[f"bare: {bare}"] = plan(db, bare, [fts_query(SELECTIVE)])
        # Facts for the assertions: the text and flow of every contact the selective search found.
        found = {}
        for hit in results[f'register.search("{SELECTIVE}") selective']:
            if hit.why == "name or reference":
                found[hit.customer_id] = None
                continue
            contact_id = hit.why.split(":", 1)[0]
            found[contact_id] = db.execute(
                "SELECT contacts.flow, contacts_fts.text FROM contacts JOIN contacts_fts ON contacts_fts.rowid = "
                "contacts.rowid WHERE contacts.id = ?", [contact_id]).fetchone()
        expected = one(
            "SELECT count(DISTINCT coalesce(customer_id, id)) FROM contacts WHERE rowid IN (SELECT rowid FROM "
            "contacts_fts WHERE contacts_fts MATCH ?) AND flow NOT IN (SELECT value FROM json_each(?))",
            f'"{SELECTIVE}"', json.dumps(PRIVATE_FLOWS))
        timed = _run(cases, baselines, runs)
    finally:
        store.close()
    return {**timed, "contacts": contact_count, "hits": {k: len(v) for k, v in results.items()}, "totals": totals,
            "plans": plans,
            "found": found, "expected": expected, "results": results,
            "baselines": {c: bs for c, (_, bs) in cases.items()}}


def measure_record(path: Path, runs: int) -> dict:
    from counter_tui.store import register

    store, db = _open(path)
    try:
        customer_id, count = db.execute(
            "SELECT customer_id, count(*) n FROM contacts WHERE customer_id IS NOT NULL GROUP BY customer_id "
            "ORDER BY n DESC, customer_id LIMIT 1").fetchone()
        bare = "SELECT id FROM contacts WHERE customer_id = ?"
        baselines = {"index": lambda: db.execute(bare, [customer_id]).fetchall(),
                     "floor": lambda: db.execute("SELECT id FROM customers WHERE id = ?", [customer_id]).fetchall()}
        cases = {f"register.contacts_of({customer_id})": (
            lambda: register.contacts_of(db, customer_id), ["floor", "index"])}
        lines = register.contacts_of(db, customer_id)
        own = {r[0] for r in db.execute(bare, [customer_id])}
        plans = {}
        for sql, params in statements(db, register.contacts_of, customer_id):
            plans[f"contacts_of: {_one_line(sql)[:90]}…"] = plan(db, sql, params)
        plans[f"bare: {bare}"] = plan(db, bare, [customer_id])
        timed = _run(cases, baselines, runs)
    finally:
        store.close()
    return {**timed, "customer": customer_id, "count": count, "lines": lines, "own": own, "plans": plans,
            "hits": {next(iter(cases)): len(lines)}, "baselines": {c: bs for c, (_, bs) in cases.items()}}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.3f}"


def report(title: str, results: dict, base_names: dict[str, str], aim_ms: float | None,
           hits_text: Callable[[str], str]) -> None:
    runs = len(next(iter(results["samples"].values())))
    print(f"\n{title}, warm, {runs} runs each, each right after its baseline(s)" +
          (f"; aim: under {aim_ms:g} ms" if aim_ms else ""))
    header = f"{'':70}{'median ms':>10}{'p95 ms':>9}"
    for short in base_names.values():
        header += f"{short + ' ms':>13}{'x ' + short:>11}"
    print(header + (f"{'aim med/p95':>13}" if aim_ms else f"{'':13}") + "   hits")
    for label, got in results["samples"].items():
        median = statistics.median(got)
        line = f"{label:70}{_ms(median)} {_ms(p95(got))}"
        for base, short in base_names.items():
            key = next(((label, b) for b in results["baselines"][label] if b == base or b.startswith(base)), None)
            if key is None:
                line += f"{'':13}{'':11}"
                continue
            b = statistics.median(results["bases"][key])
            line += f"{_ms(b):>13}{median / b:11.2f}" if median < 10 * b else f"{_ms(b):>13}{median / b:11.1f}"
        verdict = "" if aim_ms is None else "/".join(
            "yes" if seconds * 1000 < aim_ms else "NO" for seconds in (median, p95(got)))
        print(line + f"{verdict:>13}   {hits_text(label)}")


def report_plans(plans: dict[str, list[str]]) -> None:
    for name, lines in plans.items():
        print(f"plan, {name}")
        for line in lines:
            print(f"    {line}")
        if any(line.strip().startswith("SCAN customers") and "INDEX" not in line for line in lines):
            print("    ^ every customer is read: LIKE '%x%' (and LIKE on reference_key, whose collation is not NOCASE) "
                  "cannot use an index")


def report_lookup(r: dict) -> None:
    from counter_tui.store.register import fts_query

    def hits(label: str) -> str:
        return f"{r['hits'][label]} of {r['totals'][label]:,}"

    report(f"Start-of-contact look-up (store.customers.search, limit 8), {r['customers']:,} customers", r,
           {"floor": "floor", "fts": "bare FTS"}, AIM_LOOKUP_MS, hits)
    print("floor = SELECT id FROM customers WHERE id = ?; bare FTS = SELECT rowid FROM customers_fts WHERE "
          "customers_fts MATCH <the same text quoted, last word *> LIMIT 8")
    for name, (got, total) in r["base_hits"].items():
        print(f"  bare FTS for {name[4:]!r} ({fts_query(name[4:])}): {got} rows, {total:,} matching")
    print(f"LIKE '%{FRAGMENT}%' finds the fragment anywhere in a name; FTS5 {fts_query(FRAGMENT)} only at the start "
          "of a word: hits differ (see 'of N')")
    report_plans(r["plans"])


def report_search(r: dict) -> None:
    def hits(label: str) -> str:
        customers, contacts = r["totals"][label]
        if customers is None:
            return f"{r['hits'][label]} (matching: {contacts:,} contacts)"
        return f"{r['hits'][label]} (matching: {customers:,} customers, {contacts:,} contacts)"

    report(f"Register search (store.register.search, 25 lines), {r['contacts']:,} contacts", r, {"": "bare"},
           AIM_SEARCH_MS, hits)
    print("bare = SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH <the same query> LIMIT 25")
    print(f"'{TWO_WORDS}' is searched as two words, both anywhere in the text (not as a phrase), the last as a prefix")
    report_plans(r["plans"])


def report_record(r: dict) -> None:
    report(f"A customer's contacts (store.register.contacts_of, limit 200), {r['customer']} has {r['count']} contacts",
           r, {"floor": "floor", "index": "bare ids"}, None, lambda label: f"{r['hits'][label]}")
    print("bare ids = SELECT id FROM contacts WHERE customer_id = ? (every one of the customer's, from the index)")
    report_plans(r["plans"])


def check_lookup(r: dict) -> None:
    from counter_tui.store.customers import reference_key

    res = r["results"]
    for summary in res[f'search(name="{FRAGMENT}")']:
        assert FRAGMENT in summary.customer.name.lower(), summary
    for summary in res[f'search(name="{SURNAME}")']:
        assert SURNAME.lower() in summary.customer.name.lower(), summary
    for summary in res[f'search(reference="{REFERENCE}")']:
        assert reference_key(summary.customer.reference).startswith(reference_key(REFERENCE)), summary
    for label in (f'search(name="{FRAGMENT}")', f'search(name="{SURNAME}")', f'search(reference="{REFERENCE}")'):
        assert r["hits"][label] == min(8, r["totals"][label]) > 0, label
    for label, found in res.items():
        if label.startswith("alternative: FTS5"):
            word = FRAGMENT if f'"{FRAGMENT}"' in label else SURNAME.lower()
            assert found and all(any(w.lower().startswith(word) for w in s.customer.name.split()) for s in found), label
    ranged = res[f'alternative: reference_key range "{REFERENCE}" (same order, summaries)']
    assert ranged == res[f'search(reference="{REFERENCE}")'], "the range look-up found other customers than LIKE"
    range_plan = next(lines for name, lines in r["plans"].items() if name.startswith("alternative reference range"))
    assert any("customers_reference (reference_key>? AND reference_key<?)" in line for line in range_plan), range_plan
    bare_fts = next(lines for name, lines in r["plans"].items() if name.startswith("bare FTS5"))
    assert any("customers_fts VIRTUAL TABLE INDEX" in line for line in bare_fts), bare_fts


def check_search(r: dict) -> None:
    plans = [lines for name, lines in r["plans"].items() if name.startswith("register.search")]
    assert any(any("customers_fts VIRTUAL TABLE INDEX" in line for line in lines) for lines in plans), plans
    assert any(any("contacts_fts VIRTUAL TABLE INDEX" in line for line in lines) for lines in plans), plans
    # The selective term: every hit contains it; no welfare record is found; every contact with it is.
    assert r["found"], "the selective term found nothing"
    for contact_id, row in r["found"].items():
        assert row is not None, f"{contact_id}: a customer matched by name or reference, not by '{SELECTIVE}'"
        flow, text = row
        assert flow not in PRIVATE_FLOWS, f"{contact_id}: a welfare record was found"
        assert SELECTIVE in text.lower(), (contact_id, text)
    assert len(r["found"]) == r["expected"] == r["hits"][f'register.search("{SELECTIVE}") selective']
    for label, found in r["results"].items():
        assert found, label
        if "selective" not in label:
            assert len(found) == 25, (label, len(found))


def check_record(r: dict) -> None:
    lines = r["lines"]
    assert len(lines) == min(200, r["count"])
    assert {line.id for line in lines} <= r["own"]
    assert [line.started_at for line in lines] == sorted((line.started_at for line in lines), reverse=True)
    contacts_of = next(lines for name, lines in r["plans"].items() if name.startswith("contacts_of"))
    assert any("contacts_customer_id (customer_id=?)" in line for line in contacts_of), contacts_of


@pytest.fixture(scope="module")
def database():
    """The database, built once for this module in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="counter-bench-register-", dir=os.environ.get("COUNTER_BENCH_DIR")) as tmp:
        path, phases = build_database(Path(tmp))
        report_build(phases, facts(path))
        yield path


def _runs() -> int:
    return int(os.environ.get("BENCH_RUNS", RUNS))


def test_lookup(database) -> None:
    """Prints the look-up figures; asserts the hits and that the FTS5 baseline reads its index, never a time."""
    results = measure_lookup(database, _runs())
    report_lookup(results)
    check_lookup(results)


def test_search(database) -> None:
    """Prints the search figures; asserts the plans (FTS indexes) and the hits, never a time."""
    results = measure_search(database, _runs())
    report_search(results)
    check_search(results)


def test_contacts_of(database) -> None:
    """Prints a frequent caller's record figures; asserts the lines and the index used, never a time."""
    results = measure_record(database, _runs())
    report_record(results)
    check_record(results)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    count = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    with tempfile.TemporaryDirectory(prefix="counter-bench-register-", dir=os.environ.get("COUNTER_BENCH_DIR")) as tmp:
        built, phases = build_database(Path(tmp))
        report_build(phases, facts(built))
        for measure, show, check in ((measure_lookup, report_lookup, check_lookup),
                                     (measure_search, report_search, check_search),
                                     (measure_record, report_record, check_record)):
            got = measure(built, count)
            show(got)
            check(got)
