"""Signed-off letters on a customer's record: a line for each at the start of a contact (a bar on
this channel first), and a line for each of an incident's letters with its e-mail by state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui.policy.letter_templates import load_template
from counter_tui.policy.schema import CHANNEL_NAMES
from counter_tui.services import outbox
from counter_tui.services.context import Context
from counter_tui.services.letters import _spec
from counter_tui.store import letters as letter_store


STATUS_NAMES = {"deciding": "waiting for the decision whether to write it", "drafting": "being drafted",
                "submitted": "waiting for sign off", "returned": "returned to the drafter", "approved": "signed off",
                "not_agreed": "not agreed", "declined": "not written"}


def incident_letters(ctx: Context, incident_id: str) -> list[str]:
    """One line per letter of an incident: what it is, where it stands, and its e-mail by state."""
    lines = []
    for letter in letter_store.letters_for_incident(ctx.store.db, incident_id):
        states: dict[str, int] = {}
        for message in outbox.messages(ctx, letter_id=letter.id):
            states[message.status] = states.get(message.status, 0) + 1
        mail = ", ".join(f"{n} {outbox.STATE_NAMES[s]}" for s, n in sorted(states.items()))
        title = load_template(_spec(ctx, letter).template).title
        closed = f" ({letter.closed_reason})" if letter.status in ("not_agreed", "declined") and letter.closed_reason else ""
        lines.append(f"{letter.id} {title}: {STATUS_NAMES[letter.status]}{closed}" + (f" · e-mail: {mail}" if mail else ""))
    return lines


@dataclass(frozen=True)
class OnRecord:
    """A signed-off letter as the start of a contact shows it."""

    text: str
    """What it is and when it was signed off, and what it bars."""
    barred_here: bool
    """It bars the customer on the channel of the contact at hand."""
    barring: bool = False
    """It bars the customer on some channel."""


KIND_NAMES = {"CSO": "Customer Service Offices (CSO)", "CSC": "Customer Service Centres (CSC)"}


def _where(ctx: Context, spec, channel: str, office: str) -> tuple[bool, str]:
    """Whether a barring letter bars the customer on this channel at this office, and what to add to
    its line: the kinds of office it bars them from, and where this office's kind is not configured."""
    on_channel = channel in {c.value for c in spec.bars}
    if not spec.bars_at or set(spec.bars_at) == set(KIND_NAMES):
        return on_channel, ""
    at = " at " + " and ".join(KIND_NAMES[k] for k in spec.bars_at) + " only"
    if not office or not on_channel:
        return on_channel, at
    kind = ctx.settings.office_kinds.get(office)
    if kind is None:  # the document gives no default: shown as a bar, never silently hidden
        return True, at + f" — office kind not configured for {office} (office_kinds): treat it as barred here"
    if kind in spec.bars_at:
        return True, at
    return False, at + f" — not at this office ({office} is a {kind})"


def on_record(ctx: Context, signed_off: list[tuple[str, datetime]], channel: str, office: str = "") -> list[OnRecord]:
    """The customer's signed-off letters (from `CustomerSummary.letters`), barring letters for this
    channel (at this office, where a letter bars only at some kinds of office) first, each in a line."""
    found = []
    for spec_id, approved_at in signed_off:
        try:
            spec = ctx.pack.letter(spec_id)
        except KeyError:
            continue  # a letter of another pack
        day = approved_at.astimezone(ctx.settings.zone)
        text = f"{load_template(spec.template).title}, signed off {day.day} {day:%b %Y}"
        here, where = _where(ctx, spec, channel, office)
        if spec.bars:
            text += " — barred: " + ", ".join(CHANNEL_NAMES[c].lower() for c in spec.bars) + where
        found.append(OnRecord(text, here, bool(spec.bars)))
    return sorted(found, key=lambda item: (not item.barred_here, not item.barring))


def on_record_for(ctx: Context, customer_id: str | None, channel: str, office: str = "") -> list[OnRecord]:
    """`on_record` for a customer in the register (none for a customer not known yet)."""
    if customer_id is None:
        return []
    from counter_tui.store import customers as register

    return on_record(ctx, register.signed_off_letters(ctx.store.db, customer_id), channel, office)


def closed_for(ctx: Context, customer_id: str) -> list[OnRecord]:
    """The customer's letters that ended without a letter going: the approver did not agree, or the
    drafter decided not to write it, each with the reason (none of them bars anyone)."""
    found = []
    for letter in letter_store.closed_without_letter(ctx.store.db, customer_id):
        try:
            title = load_template(_spec(ctx, letter).template).title
        except KeyError:
            continue  # a letter of another pack
        day = letter.closed_at.astimezone(ctx.settings.zone) if letter.closed_at else None
        when = f" {day.day} {day:%b %Y}" if day else ""
        found.append(OnRecord(f"{title}: {STATUS_NAMES[letter.status]}{when} — {letter.closed_reason}", False))
    return found
