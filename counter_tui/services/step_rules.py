"""Rules on who may take a step beyond its role: a step the contact's own member of staff alone
takes at their own sign-in (`Step.staff_own_decision`), and a choice taken only once that member of
staff asked for it (`Choice.requires_request`; HMPO: "You, the EO counter manager, must: not allow
the customer to be served by someone else; only allow the customer to be served by someone else,
if the staff member asks for it")."""

from __future__ import annotations

from counter_tui.models.contact import Contact, StepTaken
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.schema import Choice, Flow
from counter_tui.services.errors import Refused


class NotTheirOwn(Refused):
    """The step is for the member of staff the contact is with, at their own sign-in."""


class NotAskedFor(Refused):
    """The choice needs the contact's own member of staff to have asked for it, and they have not."""


def requested(flow: Flow, contact: Contact, taken: list[StepTaken]) -> frozenset[str]:
    """The ids of the choices the contact's own member of staff took under their own sign-in."""
    numbered = {(step.id, n): choice.id for step in flow.steps for n, choice in enumerate(step.choices, 1) if choice.id}
    return frozenset(numbered[(t.step, t.number)] for t in taken
                     if (t.step, t.number) in numbered and t.actor == contact.staff_number)


def may_offer(choice: Choice, asked: frozenset[str]) -> bool:
    """Whether to show a choice: one needing a request only once it was asked for."""
    return choice.requires_request is None or choice.requires_request.choice in asked


def refusal(actor: Actor, flow: Flow, contact: Contact, taken: list[StepTaken], decision: engine.Decision) -> Refused | None:
    """Why `actor` may not take this decision on this contact (None: they may)."""
    immediate = decision.choice.immediate_risk and decision.choice not in decision.step.choices
    if immediate:
        return None
    if decision.step.staff_own_decision and actor.number != contact.staff_number:
        return NotTheirOwn(f"Only {contact.staff_name}, the member of staff dealing with the customer, may answer "
                           "this, signed in as themselves.")
    wanted = decision.choice.requires_request
    if wanted is not None and wanted.choice not in requested(flow, contact, taken):
        return NotAskedFor(wanted.refusal)
    return None
