"""Guided contacts: start one, take its steps, save the note and the customer's details as typed, resume.

Each decision is stored with its UTC timestamp, in order, before the screen moves on. What happens
when a flow ends (the record, the incident, the hand-offs) is `services.records`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from counter_tui.models.contact import Contact, StepTaken
from counter_tui.models.customer import Customer
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.schema import Choice, Flow, Step
from counter_tui.services import customers, step_rules
from counter_tui.services.access import require_role
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import Name, NoteText, Reference, ShortText


class ContactDetails(BaseModel):
    """Who the customer is and what they want, typed once at the start (all may be left empty)."""

    customer_name: Name = ""
    reference: Reference = ""
    query: ShortText = ""


class NoteConflict(Exception):
    """The note was saved elsewhere since this copy was read; the newer text is in `current`."""

    def __init__(self, current: str, version: int) -> None:
        self.current, self.version = current, version
        super().__init__("The note was changed elsewhere since you opened it.")


class TakenOver(Refused):
    """A manager took the contact over (ICO 14.2): its steps are theirs now, not the screen's user's."""

    def __init__(self, contact: Contact, at: str) -> None:
        self.by_name = contact.taken_over_name or ""
        super().__init__(f"Taken over by {self.by_name} at {at}: the contact is theirs now.")


class NotYourDecision(Refused):
    """The pack gives this step's decision to another role (HMPO: the EO counter manager's at the
    counter): refused and recorded, nothing else stored; `roles` names who decides."""

    def __init__(self, roles: list[str]) -> None:
        self.roles = roles
        super().__init__(f"Only the {' or the '.join(roles)} may decide this.")


@dataclass(frozen=True)
class ContactView:
    """A contact with where it stands in its flow: what a contact screen shows."""

    contact: Contact
    flow: Flow
    state: engine.FlowState
    step: Step
    taken: list[StepTaken]
    facts: engine.Facts
    """The office's facilities and the customer's earlier warnings, as the choices depend on them."""
    customer: Customer | None = None
    """The customer in the register (None: not known yet)."""

    @property
    def offered(self) -> list[tuple[int, Choice]]:
        """The choices to show now, as (the pack's number, choice); shown numbered 1, 2, 3... in order."""
        asked = step_rules.requested(self.flow, self.contact, self.taken)
        return [(n, c) for n, c in engine.offered(self.step, self.facts) if step_rules.may_offer(c, asked)]

    @property
    def immediate_risk(self) -> Choice | None:
        """The one-key immediate-risk branch (key 0), where the flow has one and the step is not final."""
        return None if self.step.is_final else engine.immediate_risk_choice(self.flow)


def _details(customer_name: str, reference: str, query: str) -> ContactDetails:
    try:
        return ContactDetails(customer_name=customer_name, reference=reference, query=query)
    except ValidationError as error:
        raise FieldErrors.from_validation(error) from None


def start_contact(
    ctx: Context, actor: Actor, flow_id: str, *, customer_name: str = "", reference: str = "", query: str = "",
    task_id: str | None = None, customer_id: str | None = None,
) -> str:
    """Begin a guided contact and return its id.

    The customer is `customer_id` from the register, or else the one the name and reference name
    (found, or added to the register); with neither, the customer is not known yet.

    Raises:
        FieldErrors: the customer's details cannot be accepted (shown beside each field).
        Refused: a follow-up flow started by someone without its role.
        NotFound: no customer `customer_id`.
    """
    flow = ctx.pack.flow(flow_id)
    if flow.staff_record:  # the member of staff's HR record: nothing of the customer's on it
        customer_name = reference = query = ""
        customer_id = None
    if customer_id is not None:
        known = customers.get(ctx, customer_id)
        customer_name, reference = known.name, known.reference
    details = _details(customer_name, reference, query)
    if flow.follow_up:
        require_role(ctx, actor, flow.role, f"start {flow.title!r}")
    db = ctx.store.db
    with write(db):
        if customer_id is None:
            customer_id = customers.resolve(db, ctx, actor, details.customer_name, details.reference)
            if customer_id is not None:  # what the register knows fills in what was not typed
                known = customers.get(ctx, customer_id)
                details = details.model_copy(update={"customer_name": details.customer_name or known.name,
                                                     "reference": details.reference or known.reference})
        contact_id = projections.next_id(db, "contact", "C")
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="contact.started",
            stream=f"contact:{contact_id}",
            payload={
                "contact_id": contact_id, "pack": ctx.pack.id, "flow": flow.id, "channel": flow.channel.value,
                "office": actor.office, "staff_number": actor.number, "staff_name": actor.name,
                "customer_name": details.customer_name, "reference": details.reference, "query": details.query,
                "step": flow.start, "task_id": task_id, "customer_id": customer_id,
            },
        )
    return contact_id


def facts_for(ctx: Context, contact: Contact) -> engine.Facts:
    """What the pack's conditions ask about this contact: its office's facilities (configuration),
    where the flow counts them the customer's warnings in earlier contacts of this channel, and
    whether a live control measure turns the customer away on this channel."""
    from counter_tui.services.measure_record import restricted_here

    flow = ctx.pack.flow(contact.flow)
    earlier = 0
    if flow.earlier_warnings:
        earlier = queries.earlier_warnings(ctx.store.db, customer_id=contact.customer_id, reference=contact.reference,
                                           channel=contact.channel, before=contact.id)
    return engine.Facts(facilities=frozenset(ctx.settings.office_facilities.get(contact.office, [])), earlier_warnings=earlier,
                        restricted=restricted_here(ctx, contact.customer_id, contact.channel, outgoing=flow.follow_up),
                        letters_sent=_letters_sent(ctx, flow, contact), origin=_origin(ctx, contact))


def _letters_sent(ctx: Context, flow: Flow, contact: Contact) -> frozenset[str]:
    """The letters the flow's `letter_sent:` conditions ask about that were signed off and sent to
    this customer (none for a customer not known yet)."""
    from counter_tui.store import letters as letter_store

    asked = {c.only_if.lstrip("!").removeprefix("letter_sent:") for step in flow.steps for c in step.choices
             if c.only_if and c.only_if.lstrip("!").startswith("letter_sent:")}
    if not asked or contact.customer_id is None:
        return frozenset()
    sent_by = {spec.id: spec.sent_by for spec in ctx.pack.letters if spec.id in asked and spec.sent_by}
    return letter_store.sent_to_customer(ctx.store.db, contact.customer_id, sent_by)


def _origin(ctx: Context, contact: Contact) -> str:
    """Where the contact that handed off this follow-up's task finished ('' if none)."""
    if contact.task_id is None:
        return ""
    task = queries.task(ctx.store.db, contact.task_id)
    if task is None or task.contact_id is None:
        return ""
    origin = queries.contact(ctx.store.db, task.contact_id)
    if origin is None or origin.flow not in {f.id for f in ctx.pack.flows}:
        return ""
    return engine.replay(ctx.pack, origin.flow, [s.number for s in queries.steps(ctx.store.db, origin.id)]).step_id


def view(ctx: Context, contact_id: str) -> ContactView:
    """The contact and its place in the flow, rebuilt from the steps stored."""
    db = ctx.store.db
    contact = queries.contact(db, contact_id)
    if contact is None:
        raise NotFound(f"No contact {contact_id}.")
    taken = queries.steps(db, contact_id)
    state = engine.replay(ctx.pack, contact.flow, [s.number for s in taken])
    flow = ctx.pack.flow(contact.flow)
    customer = customers.get(ctx, contact.customer_id) if contact.customer_id else None
    return ContactView(contact=contact, flow=flow, state=state, step=flow.step(state.step_id), taken=taken,
                       facts=facts_for(ctx, contact), customer=customer)


def take_step(
    ctx: Context, actor: Actor, contact_id: str, number: int, *, at_step: str, handler: str | None = None,
) -> ContactView:
    """Take choice `number` (the pack's number; 0 for immediate risk) at step `at_step`, storing it
    with its timestamp before returning.

    `at_step` is the step the screen showed: a second press arriving after the first moved the
    contact on is refused rather than taken at the wrong step. Likewise `handler`, whose contact the
    screen showed it as (`Contact.handler_number`): once a manager has taken it over, a screen drawn
    for an earlier handler is refused, whoever is signed in at it (a colleague may have switched user
    there); and anyone it was taken over from is refused, screen or not. A colleague who switched
    user at the handler's own terminal carries on as before.

    Raises:
        TakenOver: a manager took the contact over from the screen's handler or from this actor.
        NotYourDecision: the pack gives this decision to a role the actor does not hold (recorded as
            a refusal; the step is not taken).
        step_rules.NotTheirOwn / NotAskedFor: the step is the contact's own member of staff's, or the
            choice needs their request (recorded as a refusal in the same way).
        Refused: the contact is finished, or was moved on elsewhere.
        engine.ChoiceNotOffered: no such choice here.
        StoreBusy / StoreUnavailable: nothing was stored; the screen keeps the step for a retry.
    """
    db = ctx.store.db
    with write(db):
        current = view(ctx, contact_id)
        if current.contact.status != "open":
            raise Refused("This contact is already finished.")
        _check_handler(ctx, actor, current.contact, handler)
        if current.state.step_id != at_step:
            raise Refused("This contact has moved on since the screen was drawn.")
        decision = engine.choose(ctx.pack, current.state, number, current.facts)
        refusal = _not_their_decision(ctx, actor, decision) or step_rules.refusal(
            actor, current.flow, current.contact, current.taken, decision)
        if refusal is None:
            projections.record(
                db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="step.taken",
                stream=f"contact:{contact_id}",
                payload={
                    "contact_id": contact_id, "position": len(current.taken) + 1, "step": decision.step.id,
                    "number": number, "label": _label(ctx, current, decision),
                    "said": decision.step.words(actor.name, actor.office) if decision.choice.words_said else [],
                    "next": decision.after.step_id, "immediate_risk": decision.choice.immediate_risk,
                    "warning": decision.step.warning and decision.choice.words_said,
                },
            )
        else:  # another role's decision: the refusal is the one thing recorded
            projections.record(
                db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="access.refused",
                stream=f"staff:{actor.number}",
                payload={"what": f"take {decision.choice.label!r} at {decision.step.title!r}", "reason": str(refusal),
                         "contact_id": contact_id, "step": decision.step.id, "number": number},
            )
    if refusal is not None:
        raise refusal
    return view(ctx, contact_id)


def _label(ctx: Context, current: ContactView, decision: engine.Decision) -> str:
    """The choice as recorded: at a step that names whom to call now (the member of staff's line
    manager), with who that was, so the record says whom the customer was referred to."""
    if "line_manager" not in decision.step.show_setting or decision.choice.immediate_risk:
        return decision.choice.label
    from counter_tui.services import line_managers

    return f"{decision.choice.label} ({line_managers.whom(ctx, current.contact)})"


def _not_their_decision(ctx: Context, actor: Actor, decision: engine.Decision) -> NotYourDecision | None:
    """The refusal of a choice the pack gives to roles the actor does not hold (None: theirs to take)."""
    roles = engine.deciders(decision.step, decision.choice)
    if not roles or actor.role in roles:
        return None
    known = {r.id: r.name for r in ctx.pack.roles}
    return NotYourDecision([known.get(r, r) for r in roles])


def _check_handler(ctx: Context, actor: Actor, contact: Contact, handler: str | None) -> None:
    """Refuse a step on a contact taken over from `handler` (the screen's) or from the actor."""
    owner = contact.taken_over_by
    if owner is None or actor.number == owner:
        return
    if (handler is not None and handler != owner) or actor.number in queries.taken_from(ctx.store.db, contact.id):
        from counter_tui.services.record_text import local_time

        raise TakenOver(contact, local_time(ctx, contact.taken_over_at)[:5])


def update_details(
    ctx: Context, actor: Actor, contact_id: str, *, customer_name: str, reference: str, query: str,
    customer_version: int | None = None,
) -> int | None:
    """Correct who the customer is or their query during the contact.

    The customer's record in the register changes too, if `customer_version` (the version the screen
    read) is still current; a contact whose customer was not known yet is linked to the customer
    these details name, and a reference that is another customer's moves the contact to them.
    Returns the customer's version now (None: still not known).

    Raises:
        FieldErrors: the details cannot be accepted.
        CustomerConflict: the customer's record changed elsewhere; nothing is written.
    """
    details = _details(customer_name, reference, query)
    db = ctx.store.db
    with write(db):
        contact = queries.contact(db, contact_id)
        if contact is None:
            raise NotFound(f"No contact {contact_id}.")
        customer_id, version = contact.customer_id, None
        moved_to = customers.other_with_reference(db, details.reference, customer_id) if customer_id else None
        if moved_to is not None:
            # The reference is another customer's: this contact was with them, not a change to this one.
            customer_id, version = moved_to.id, moved_to.version
        elif customer_id is not None:
            if customer_version is None:
                customer_version = customers.get(ctx, customer_id).version
            version = customers.change(db, ctx, actor, customer_id, name=details.customer_name,
                                       reference=details.reference, version=customer_version)
        else:
            customer_id = customers.resolve(db, ctx, actor, details.customer_name, details.reference)
            version = customers.get(ctx, customer_id).version if customer_id else None
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="contact.details_changed",
            stream=f"contact:{contact_id}",
            payload={"contact_id": contact_id, **details.model_dump(), "customer_id": customer_id},
        )
    return version


def set_connection(ctx: Context, actor: Actor, contact_id: str, *, ended: bool) -> ContactView:
    """Record that a video contact's connection ended (or came back), with the time."""
    db = ctx.store.db
    with write(db):
        current = view(ctx, contact_id)
        if current.contact.status != "open":
            raise Refused("This contact is already finished.")
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="contact.connection",
            stream=f"contact:{contact_id}", payload={"contact_id": contact_id, "ended": ended},
        )
    return view(ctx, contact_id)


class _Note(BaseModel):
    text: NoteText


def save_note(ctx: Context, actor: Actor, contact_id: str, text: str, *, version: int) -> int:
    """Save the note as typed so far; returns the new version.

    Raises:
        FieldErrors: the note cannot be accepted (too long, control characters).
        NoteConflict: someone saved a newer note; nothing is overwritten.
    """
    try:
        note = _Note(text=text)
    except ValidationError as error:
        raise FieldErrors.from_validation(error) from None
    db = ctx.store.db
    with write(db):
        contact = queries.contact(db, contact_id)
        if contact is None:
            raise NotFound(f"No contact {contact_id}.")
        if contact.note_version != version:
            raise NoteConflict(contact.note, contact.note_version)
        if contact.note == note.text:
            return version
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="note.saved",
            stream=f"contact:{contact_id}", payload={"contact_id": contact_id, "text": note.text, "version": version + 1},
        )
    return version + 1


def interrupted(ctx: Context, actor: Actor) -> list[Contact]:
    """This member of staff's contacts left open (the terminal died, or they moved away)."""
    return queries.open_contacts(ctx.store.db, actor.number)
