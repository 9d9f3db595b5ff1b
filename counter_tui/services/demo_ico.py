"""Sample data for `counter demo --policy ico` (the Information Commissioner's Office procedure,
"Dealing with difficult or unacceptable customer behaviour"): a caller whose contact a Head of
Department restricted six weeks ago after his line manager found his behaviour persistent (7.2, 12),
with a letter of unacceptable comments since, discussed with the line manager (7.6); yesterday's
call ended after an explanation and a warning, whose terminated call log waits for the line
manager's discussion (7.4, 8); this morning's threat of self-harm, passed to a senior member of
staff (11.2); and a call-back by that senior member of staff arranged for this afternoon (9.1).
Made through the same services as real work."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from counter_tui.clock import FixedClock
from counter_tui.services import contacts, measures, queue
from counter_tui.services.context import Context
from counter_tui.services.demo import FACILITIES, MAIN, SECOND, DemoLogin, actor_of, add_logins, call

ICO_LOGINS = [
    DemoLogin("7501", "751227", "Maya Fitzgerald", "call_handler", MAIN, "member of staff: take a call"),
    DemoLogin("7502", "752327", "Tom Hargreaves", "line_manager", MAIN, "line manager: a terminated call log"),
    DemoLogin("7503", "753427", "Aisha Rahman", "senior", MAIN, "senior: a threat of self-harm"),
    DemoLogin("7504", "754527", "Gareth Pugh", "head_of_department", MAIN, "Head of Department: restrictions"),
    DemoLogin("7505", "755627", "Owen Lloyd", "call_handler", MAIN, "member of staff: the post"),
]

RESTRICTED = ("Mr Derek Holloway", "IC-48213-K7P2")
"""Persistent about a closed complaint: his contact restricted by a Head of Department (7.2, 12.1)."""

RESTRICTION_TERMS = ("Calls about his closed complaint are taken only by his case officer, on Tuesdays 10:00-12:00; "
                     "other calls are closed politely and noted on the case. Letters are answered as normal.")
"""The restricted contact record (12.3): shown at the start of every contact with him."""

ENDED = ("Mr Craig Benson", "RFA0457712")
"""Yesterday's call, ended after an explanation and a warning: the line manager's discussion waits (8.2)."""

SELF_HARM = ("Ms Rachel Dunn", "IC-51190-Q3D8")
"""This morning's threat of self-harm: the senior member of staff's assessment waits (11.5)."""

ESCALATION = ("Mr Alan Pritchard", "IC-50677-M2W4")
"""Asked for a manager; none was free: the senior member of staff calls him back this afternoon (9.1)."""


def fill(ctx: Context, now: datetime) -> None:
    """Fill an empty database with the ICO demo's sample record, ending just before `now`."""
    settings = ctx.settings.model_copy(update={"offices": [MAIN, SECOND], "office_facilities": FACILITIES})
    clock = FixedClock(now - timedelta(days=42), tick=timedelta(seconds=1))
    demo = replace(ctx, settings=settings, clock=clock)
    add_logins(demo, ICO_LOGINS)
    maya, tom, aisha, gareth, owen = (actor_of(x) for x in ICO_LOGINS)

    # Six weeks ago: Mr Holloway rang Maya for the fourteenth time this month about his closed
    # complaint; she consulted her line manager (7.2), who asked a Head of Department to restrict his
    # contact; the next day the Head of Department did, with the terms staff now see (12.1, 12.3).
    holloway = call(demo, maya, "telephone", [2], name=RESTRICTED[0], ref=RESTRICTED[1],
                    query="His complaint about a council's CCTV, closed in August", clock=clock,
                    note="Fourteenth call this month on the same points; we cannot add anything to our answer.")
    clock.advance(timedelta(hours=3))
    queue.complete_task(demo, tom, _task(demo, tom, RESTRICTED[0], "consider_persistent"),
                        "Persistent: nothing new since the case closed. Asked the Head of Department to restrict.")
    customer_id = contacts.view(demo, holloway).contact.customer_id
    measures.propose(demo, tom, customer_id, "Fourteen calls this month about a complaint closed in August, each "
                     "raising issues we have already addressed (7.2).")
    clock.advance(timedelta(days=1))
    measures.decide(demo, gareth, _task(demo, gareth, RESTRICTED[0], "restriction_decision"), measures=[{
        "spec": "restricted_contact", "reason": RESTRICTION_TERMS,
        "review_on": measures.add_months(measures.today(demo), 6).isoformat(),
    }])

    # A week ago: a letter from him calling Owen's colleagues liars and worse, discussed with the
    # line manager before any reply (7.6).
    clock.advance(now - timedelta(days=7) - clock.now())
    call(demo, owen, "written", [3, 1], name=RESTRICTED[0], ref=RESTRICTED[1],
         query="Letter about his closed complaint", clock=clock,
         note="'You are all liars and incompetent fools, and I will make sure everyone knows your names.'")
    clock.advance(timedelta(hours=4))
    queue.complete_task(demo, tom, _task(demo, tom, RESTRICTED[0], "discuss_written_reply"),
                        "Agreed a short reply with Owen restating the decision and the review route; full names given.")

    # Yesterday afternoon: Mr Benson swore at Maya, did not stop when told precisely what was
    # unacceptable, nor after the warning; she ended the call politely (7.4) and completed the log (8.1).
    clock.advance(now - timedelta(hours=18) - clock.now())
    call(demo, maya, "telephone", [3, 3, 2, 1], name=ENDED[0], ref=ENDED[1],
         query="Why his FOI request to a hospital trust was refused", clock=clock,
         note="Called me a useless idiot and swore repeatedly; carried on after I explained and warned him.")

    # This morning: Ms Dunn said she would harm herself if her complaint was not upheld. Maya advised
    # her to contact the emergency services and passed the details to Aisha at once (11.2).
    clock.advance(now - timedelta(hours=1) - clock.now())
    call(demo, maya, "telephone", [5, 1], name=SELF_HARM[0], ref=SELF_HARM[1],
         query="Her complaint about her former employer's handling of her records", clock=clock,
         note="Said she would take an overdose tonight if we did not uphold her complaint; calm but very low.",
         extra={"customer_details": "The telephone number and address on her case file", "senior": aisha.name})

    # Then: Mr Pritchard asked for a manager. Escalating would help, but no one senior was free; Maya
    # agreed this afternoon's time with Aisha (9.1).
    clock.advance(timedelta(minutes=20))
    later = (now + timedelta(hours=5, minutes=30)).astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
    call(demo, maya, "telephone", [6, 3, 1], name=ESCALATION[0], ref=ESCALATION[1],
         query="A data breach by his bank, unresolved for three months", clock=clock,
         note="Wants a manager to look again at whether the bank's answer was adequate.",
         extra={"customer_details": "The mobile number on his case file", "manager": f"{aisha.name}, Senior case officer",
                "call_back_at": later,
                "confirmed": "Agreed with her in person before I confirmed the time to him"})


def _task(ctx: Context, actor, customer_name: str, spec: str) -> str:
    return next(i.task.id for i in queue.my_queue(ctx, actor).items
                if i.task.customer_name == customer_name and i.task.spec == spec)
