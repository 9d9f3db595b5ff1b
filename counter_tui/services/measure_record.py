"""Control measures where they matter: at the start of every contact (what a live marker or
restriction means on this channel now, and the words to say where it turns the customer away), and
on the customer's record, with the investigation's detail for the roles the pack names only."""

from __future__ import annotations

from dataclasses import dataclass

from counter_tui.models.measure import Measure
from counter_tui.models.staff import Actor
from counter_tui.policy.schema import MeasureEffect, MeasureSpec
from counter_tui.services.context import Context
from counter_tui.services.errors import NotFound
from counter_tui.store import measures as measure_store
from counter_tui.store import projections
from counter_tui.store.connection import write

KIND_ORDER = {"restriction": 0, "marker": 1, "adjustment": 2, "warning": 3}


@dataclass(frozen=True)
class MeasureOnRecord:
    """A live measure as a contact on one channel shows it."""

    measure: Measure
    spec: MeasureSpec
    text: str
    """What it is, since when, and its review date."""
    effect: MeasureEffect | None
    """What it means on this channel (None: nothing particular here)."""

    @property
    def refused_here(self) -> bool:
        """It turns the customer away on this channel: say the words and end politely."""
        return self.effect is not None and self.effect.refuse


def describe(ctx: Context, measure: Measure, spec: MeasureSpec) -> str:
    """One line: the measure, since when, its review date (or that it was lifted)."""
    text = f"{spec.name} since {measure.starts_on:%-d %b %Y}"
    if measure.status == "lifted":
        return text + f" — lifted {measure.changed_at.astimezone(ctx.settings.zone):%-d %b %Y}"
    if measure.review_on:
        text += f" · review by {measure.review_on:%-d %b %Y}"
    if measure.connected_person:
        text += f" · behaviour by a person connected to the customer: {measure.connected_person}"
    return text


def on_record(ctx: Context, customer_id: str | None, channel: str, *, outgoing: bool = False) -> list[MeasureOnRecord]:
    """The customer's live measures for a contact on `channel`: those that turn them away here
    first, then restrictions, markers and warnings given.

    Args:
        outgoing: staff are contacting the customer (a follow-up opened from a task: a call-back, the
            team leader re-establishing contact), so a restriction on the customer's own contact does
            not turn them away: its words are left out.
    """
    if customer_id is None or ctx.pack.measures is None:
        return []
    found = []
    for measure in measure_store.for_customer(ctx.store.db, customer_id, live_only=True):
        try:
            spec = ctx.pack.measures.type(measure.spec)
        except KeyError:
            continue  # a measure of another pack
        effect = next((e for e in spec.effects if e.channel.value == channel and not (outgoing and e.refuse)), None)
        found.append(MeasureOnRecord(measure, spec, describe(ctx, measure, spec), effect))
    return sorted(found, key=lambda item: (not item.refused_here, KIND_ORDER[item.spec.kind]))


def restricted_here(ctx: Context, customer_id: str | None, channel: str, *, outgoing: bool = False) -> bool:
    """A live measure turns this customer away on `channel` (the flows' `only_if = "restricted"`)."""
    return any(item.refused_here for item in on_record(ctx, customer_id, channel, outgoing=outgoing))


@dataclass(frozen=True)
class MeasureLine:
    """A measure on the customer's record: live or lifted, its reason, and its detail where allowed."""

    measure: Measure
    spec: MeasureSpec | None
    text: str


def for_record(ctx: Context, customer_id: str) -> list[MeasureLine]:
    """Every measure on a customer's record, live first."""
    lines = []
    for measure in measure_store.for_customer(ctx.store.db, customer_id):
        spec = None
        if ctx.pack.measures is not None:
            spec = next((t for t in ctx.pack.measures.types if t.id == measure.spec), None)
        text = describe(ctx, measure, spec) if spec else f"{measure.spec} (another procedure's measure)"
        lines.append(MeasureLine(measure, spec, text))
    return lines


def may_read_detail(ctx: Context, actor: Actor) -> bool:
    """Whether the actor's role may read the investigation's detail (council 13.3: a restricted area)."""
    return ctx.pack.measures is not None and actor.role in ctx.pack.measures.detail_roles


def read_detail(ctx: Context, actor: Actor, measure_id: str) -> str | None:
    """The investigation's detail of a measure for the roles allowed (each reading recorded as an
    event); None for everyone else."""
    if not may_read_detail(ctx, actor):
        return None
    measure = measure_store.measure(ctx.store.db, measure_id)
    if measure is None:
        raise NotFound(f"No measure {measure_id}.")
    if not measure.detail:
        return ""
    db = ctx.store.db
    with write(db):
        projections.record(db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="measure.detail_viewed",
                           stream=f"customer:{measure.customer_id}", payload={"measure_id": measure_id})
    return measure.detail
