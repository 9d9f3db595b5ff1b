"""The words of a record: prefilling a form's fields from what the contact captured, and checking them.

So nothing is typed twice: who you spoke to comes from the details typed at the start, what you
told the customer from the words of the steps confirmed, what they said or did from the note.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from counter_tui.models.contact import Contact
from counter_tui.models.staff import Actor
from counter_tui.policy.schema import CHANNEL_NAMES, OPTION_SEPARATOR, Channel, Form, FormField
from counter_tui.services.errors import FieldErrors
from counter_tui.store import queries
from counter_tui.text import TextProblem, clean_text

if TYPE_CHECKING:
    from counter_tui.services.context import Context
    from counter_tui.services.contacts import ContactView


FORMATS = {"time": "%H:%M:%S", "date_time": "%d %b %Y %H:%M", "day_time": "%d %b %H:%M", "day": "%d %b"}


def local_time(ctx: Context, moment, with_date: bool = False, *, style: str | None = None) -> str:
    """A stored UTC moment in the organisation's local time, as staff read it.

    Args:
        with_date: include the date (`25 Nov 2026 09:00`) rather than the time alone (`09:00:00`).
        style: one of FORMATS by name, overriding `with_date` (`day_time` is `25 Nov 09:00`).
    """
    if moment is None:  # a task with no due time: neither the guidance nor the configuration sets one
        return "no time set by the guidance"
    local = moment.astimezone(ctx.settings.zone)
    return local.strftime(FORMATS[style or ("date_time" if with_date else "time")])


def customer_history(ctx: Context, contact: Contact) -> str:
    """One line on what happened with this customer before, shown before the first word is said:
    how many earlier contacts, and the newest few with their outcome and warnings."""
    total, rows = queries.customer_history(ctx.store.db, customer_id=contact.customer_id, reference=contact.reference,
                                           name=contact.customer_name,
                                           before=contact.id)
    if not total:
        return "No earlier contacts on record." if contact.reference or contact.customer_name else ""
    parts = []
    for row in rows:
        outcome = "open" if row["status"] == "open" else (row["outcome"] or "").replace("_", " ")
        warned = f", {row['warnings']} warning{'s' if row['warnings'] != 1 else ''}" if row["warnings"] else ""
        channel = CHANNEL_NAMES[Channel(row["channel"])].lower()
        parts.append(f"{local_time(ctx, row['started_at'], style='day')} {channel} {outcome}{warned}")
    return f"Earlier contacts: {total} — " + "; ".join(parts)


def said(ctx: Context, current: ContactView) -> str:
    """What staff told the customer: the words of each confirmed step, with the time."""
    lines = []
    for taken in current.taken:
        if taken.said:
            words = " ".join(taken.said)
            lines.append(f"{local_time(ctx, taken.at)} {words}")
    return "\n".join(lines)


def steps(ctx: Context, current: ContactView) -> str:
    """The timeline of decisions taken."""
    timeline = [(current.contact.started_at, f"{current.flow.title} began")]
    for taken in current.taken:
        timeline.append((taken.at, f"{current.flow.step(taken.step).title}: {taken.label}"))
    for at, ended in queries.connection_changes(ctx.store.db, current.contact.id):
        timeline.append((at, "The connection ended" if ended else "The connection came back"))
    timeline.sort(key=lambda item: item[0])
    return "\n".join(f"{local_time(ctx, at)} {text}" for at, text in timeline)


def prefill(ctx: Context, current: ContactView, source: str | None, actor: Actor) -> str:
    """The first text of a form field, from the contact (empty where nothing was captured)."""
    contact = current.contact
    match source:
        case "customer_name":
            return contact.customer_name
        case "reference":
            return contact.reference
        case "query":
            return contact.query
        case "said":
            return said(ctx, current)
        case "note" | "ended_reason":
            return contact.note
        case "steps":
            return steps(ctx, current)
        case "staff_name":
            return contact.staff_name
        case "started_at":
            return local_time(ctx, contact.started_at, with_date=True)
        case "today":
            return today(ctx).isoformat()
        case "behaviour":  # the behaviour the flow's choices recorded (why the customer was warned)
            return ctx.pack.behaviour(current.state.behaviour).name if current.state.behaviour else ""
    return ""


def chosen(current: ContactView) -> dict[str, str]:
    """What the choices taken put in the form's fields (`Choice.records`), a later choice winning."""
    found: dict[str, str] = {}
    for taken in current.taken:
        try:
            step = current.flow.step(taken.step)
        except KeyError:
            continue
        if 1 <= taken.number <= len(step.choices):
            found.update(step.choices[taken.number - 1].records)
    return found


def origin_record(ctx: Context, current: ContactView) -> dict[str, str]:
    """The record of the contact whose hand-off opened this follow-up ({} for a contact staff started)."""
    task_id = current.contact.task_id
    task = queries.task(ctx.store.db, task_id) if task_id else None
    if task is None or task.contact_id is None:
        return {}
    return queries.contact_record(ctx.store.db, task.contact_id)


def today(ctx: Context) -> date:
    """Today's date in the organisation's time zone."""
    return ctx.clock.now().astimezone(ctx.settings.zone).date()


WHEN_FORMAT = "%Y-%m-%d %H:%M"
"""How a date and time is typed in a `when` field: 2026-12-03 14:30 (local time)."""


def parse_when(text: str, zone) -> datetime:
    """A `when` field's local date and time as a UTC moment.

    Raises:
        TextProblem: it is not typed as YYYY-MM-DD HH:MM.
    """
    try:
        local = datetime.strptime(text.strip(), WHEN_FORMAT)
    except ValueError:
        raise TextProblem("Type the date and time as YYYY-MM-DD HH:MM, for example 2026-12-03 14:30.") from None
    return local.replace(tzinfo=zone).astimezone(UTC)


DAY_FORMAT = "%Y-%m-%d"
"""How a date is typed in a `day` field: 2026-12-03."""


def parse_day(text: str, zone) -> datetime:
    """A `day` field's local date as the UTC moment its day begins.

    Raises:
        TextProblem: it is not typed as YYYY-MM-DD.
    """
    try:
        local = datetime.strptime(text.strip(), DAY_FORMAT)
    except ValueError:
        raise TextProblem("Type the date as YYYY-MM-DD, for example 2026-12-03.") from None
    return local.replace(tzinfo=zone).astimezone(UTC)


def picked(field: FormField, text: str) -> list[str]:
    """The values of an `options` field as picked, in the options' order.

    Raises:
        TextProblem: a value is not one of the field's options, or several where one is allowed.
    """
    values = [value.strip() for value in text.split(OPTION_SEPARATOR.strip()) if value.strip()]
    for value in values:
        if value not in field.options:
            raise TextProblem("That is not one of the choices: pick from the list.")
    if len(values) > 1 and not field.many:
        raise TextProblem("Pick one of the choices, not several.")
    return [option for option in field.options if option in values]


def check_record_field(field: FormField, text: str, *, required: bool | None = None) -> str:
    """Validate one field of a form (raises FieldErrors naming the field)."""
    single_line = not field.multiline or bool(field.options)
    try:
        if field.options and (field.required if required is None else required) and not text.strip():
            raise TextProblem("Pick at least one from the list." if field.many else "Pick one from the list.")
        cleaned = clean_text(
            text, max_length=500 if single_line else 20_000, multiline=not single_line,
            required=field.required if required is None else required,
        )
        if field.options and cleaned:
            cleaned = OPTION_SEPARATOR.join(picked(field, cleaned))
        if field.when and cleaned:
            parse_when(cleaned, UTC)
        if field.day and cleaned:
            parse_day(cleaned, UTC)
        return cleaned
    except TextProblem as problem:
        raise FieldErrors({field.id: str(problem)}) from None


def check_when(ctx: Context, form: Form, record: dict[str, str]) -> dict[str, datetime]:
    """The `when` fields typed, as UTC moments, each later than now, and the `day` fields, as the
    moment their local day begins, none later than today (FieldErrors beside any that is not)."""
    found, errors = {}, {}
    for field in form.fields:
        if field.day and record.get(field.id):
            moment = parse_day(record[field.id], ctx.settings.zone)
            if moment.astimezone(ctx.settings.zone).date() > today(ctx):
                errors[field.id] = "This cannot be later than today."
            found[field.id] = moment
        if field.when and record.get(field.id):
            moment = parse_when(record[field.id], ctx.settings.zone)
            if moment <= ctx.clock.now():
                errors[field.id] = "This must be later than now."
            found[field.id] = moment
    if errors:
        raise FieldErrors(errors)
    return found


def check_record(form: Form, record: dict[str, str]) -> dict[str, str]:
    """Validate a completed form field by field.

    Raises:
        FieldErrors: one message per field that is missing or cannot be accepted.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for field in form.fields:
        try:
            cleaned[field.id] = check_record_field(field, record.get(field.id, ""))
        except FieldErrors as problem:
            errors.update(problem.errors)
    if errors:
        raise FieldErrors(errors)
    return cleaned
