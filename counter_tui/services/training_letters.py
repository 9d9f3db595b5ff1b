"""A practice customer's letters signed off and sent before the practice starts (a scenario's
`[setup] letters_sent`): HMPO's written communications warning letter, so the next abusive letter
goes to the barring letter ("Written communications: customer continues to be abusive").

Recorded in the practice database as the real route leaves it — the letter opened on the newest
earlier contact, sent for sign off by one practice colleague, signed off by another, and its
sending task done — so the flows' `letter_sent:` condition reads it exactly as it would at work.
"""

from __future__ import annotations

from counter_tui.policy.letter_templates import body, load_template, subject
from counter_tui.services.context import Context
from counter_tui.services.hand_off import About, create_task, open_letter
from counter_tui.store import projections, queries
from counter_tui.store.connection import write

DRAFTER, APPROVER = "P0001", "P0002"


def send_letters(ctx: Context, contact_id: str, letter_ids: list[str]) -> None:
    """Each letter of the pack in `letter_ids`, signed off and sent, on the earlier contact `contact_id`."""
    db = ctx.store.db
    contact = queries.contact(db, contact_id)
    with write(db):
        for spec_id in letter_ids:
            spec = ctx.pack.letter(spec_id)
            about = About(office=contact.office, customer_name=contact.customer_name, reference=contact.reference,
                          channel=contact.channel, contact_id=contact.id, incident_id=contact.incident_id)
            template = load_template(spec.template)
            fields = {"customer_name": contact.customer_name, "reference": contact.reference, "office": contact.office,
                      "application_office": contact.office, "organisation": ctx.settings.organisation}
            draft = {"subject": subject(template, fields), "body": body(template, fields),
                     "application_office": contact.office, "live_application": "yes" if contact.reference else "no"}
            drafted = {"at": ctx.clock.now(), "actor": DRAFTER, "role": ctx.pack.task(spec.sign_off).role}
            letter_id = open_letter(db, drafted, spec.id, about)
            projections.record(db, **drafted, kind="letter.submitted", stream=f"letter:{letter_id}",
                               payload={"letter_id": letter_id, "draft": draft, "version": 1})
            approved = drafted | {"actor": APPROVER}
            projections.record(db, **approved, kind="letter.approved", stream=f"letter:{letter_id}",
                               payload={"letter_id": letter_id, "approved_name": "A practice colleague", "actions": []})
            if spec.sent_by is None:
                continue
            task_id = create_task(ctx, db, drafted, ctx.pack.task(spec.sent_by),
                                  About(**{**about.__dict__, "letter_id": letter_id}))
            projections.record(db, **drafted, kind="task.done", stream=f"task:{task_id}",
                               payload={"task_id": task_id, "contact_id": None, "note": "Sent (practice record)."})
