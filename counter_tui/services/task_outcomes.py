"""What tasks about a customer recorded when they were done with a form (`done_form`: HMPO's
examiner's outcome of an admin refusal), for the customer's record: by the form's labels, with who
recorded it and when. The pack names no outcomes where the document names none; these are the
words the member of staff typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui.services.context import Context
from counter_tui.services.errors import NotFound
from counter_tui.store import customers, earlier_records, staff


@dataclass(frozen=True)
class TaskOutcome:
    task_id: str
    title: str
    done_at: datetime
    done_by: str
    """The name of whoever marked it done (their staff number if no longer on the register)."""
    fields: list[tuple[str, str]]


def for_customer(ctx: Context, customer_id: str) -> list[TaskOutcome]:
    """The customer's tasks done with a form, newest first.

    Raises:
        NotFound: no such customer.
    """
    db = ctx.store.db
    customer = customers.customer(db, customer_id)
    if customer is None:
        raise NotFound(f"No customer {customer_id}.")
    found = []
    for task, stored in earlier_records.task_outcomes(db, customer_id=customer_id, reference=customer.reference):
        try:
            form = ctx.pack.form(ctx.pack.task(task.spec).done_form or "")
            labels = {f.id: f.label for f in form.fields}
        except KeyError:  # another pack's task: its field ids stand for its labels
            labels = {}
        found.append(TaskOutcome(task.id, task.title, task.done_at, staff.name_of(db, task.done_by) or task.done_by or "",
                                 [(labels.get(key, key), text) for key, text in stored.items()]))
    return found
