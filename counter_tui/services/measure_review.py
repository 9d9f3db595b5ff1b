"""Reviewing control measures: the review task reaches the queue as the review date nears, and the
deciding role extends, changes or lifts the measure with a reason. Two managers reviewing one
measure at once: the second is told who changed it, and nothing is overwritten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from counter_tui.models.measure import Measure
from counter_tui.models.staff import Actor
from counter_tui.policy.schema import MeasureSpec
from counter_tui.services import customers, staff
from counter_tui.services.access import require_any_role, require_four_eyes
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.services.hand_off import About, create_task
from counter_tui.services.measures import check_review, rules, start_of, today
from counter_tui.store import measures as measure_store
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import TextProblem, clean_text

Action = Literal["extend", "change", "lift"]

ACTION_NAMES = {"extend": "Extend to a new review date", "change": "Change its terms", "lift": "Lift it"}


class MeasureConflict(Exception):
    """Someone else changed the measure since it was read: nothing was written."""


def queue_due(ctx: Context) -> int:
    """Put a review task on the queue for every live measure whose review date is within the
    configured notice (without one, on the review date itself: the guidance sets no notice); returns how many were queued (none where the pack has no measures)."""
    measures = ctx.pack.measures
    if measures is None:
        return 0
    hours = ctx.settings.deadlines.get(measures.review_notice) or 0  # none configured: on the review date itself
    by = (ctx.clock.now() + timedelta(hours=hours)).astimezone(ctx.settings.zone).date()
    db = ctx.store.db
    if not measure_store.reviews_due(db, by=by):
        return 0
    spec = ctx.pack.task(measures.review_task)
    queued = 0
    with write(db):
        for measure in measure_store.reviews_due(db, by=by):  # again, inside the transaction
            customer = customers.get(ctx, measure.customer_id)
            base = {"at": ctx.clock.now(), "actor": "counter", "role": "system"}
            task_id = create_task(ctx, db, base, spec, About(office=measure.office, customer_name=customer.name,
                                                             reference=customer.reference, incident_id=measure.incident_id),
                                  due=start_of(ctx, measure.review_on))
            projections.record(db, **base, kind="measure.review_queued", stream=f"customer:{measure.customer_id}",
                               payload={"measure_id": measure.id, "task_id": task_id})
            queued += 1
    return queued


@dataclass(frozen=True)
class Review:
    measure: Measure
    spec: MeasureSpec
    customer_name: str
    reference: str


def get(ctx: Context, actor: Actor, measure_id: str) -> Review:
    """A measure to review, for its deciding roles only (a refusal is recorded)."""
    measure = measure_store.measure(ctx.store.db, measure_id)
    if measure is None:
        raise NotFound(f"No measure {measure_id}.")
    spec = rules(ctx).type(measure.spec)
    require_any_role(ctx, actor, spec.decided_by, f"review the measure {spec.name!r}")
    customer = customers.get(ctx, measure.customer_id)
    return Review(measure, spec, customer.name, customer.reference)


def for_task(ctx: Context, actor: Actor, task_id: str) -> Review:
    """The measure a review task is for."""
    measure = measure_store.by_review_task(ctx.store.db, task_id)
    if measure is None:
        raise NotFound(f"No measure is reviewed by task {task_id}.")
    return get(ctx, actor, measure.id)


def review(ctx: Context, actor: Actor, measure_id: str, *, action: Action, reason: str, version: int,
           review_on: str = "", terms: str = "", told: str = "") -> None:
    """Extend (a new review date), change (new terms, and a review date) or lift a measure, with a reason.

    Raises:
        Refused: not a deciding role, a proposer of it, or it is lifted already.
        FieldErrors: a field to correct (`reason`, `review_on`, `terms`).
        MeasureConflict: `version` is stale: it names who changed it.
    """
    if action not in ACTION_NAMES:
        raise FieldErrors({"action": "Choose 1 extend, 2 change or 3 lift."})
    found = get(ctx, actor, measure_id)
    require_four_eyes(ctx, actor, found.measure.proposers, f"review the measure {found.spec.name!r} you asked for")
    errors: dict[str, str] = {}
    try:
        reason = clean_text(reason, max_length=20_000, multiline=True, required=True)
    except TextProblem as problem:
        errors["reason"] = str(problem)
    new_terms = None
    if action == "change":
        try:
            new_terms = clean_text(terms, max_length=20_000, multiline=True, required=True)
        except TextProblem as problem:
            errors["terms"] = str(problem)
    new_told = None
    if told.strip():
        try:
            new_told = clean_text(told, max_length=500, multiline=False)
        except TextProblem as problem:
            errors["told"] = str(problem)
    new_date = None
    if action != "lift":
        try:
            new_date = check_review(ctx, found.spec, review_on, today(ctx))
            if found.spec.reviewed and not review_on.strip():
                raise TextProblem("Type the new review date (YYYY-MM-DD).")
        except TextProblem as problem:
            errors["review_on"] = str(problem)
    if errors:
        raise FieldErrors(errors)
    db = ctx.store.db
    with write(db):
        current = measure_store.measure(db, measure_id)
        if current.version != version:
            who = staff.name_of(ctx, current.changed_by)
            raise MeasureConflict(f"{who} changed this measure at {current.changed_at.astimezone(ctx.settings.zone):%H:%M} "
                                  f"(it is now {current.status}, review {current.review_on or 'none'}): nothing was saved. "
                                  "Read it again before deciding.")
        if current.status != "live":
            raise Refused("This measure has been lifted already.")
        base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
        projections.record(db, **base, kind="measure.reviewed", stream=f"customer:{current.customer_id}", payload={
            "measure_id": measure_id, "action": action, "reason": reason, "version": version + 1,
            "review_on": new_date.isoformat() if new_date else None, "terms": new_terms,
            "told": new_told,
        })
        if current.review_task_id:
            task = queries.task(db, current.review_task_id)
            if task is not None and task.status == "open":
                projections.record(db, **base, kind="task.done", stream=f"task:{task.id}", payload={
                    "task_id": task.id, "note": f"{ACTION_NAMES[action]}: {reason}", "contact_id": None})
