"""A manager's view of the contacts in progress, and taking one over (ICO 14.2: "direct
intervention, taking control of a customer contact where necessary").

Which roles may do this is the pack's `[take_over]`; a pack without it lets nobody. Taking over is
an event naming both members of staff and the manager's reason; from then on the contact's steps
are the manager's, and the member of staff it was taken from is refused a step (their note is kept).
This is for a manager at another terminal: a colleague who switches user at the same terminal
(`f2`) carries on a contact without taking it over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from counter_tui.models.contact import Contact
from counter_tui.models.staff import Actor
from counter_tui.policy.schema import CHANNEL_NAMES
from counter_tui.services import contacts
from counter_tui.services.access import refuse, require_any_role
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import TextProblem, clean_text

QUIET_LIMIT = timedelta(hours=2)
"""A contact with nothing recorded for this long (no step, no note) is not live: its terminal died
or its handler moved away. It stays on its handler's list to resume, not on the managers' view."""

REASON_LIMIT = 2000
"""The most characters a take-over's reason may have."""


@dataclass(frozen=True)
class LiveContact:
    """A contact in progress, as a manager sees it before taking it over."""

    contact: Contact
    step_title: str
    """The step the contact is at now."""
    last_at: datetime
    """When something was last recorded on it (started, a step, a note)."""

    @property
    def handler_name(self) -> str:
        """Who is handling it now."""
        return self.contact.handler_name

    @property
    def channel(self) -> str:
        return CHANNEL_NAMES[self.contact.channel] if self.contact.channel in CHANNEL_NAMES else self.contact.channel


def _require(ctx: Context, actor: Actor, what: str) -> None:
    """Refuse (and record) anyone whose role the pack's `[take_over]` does not name."""
    rules = ctx.pack.take_over
    if rules is None:
        refuse(ctx, actor, what, "this procedure lets nobody take over a contact")
    require_any_role(ctx, actor, rules.roles, what)


def who_to_call(ctx: Context, refused: contacts.NotYourDecision) -> str:
    """Who to call for a decision that is another role's: they take the contact over at their own
    sign-in where the pack's `[take_over]` names that role, or else they sign in at this terminal (f2)."""
    who = " or the ".join(refused.roles)
    names = {r.id: r.name for r in ctx.pack.roles}
    rules = ctx.pack.take_over
    if rules is not None and any(names.get(r) in refused.roles for r in rules.roles):
        return f"Call the {who}: they take this contact over at their own sign-in (Live contacts, l on the start screen)."
    return f"Call the {who}: they press f2 here and sign in as themselves to decide."


def live_contacts(ctx: Context, actor: Actor) -> list[LiveContact]:
    """The contacts in progress, the longest running first: started, not at a final step (the record
    being written), not finished, with something recorded within QUIET_LIMIT. A member of staff's
    welfare record (their HR file) is not a customer contact and is never listed.

    Raises:
        Refused: the actor's role may not take over contacts (recorded).
    """
    _require(ctx, actor, "see the live contacts")
    found = []
    for contact, last_at in queries.live_contacts(ctx.store.db, active_since=ctx.clock.now() - QUIET_LIMIT):
        try:
            flow = ctx.pack.flow(contact.flow)
            step = flow.step(contact.step)
        except KeyError:  # a contact of another pack (the organisation changed pack): not this one's
            continue
        if step.is_final or flow.staff_record:
            continue
        found.append(LiveContact(contact=contact, step_title=step.title, last_at=last_at))
    return found


def take_over(ctx: Context, actor: Actor, contact_id: str, *, reason: str) -> str:
    """Take a live contact over from whoever handles it, with the reason; returns the contact's id.

    The event (`contact.taken_over`) names both members of staff (from, to) and the reason; the
    steps after it are the manager's.

    Raises:
        Refused: the actor's role may not take over contacts (recorded); the contact is finished (or
            its flow reached its end: the record is being written), is a welfare record, or is theirs already.
        NotFound: no such contact.
        FieldErrors: no reason given (`reason`), or one that cannot be accepted.
    """
    _require(ctx, actor, f"take over contact {contact_id}")
    db = ctx.store.db
    with write(db):
        current = contacts.view(ctx, contact_id)
        contact = current.contact
        if contact.status != "open" or current.step.is_final:
            raise Refused(f"Contact {contact_id} is already finished: it cannot be taken over.")
        if current.flow.staff_record:
            raise Refused("A member of staff's welfare record is not a customer contact: it cannot be taken over.")
        if contact.handler_number == actor.number:
            raise Refused(f"Contact {contact_id} is already yours.")
        if not reason.strip():
            raise FieldErrors({"reason": "Give the reason for taking over this contact: it is recorded with both names."})
        try:
            text = clean_text(reason, max_length=REASON_LIMIT, multiline=True, required=True)
        except TextProblem as problem:
            raise FieldErrors({"reason": str(problem)}) from None
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="contact.taken_over",
            stream=f"contact:{contact_id}",
            payload={
                "contact_id": contact_id, "from_number": contact.handler_number, "from_name": contact.handler_name,
                "to_number": actor.number, "to_name": actor.name, "to_role": actor.role, "reason": text,
                "step": contact.step, "section": ctx.pack.take_over.section,
            },
        )
    return contact_id
