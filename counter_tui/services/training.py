"""Practice on the real procedures (`counter train`): attempts, group sessions, scores and debriefs.

A training room is a folder of its own (never the live database's): `results.db` holds the group
sessions and every attempt's score, and each attempt practises on a fresh practice database in
`practice/`, built from the scenario's pack with the scenario's customer and their record. The
practice runs through the same services and screens as live work, so the trainee presses the keys
they will press for real; but nothing from practice can reach the live queue, markers, letters or
e-mail: it is another file, with no mail server, no live staff and no live customers.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from pathlib import Path

from counter_tui.clock import Clock, FixedClock, SystemClock, iso
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.scenario import Scenario, ScenarioError, load_scenario, shipped_scenarios
from counter_tui.policy.scenario_check import check, number_for
from counter_tui.policy.scoring import Attempt, Criterion, Row, Score, Taken, score
from counter_tui.services import contacts, customers, records
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.services.measures import default_review
from counter_tui.store import projections, queries
from counter_tui.store import training as results
from counter_tui.store.connection import write
from counter_tui.text import TextProblem, clean_text

ROOM = "Training room"
"""The practice office every trainee and colleague belongs to."""

COLLEAGUE = "P0000"
"""The staff number of the practice colleague who took the customer's earlier contacts."""


@dataclass
class Room:
    """A training room: its folder and the results database in it."""

    folder: Path
    store: results.TrainingResults
    clock: Clock

    @classmethod
    def open(cls, folder: Path, clock: Clock | None = None) -> Room:
        folder = Path(folder)
        (folder / "practice").mkdir(parents=True, exist_ok=True)
        return cls(folder=folder, store=results.TrainingResults(folder / "results.db"), clock=clock or SystemClock())


@dataclass
class Practice:
    """An attempt under way: its practice context and the trainee acting in it."""

    attempt_id: str
    scenario: Scenario
    ctx: Context
    actor: Actor
    contact_id: str


def trainee_name(typed: str) -> str:
    """The trainee's name as typed, checked (shown on their scores; any text is data)."""
    try:
        return clean_text(typed, max_length=80, multiline=False, required=True)
    except TextProblem as problem:
        raise FieldErrors({"trainee": str(problem)}) from None


def scenarios() -> list[Scenario]:
    """The shipped scenarios, in file order."""
    return shipped_scenarios()


def scenario(name: str) -> Scenario:
    """A shipped scenario by id, or a scenario file; refused (NotFound) when it cannot be used."""
    try:
        found = load_scenario(name)
    except ScenarioError as error:
        raise NotFound(str(error)) from None
    problems = check(found)
    if problems:
        raise NotFound(f"The scenario {found.id!r} cannot be practised: {problems[0]}")
    return found


def _practice_context(room: Room, found: Scenario, database: Path | None = None) -> Context:
    """The scenario's pack on a practice database (a new one unless given): one office, the training
    room, with the scenario's facilities; no mail server, no idle lock."""
    settings = Settings(policy=found.pack, organisation="Counter training", offices=[ROOM],
                        office_facilities={ROOM: list(found.setup.facilities)}, idle_lock_minutes=0)
    database = database or results.new_practice_database(room.folder / "practice")
    return Context.open(database, settings, clock=room.clock)


def start(room: Room, trainee: str, scenario_id: str, *, session_id: str | None = None) -> Practice:
    """Begin an attempt: a practice database with the scenario's customer and their record, and the
    contact started on the scenario's flow with the customer's details filled in.

    Raises:
        FieldErrors: no name typed.
        NotFound: no such scenario (or one that fails `counter train check`), or no such session.
    """
    name = trainee_name(trainee)
    found = scenario(scenario_id)
    if session_id is not None and results.session(room.store.db, session_id) is None:
        raise NotFound(f"No training session {session_id}.")
    ctx = _practice_context(room, found)
    flow = ctx.pack.flow(found.flow)
    _set_up(ctx, found)
    actor = Actor(number=f"T-{uuid.uuid4().hex[:6]}", name=name, role=flow.role, office=ROOM)
    customer = found.customer
    contact_id = contacts.start_contact(ctx, actor, flow.id, customer_name=customer.name,
                                        reference=customer.reference, query=customer.query)
    attempt_id = results.add_attempt(room.store.db, trainee=name, scenario=found.id, session_id=session_id,
                                     practice_db=str(ctx.store.path), contact_id=contact_id, at=iso(room.clock.now()))
    return Practice(attempt_id=attempt_id, scenario=found, ctx=ctx, actor=actor, contact_id=contact_id)


def _set_up(ctx: Context, found: Scenario) -> None:
    """The customer's record before the practice: earlier contacts taken by a practice colleague on
    the days the scenario says, then the control measures it names, live from today."""
    now = ctx.clock.now()
    customer = found.customer
    for earlier in sorted(found.setup.earlier, key=lambda e: -e.days_ago):
        clock = FixedClock(now - timedelta(days=earlier.days_ago), tick=timedelta(seconds=30))
        past = replace(ctx, clock=clock)
        flow = ctx.pack.flow(earlier.flow)
        colleague = Actor(number=COLLEAGUE, name="A practice colleague", role=flow.role, office=ROOM)
        contact_id = contacts.start_contact(past, colleague, flow.id, customer_name=customer.name,
                                            reference=customer.reference, query=customer.query)
        for target in earlier.path:
            current = contacts.view(past, contact_id)
            number = number_for(flow, current.step, target, current.facts)
            contacts.take_step(past, colleague, contact_id, number, at_step=current.step.id)
        draft = records.draft_record(past, colleague, contact_id)
        records.finish(past, colleague, contact_id,
                       {fid: text or ("Practice record: an earlier contact." if required else "") for fid, _, text, required in draft})
        if earlier is max(found.setup.earlier, key=lambda e: -e.days_ago) and found.setup.letters_sent:
            from counter_tui.services.training_letters import send_letters

            send_letters(past, contact_id, found.setup.letters_sent)
    if not found.setup.measures:
        return
    db = ctx.store.db
    setter = Actor(number=COLLEAGUE, name="A practice colleague", role=ctx.pack.roles[0].id, office=ROOM)
    with write(db):
        customer_id = customers.resolve(db, ctx, setter, customer.name, customer.reference)
        for spec_id in found.setup.measures:
            spec = next(m for m in ctx.pack.measures.types if m.id == spec_id)
            review = default_review(spec, now.date())
            projections.record(db, at=now, actor=setter.number, role=setter.role, kind="measure.set",
                               stream=f"customer:{customer_id}", payload={
                "measure_id": projections.next_id(db, "measure", "M"), "customer_id": customer_id, "office": ROOM,
                "pack": ctx.pack.id, "spec": spec.id, "kind": spec.kind,
                "reason": "Set for this practice scenario.", "detail": "", "told": "In writing (practice).",
                "connected_person": "", "starts_on": now.date().isoformat(),
                "review_on": review.isoformat() if review else None, "incident_id": None, "task_id": None,
                "proposers": [],
            })


def resume(room: Room, attempt_id: str) -> Practice:
    """An unfinished attempt, reopened where it stopped (the terminal died, or the trainee signed out)."""
    row = results.attempt(room.store.db, attempt_id)
    if row is None:
        raise NotFound(f"No attempt {attempt_id}.")
    if row["finished_at"] is not None:
        raise Refused(f"Attempt {attempt_id} is already scored.")
    found = scenario(row["scenario"])
    ctx = _practice_context(room, found, Path(row["practice_db"]))
    contact = queries.contact(ctx.store.db, row["contact_id"])
    actor = Actor(number=contact.staff_number, name=row["trainee"], role=ctx.pack.flow(found.flow).role, office=ROOM)
    return Practice(attempt_id=attempt_id, scenario=found, ctx=ctx, actor=actor, contact_id=row["contact_id"])


def unfinished(room: Room, trainee: str) -> list[dict]:
    """This trainee's attempts not yet scored, newest first."""
    return [a for a in reversed(results.attempts(room.store.db, trainee=trainee)) if a["finished_at"] is None]


def attempt_facts(practice: Practice) -> Attempt:
    """What the trainee did, read back from the practice database."""
    ctx, contact_id = practice.ctx, practice.contact_id
    current = contacts.view(ctx, contact_id)
    state = engine.start(ctx.pack, current.flow.id)
    taken = []
    for step in current.taken:
        decision = engine.choose(ctx.pack, state, step.number)
        taken.append(Taken(step=step.step, number=step.number, next=decision.after.step_id, label=step.label,
                           at=step.at, said=bool(step.said)))
        state = decision.after
    finished = current.contact.status == "finished"
    written = [current.contact.note]
    if finished:
        written += [text for _, text in records.finished_record(ctx, contact_id)]
    return Attempt(started_at=current.contact.started_at, taken=taken, finished=finished,
                   final_step=current.step.id if current.step.is_final else None, record_text="\n".join(written),
                   hand_offs=queries.task_specs_for_contact(ctx.store.db, contact_id))


def finish(room: Room, practice: Practice) -> Score:
    """Score the attempt (finished or stopped part way) and keep the score with its debrief."""
    found = score(practice.ctx.pack, practice.scenario, attempt_facts(practice))
    results.finish_attempt(room.store.db, practice.attempt_id, at=iso(room.clock.now()), points=found.points,
                           out_of=found.out_of, score=asdict(found))
    practice.ctx.store.close()
    return found


def stored_score(row: dict) -> Score | None:
    """An attempt's score as kept in the results database."""
    if row["score"] is None:
        return None
    return Score(criteria=[Criterion(**c) for c in row["score"]["criteria"]],
                 timeline=[Row(**r) for r in row["score"]["timeline"]])


@dataclass(frozen=True)
class Debrief:
    attempt: dict
    scenario: Scenario
    score: Score
    earlier: list[dict]
    """The same trainee's other scored attempts at this scenario, oldest first: to compare."""


def debrief(room: Room, attempt_id: str) -> Debrief:
    row = results.attempt(room.store.db, attempt_id)
    if row is None or row["score"] is None:
        raise NotFound(f"No scored attempt {attempt_id}.")
    others = [a for a in results.attempts(room.store.db, trainee=row["trainee"], scenario=row["scenario"])
              if a["id"] != attempt_id and a["score"] is not None]
    return Debrief(attempt=row, scenario=load_scenario(row["scenario"]), score=stored_score(row), earlier=others)


def open_session(room: Room, trainer: str, scenario_id: str) -> str:
    """A group session: trainees at other terminals join it and practise the same scenario."""
    name = trainee_name(trainer)
    found = scenario(scenario_id)
    return results.add_session(room.store.db, scenario=found.id, trainer=name, at=iso(room.clock.now()))


def close_session(room: Room, session_id: str) -> None:
    results.close_session(room.store.db, session_id, iso(room.clock.now()))


def open_sessions(room: Room) -> list[dict]:
    return results.sessions(room.store.db, open_only=True)


def sessions(room: Room) -> list[dict]:
    return results.sessions(room.store.db)


@dataclass(frozen=True)
class GroupView:
    """A session at a glance for the trainer: each attempt, and the points the group missed most."""

    session: dict
    attempts: list[dict]
    most_missed: list[tuple[str, int]]
    """(criterion, how many attempts missed it), most missed first."""


def group(room: Room, session_id: str) -> GroupView:
    found = results.session(room.store.db, session_id)
    if found is None:
        raise NotFound(f"No training session {session_id}.")
    rows = results.attempts(room.store.db, session_id=session_id)
    return GroupView(session=found, attempts=rows, most_missed=most_missed(rows))


def most_missed(rows: list[dict]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        found = stored_score(row)
        if found is None:
            continue
        for title in dict.fromkeys(c.title for c in found.missed):
            counts[title] = counts.get(title, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def attempts(room: Room, *, trainee: str | None = None, session_id: str | None = None) -> list[dict]:
    return results.attempts(room.store.db, trainee=trainee, session_id=session_id)


def print_debrief(room: Room, attempt_id: str, path: Path | None = None) -> Path:
    """Write the attempt's debrief as a PDF (by default `debriefs/<attempt>.pdf` in the room)."""
    from counter_tui.printing import pdf
    from counter_tui.printing.debrief import debrief_printable

    found = debrief(room, attempt_id)
    target = Path(path) if path else room.folder / "debriefs" / f"{attempt_id}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    printed_at = room.clock.now().strftime("%d %b %Y %H:%M UTC")
    return pdf.write(debrief_printable(found, printed_at), target)
