"""What must be true before a decision on control measures, where the pack asks it: the
investigation for the same incident has taken place, or the decider records why it is not relevant
(council 13.2); and before a restriction, the customer was given the opportunity to modify their
actions (when, and how), or an instant-ban trigger happened, ticked with what happened (council 12.2).
The decider also records whether the customer may be vulnerable or is of no fixed address (10.2).

Every rule is pack data (`measures.investigation_task`, `measures.chance_to_modify`): a pack that
names neither is unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from counter_tui.models.task import Task
from counter_tui.policy.schema_records import ChanceToModify
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors
from counter_tui.store import queries
from counter_tui.text import NoteText, ShortText


@dataclass(frozen=True)
class Investigation:
    """The investigation that comes before the decision, as it stands for the decision's incident."""

    state: Literal["none", "open", "done"]
    task: Task | None = None
    note: str = ""
    """What the investigator recorded when they completed it."""


def investigation(ctx: Context, decision: Task) -> Investigation | None:
    """The investigation for `decision`'s incident (None where the pack names none)."""
    spec = ctx.pack.measures.investigation_task if ctx.pack.measures else None
    if spec is None:
        return None
    found = queries.incident_tasks(ctx.store.db, decision.incident_id, spec) if decision.incident_id else []
    still_open = [task for task, _ in found if task.status == "open"]
    if still_open:
        return Investigation("open", still_open[0])
    if found:
        task, note = found[-1]
        return Investigation("done", task, note)
    return Investigation("none")


@dataclass(frozen=True)
class Evidence:
    """A request to modify taken in the contact that raised the decision: the opportunity given."""

    on: date
    how: str
    label: str
    """The choice taken at that step, as recorded."""


def asks_anything(ctx: Context) -> bool:
    """True where the pack asks something before a decision (pack data only: no query)."""
    return ctx.pack.measures is not None and (ctx.pack.measures.investigation_task is not None
                                              or ctx.pack.measures.chance_to_modify is not None)


def chance(ctx: Context) -> ChanceToModify | None:
    """The pack's chance-to-modify question (None where the pack asks none)."""
    return ctx.pack.measures.chance_to_modify if ctx.pack.measures else None


def evidence(ctx: Context, decision: Task) -> Evidence | None:
    """The first request to modify in the contact that raised `decision`, if there was one."""
    asked = chance(ctx)
    if asked is None or not asked.evidence_steps or not decision.contact_id:
        return None
    for step in queries.steps(ctx.store.db, decision.contact_id):
        if step.step in asked.evidence_steps:
            return Evidence(on=step.at.astimezone(ctx.settings.zone).date(), how=asked.evidence_how, label=step.label)
    return None


class Before(BaseModel):
    """What the decider recorded before deciding, as typed."""

    investigation_not_relevant: NoteText = ""
    """Why the investigation is not relevant (asked only while it is open)."""
    chance_given: bool = False
    chance_on: str = ""
    """The date the opportunity to modify was given (YYYY-MM-DD)."""
    chance_how: ShortText = ""
    instant_ban: dict[str, NoteText] = Field(default_factory=dict)
    """The instant-ban triggers ticked, each with what happened."""
    vulnerable: bool = False
    no_fixed_address: bool = False


def check(ctx: Context, decision: Task, typed: dict | None, *, restricting: bool, today: date) -> dict:
    """`typed` (Before's fields) checked against the pack's rules; returns what the decision stores.

    Raises:
        FieldErrors: keyed `before.FIELD` (`before.instant_ban.ID` for a trigger) so each shows beside its field.
    """
    try:
        before = Before(**(typed or {}))
    except ValidationError as error:
        raise FieldErrors({f"before.{k}": v for k, v in FieldErrors.from_validation(error).errors.items()}) from None
    found = investigation(ctx, decision)
    if found is None and chance(ctx) is None:
        return {}  # the pack asks nothing before a decision
    errors: dict[str, str] = {}
    stored: dict = {"vulnerable": before.vulnerable, "no_fixed_address": before.no_fixed_address}
    if found is not None:
        stored["investigation"] = {"state": found.state, "task_id": found.task.id if found.task else None,
                                   "not_relevant": before.investigation_not_relevant.strip() if found.state == "open" else ""}
        if found.state == "open" and not before.investigation_not_relevant.strip():
            errors["before.investigation_not_relevant"] = (
                f"The investigation ({found.task.title}, {found.task.id}) is still open: "
                f"{ctx.pack.measures.investigation_section or 'the guidance'} has it take place before the decision. "
                "Wait for it, or say why it is not relevant here.")
    asked = chance(ctx)
    if asked is not None and restricting:
        stored["chance_to_modify"] = _check_chance(asked, before, today, errors)
    if errors:
        raise FieldErrors(errors)
    return stored


def _check_chance(asked: ChanceToModify, before: Before, today: date, errors: dict[str, str]) -> dict:
    """The opportunity to modify, or the instant-ban triggers, checked into `errors`; what is stored."""
    triggers = {t.id: t for t in asked.instant_ban}
    ticked = {}
    for trigger_id, happened in before.instant_ban.items():
        if trigger_id not in triggers:
            errors[f"before.instant_ban.{trigger_id}"] = "Not an instant-ban trigger of this procedure."
        elif not happened.strip():
            errors[f"before.instant_ban.{trigger_id}"] = "Say what happened."
        else:
            ticked[trigger_id] = happened.strip()
    stored = {"given": before.chance_given, "on": None, "how": "", "instant_ban": ticked}
    if before.chance_given:
        try:
            on = date.fromisoformat(before.chance_on.strip())
        except ValueError:
            errors["before.chance_on"] = "Type the date it was given as YYYY-MM-DD, for example 2026-11-30."
        else:
            if on > today:
                errors["before.chance_on"] = "The date it was given cannot be after today."
            stored["on"] = on.isoformat()
        if before.chance_how not in asked.how:
            errors["before.chance_how"] = "Choose how the opportunity was given."
        stored["how"] = before.chance_how
    elif not before.instant_ban:
        errors["before.chance_given"] = (
            f"Before a restriction the customer is given the opportunity to modify their actions ({asked.section}): "
            "record when and how it was given, or tick the instant-ban trigger that happened, with what happened.")
    return stored
