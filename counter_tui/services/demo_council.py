"""Sample data for `counter demo --policy council` (a council's Managing Unacceptable Customer
Actions staff guidance): a customer who threatened staff at reception some weeks ago and whom the
Determination Team banned from the premises (12.2; 15.1), with a positive action logged since
(15.3); a persistent complainant whose complaints procedure is exhausted (11); and a call from today
ended after a request to modify (5.1), whose decision waits for the Determination Team (13.1); and a
threat at reception this morning, whose decision waits for the Health and Safety officer's open
investigation (13.2).
Made through the same services as real work."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from counter_tui.clock import FixedClock
from counter_tui.services import measure_conditions, measures, positive_actions, queue
from counter_tui.services.context import Context
from counter_tui.services.demo import FACILITIES, MAIN, SECOND, DemoLogin, actor_of, add_logins, call
from counter_tui.store import queries

COUNCIL_LOGINS = [
    DemoLogin("8001", "812327", "Amy Clarke", "staff_member", MAIN, "staff member (reception): take a contact"),
    DemoLogin("8002", "823427", "Ben Walsh", "line_manager", MAIN, "line manager: reports to support"),
    DemoLogin("8003", "834527", "Cath Noble", "determination_team", MAIN, "determination team: decide today's call"),
    DemoLogin("8004", "845627", "Dev Patel", "health_and_safety_officer", MAIN, "health and safety officer"),
]

BANNED = ("Mr Keith Roper", "C-4471")
"""Threatened staff at reception some weeks ago: banned from the premises (12.2), one positive action since."""

COMPLAINANT = ("Mrs Irene Hale", "C-3056")
"""Persistently making the same complaint: the complaints procedure is exhausted (11)."""

TODAY = ("Mr Alan Pike", "C-5120")
"""Today's call, ended after a request to modify: the Determination Team's decision waits."""

THREAT_TODAY = ("Mr Neil Dunn", "C-6208")
"""This morning at reception, threatened staff: the Health and Safety officer's investigation is open
(13.2) and the Determination Team's decision waits for it."""


def fill(ctx: Context, now: datetime) -> None:
    """Fill an empty database with the council demo's sample record, ending just before `now`."""
    settings = ctx.settings.model_copy(update={"offices": [MAIN, SECOND], "office_facilities": FACILITIES})
    clock = FixedClock(now - timedelta(days=42), tick=timedelta(seconds=1))
    demo = replace(ctx, settings=settings, clock=clock)
    add_logins(demo, COUNCIL_LOGINS)
    amy, ben, cath, dev = (actor_of(x) for x in COUNCIL_LOGINS)

    # Six weeks ago at reception: Mr Roper threatened Amy and would not stop when asked; she ended the
    # conversation and completed the Health and Safety Incident form (13.4). No report to the Police.
    roper = call(demo, amy, "counter", [2, 1, 5, 2, 1, 2], name=BANNED[0], ref=BANNED[1],
                 query="Housing repair he says was never done", clock=clock,
                 note="Shouted that he would 'wait for me after work and sort me out'; kept on when asked to stop.",
                 extra={"threats": "Yes", "body_camera": "Yes", "line_manager": ben.name})
    customer_id = queries.contact(demo.store.db, roper).customer_id
    clock.advance(timedelta(hours=2))
    _done(demo, ben, BANNED[0], "report_to_line_manager",
          "Sat with Amy while she completed the form; she did not want to report it to the Police.")
    clock.advance(timedelta(days=2))
    _done(demo, dev, BANNED[0], "health_and_safety_report",
          "Watched the body camera footage: the threat is clear. Reception layout reviewed; no change needed.")
    clock.advance(timedelta(days=1))
    review_on = measures.add_months(measures.today(demo), 6).isoformat()
    measures.decide(demo, cath, _task(demo, cath, BANNED[0], "determination_decision"), measures=[{
        "spec": "premises_ban", "review_on": review_on,
        "reason": "Threatened to inflict harm on a member of staff at reception: an instant ban (12.2).",
        "told": "Letter sent by recorded delivery setting out the ban and the reasons for it (10.2).",
        "detail": "Body camera footage and the Health and Safety officer's investigation considered.",
    }], before={"instant_ban": {"threat_of_harm": "Said he would 'wait for me after work and sort me out' (Amy, reception)."}})
    # Three weeks later he rang to apologise and was polite throughout: a balanced picture (15.3).
    clock.advance(timedelta(days=21))
    positive_actions.log(demo, amy, customer_id,
                         "Rang to apologise for his conduct at reception; calm and polite throughout the call.")

    # Two weeks ago: Mrs Hale rang again about the same complaint, fully answered at every stage of the
    # feedback policy; asked to modify, she persisted and the call was ended politely.
    clock.advance(timedelta(days=2))
    call(demo, amy, "telephone", [3, 2, 2, 1, 1], name=COMPLAINANT[0], ref=COMPLAINANT[1],
         query="Her complaint about the bin collection, closed at stage two", clock=clock,
         note="Same complaint for the ninth time this year; would not accept the stage two answer.")
    clock.advance(timedelta(hours=3))
    _done(demo, ben, COMPLAINANT[0], "report_to_line_manager", "Talked it through with Amy; the form is complete.")
    clock.advance(timedelta(days=1))
    hale_task = _task(demo, cath, COMPLAINANT[0], "determination_decision")
    asked = measure_conditions.evidence(demo, queries.task(demo.store.db, hale_task))  # the call's request to modify
    measures.decide(demo, cath, hale_task, before={"chance_given": True, "chance_on": asked.on.isoformat(),
                                                   "chance_how": asked.how}, measures=[{
        "spec": "complaint_in_writing", "review_on": measures.add_months(measures.today(demo), 6).isoformat(),
        "reason": "The complaints procedure has been exhausted and she continues to dispute the decision (11).",
        "told": "Letter explaining the restriction; referred her to the Local Government and Social Care Ombudsman.",
    }])

    # Today: Mr Pike swore at Amy and did not stop when asked to; she ended the call politely.
    clock.advance(now - timedelta(hours=2) - clock.now())
    call(demo, amy, "telephone", [2, 2, 2, 1, 1], name=TODAY[0], ref=TODAY[1],
         query="Council tax arrears letter", clock=clock,
         note="Swore at me repeatedly about the arrears letter; carried on after I asked him to stop.",
         extra={"line_manager": ben.name})

    # An hour later at reception: Mr Dunn threatened Amy; the investigation is open, the decision waits (13.2).
    clock.advance(timedelta(minutes=50))
    call(demo, amy, "counter", [2, 1, 5, 2, 1, 2], name=THREAT_TODAY[0], ref=THREAT_TODAY[1],
         query="Parking permit refused", clock=clock,
         note="Said he would 'come back and smash the place up, and you with it'; kept on when asked to stop.",
         extra={"threats": "Yes", "body_camera": "Yes", "line_manager": ben.name})


def _task(ctx: Context, actor, customer_name: str, spec: str) -> str:
    return next(i.task.id for i in queue.my_queue(ctx, actor).items
                if i.task.customer_name == customer_name and i.task.spec == spec)


def _done(ctx: Context, actor, customer_name: str, spec: str, note: str) -> None:
    queue.complete_task(ctx, actor, _task(ctx, actor, customer_name, spec), note)
