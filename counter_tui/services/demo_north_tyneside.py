"""Sample data for `counter demo --policy north_tyneside` (North Tyneside Council's "Delivering Safe
Customer Service"): a customer who threatened an employee at a Customer First Centre five weeks ago
(she withdrew, informed the Police, had her private 121 with her line manager, and the team or service
manager restricted his access to council buildings: 5.6; 5.9; 6); a caller who kept ringing about the
same issue and would not moderate (Repetition), now restricted on that issue and represented by her
support worker (5.9; 9), whose employee has yet to sign the notes of her 121; an abusive e-mail last
week; and today, racist abuse at the counter (a possible hate crime, 4; 5.7), whose online incident
report, 121 meeting, Police decision and further action all wait. Made through the same services as
real work."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from counter_tui.clock import FixedClock
from counter_tui.services import contacts, incident_report, measures, queue, records, welfare
from counter_tui.services.context import Context
from counter_tui.services.demo import FACILITIES, MAIN, SECOND, DemoLogin, actor_of, add_logins, call

NORTH_TYNESIDE_LOGINS = [
    DemoLogin("9001", "912327", "Lucy Armstrong", "employee", MAIN, "employee (Customer First Centre): take a contact"),
    DemoLogin("9002", "923427", "Gary Robson", "line_manager", MAIN, "line manager: today's incident report and 121"),
    DemoLogin("9003", "934527", "Aisha Khan", "service_team_manager", MAIN, "team or service manager: Police, further action"),
    DemoLogin("9004", "945627", "Peter Charlton", "health_and_safety_team", MAIN, "Health & Safety Team: support an investigation"),
    DemoLogin("9005", "956727", "Sophie Bell", "employee", MAIN, "employee (contact centre): sign your 121 notes"),
]

THREATENED = ("Mr Darren Holt", "NT-40213")
"""Threatened Lucy at the counter five weeks ago: his access to council buildings is restricted (5.9)."""

PERSISTENT = ("Mrs Janet Whitfield", "NT-31877")
"""Rang again and again about the same refund (Repetition): restricted on that issue, with a representative (9)."""

EMAIL = ("Mr Ross Pattinson", "NT-58804")
"""An abusive e-mail last week: replied to, recorded, nothing more."""

TODAY = ("Mr Kevin Marsh", "NT-52290")
"""Racist abuse at the counter this morning: a possible hate crime, everything still to do."""


def fill(ctx: Context, now: datetime) -> None:
    """Fill an empty database with the North Tyneside demo's sample record, ending just before `now`."""
    settings = ctx.settings.model_copy(update={"offices": [MAIN, SECOND], "office_facilities": FACILITIES})
    clock = FixedClock(now - timedelta(days=35), tick=timedelta(seconds=1))
    demo = replace(ctx, settings=settings, clock=clock)
    add_logins(demo, NORTH_TYNESIDE_LOGINS)
    lucy, gary, aisha, peter, sophie = (actor_of(x) for x in NORTH_TYNESIDE_LOGINS)

    # Five weeks ago at the counter: Mr Holt leaned over the counter and threatened Lucy. She pressed 0
    # (immediate danger or threat), withdrew, told Gary, and chose to inform the Police (5.6).
    call(demo, lucy, "counter", [0, 1, 2, 1], name=THREATENED[0], ref=THREATENED[1],
         query="Housing repair he says was never done", clock=clock,
         note="Leaned over the counter and said he would 'wait for me after work'; would not step back.")
    clock.advance(timedelta(hours=1))
    _done(demo, lucy, THREATENED[0], "inform_police", "Reported to Northumbria Police; crime reference CR/4471/26.")
    clock.advance(timedelta(hours=2))
    _report(demo, gary, THREATENED[0], threats="yes", police="yes", riddor="no",
            support_and_actions="Sat with Lucy after the incident; reception lone-working risk assessment reviewed.")
    clock.advance(timedelta(hours=20))
    signed = _one_to_one(demo, gary, THREATENED[0], support=2,
                         feeling="Shaken; wants to stay on the counter but not alone at closing time.")
    clock.advance(timedelta(hours=3))
    welfare.sign(demo, lucy, signed, agreed=True)
    clock.advance(timedelta(days=1))
    _done(demo, peter, THREATENED[0], "health_and_safety_support",
          "Reviewed the building risk assessment with Gary: a second member of staff on the counter at closing time.")
    clock.advance(timedelta(days=1))
    six_months = measures.add_months(measures.today(demo), 6).isoformat()
    measures.decide(demo, aisha, _task(demo, aisha, THREATENED[0], "consider_further_action"), measures=[
        {"spec": "restrict_buildings", "review_on": six_months,
         "reason": "All Customer First Centres: on his housing repair, by appointment at the housing office only.",
         "told": "Letter sent by recorded delivery explaining the restriction and why.",
         "detail": "Discussed with the Health & Safety Team; CCTV reviewed; Police informed by the employee."},
        {"spec": "behaviour_discussed", "reason": "Rang him: explained why his behaviour was unacceptable and what we "
         "will do if it happens again; he does not want support from another agency."},
    ])

    # Three weeks ago: Mrs Whitfield rang Sophie about the same council tax refund for the twelfth time
    # this month; asked to moderate, she carried on, and Sophie ended the call.
    clock.advance(timedelta(days=11))
    call(demo, sophie, "telephone", [3, 2, 1, 2, 1, 1], name=PERSISTENT[0], ref=PERSISTENT[1],
         query="Her council tax refund for 2019", clock=clock,
         note="Twelfth call this month about the same refund, answered in full in March; would not accept it.")
    clock.advance(timedelta(hours=4))
    _report(demo, gary, PERSISTENT[0], support_and_actions="Listened to the call with Sophie; no further risk assessment needed.")
    clock.advance(timedelta(days=2))
    measures.decide(demo, aisha, _task(demo, aisha, PERSISTENT[0], "consider_further_action"), measures=[
        {"spec": "restrict_services", "review_on": six_months,
         "reason": "Council tax service: on her 2019 refund only, in writing to the revenues team leader; other "
                   "council tax matters as normal.",
         "told": "Letter explaining the restriction, the issue it covers and how to write to us."},
        {"spec": "representative", "review_on": six_months,
         "reason": "Her support worker, Ms Carol Dunn (adult social care), may represent her on any issue."},
    ])

    # Last week: an abusive e-mail to the housing team; Sophie replied asking him to moderate it.
    clock.advance(timedelta(days=10))
    call(demo, sophie, "written", [2, 4, 1, 1, 1], name=EMAIL[0], ref=EMAIL[1],
         query="E-mail about his housing application", clock=clock,
         note="Called the team 'useless parasites' and worse, in capitals, three times in one e-mail.")
    clock.advance(timedelta(hours=5))
    _report(demo, gary, EMAIL[0], support_and_actions="Talked it through with Sophie; nothing further needed.")

    # Yesterday: Gary met Sophie about both; the notes of the meeting wait for her signature.
    clock.advance(now - timedelta(days=1) - clock.now())
    _one_to_one(demo, gary, PERSISTENT[0], support=1, feeling="Tired of the repeated calls; glad of the restriction.")
    clock.advance(timedelta(hours=1))
    signed = _one_to_one(demo, gary, EMAIL[0], support=3, feeling="Not upset by the e-mail; no support needed now.")
    welfare.sign(demo, sophie, signed, agreed=True)

    # This morning at the counter: Mr Marsh racially abused Lucy. Asked to moderate, he carried on and she
    # ended the conversation; she has not decided about the Police, so the team or service manager decides.
    clock.advance(now - timedelta(hours=2) - clock.now())
    call(demo, lucy, "counter", [2, 3, 1, 2, 1, 3, 2], name=TODAY[0], ref=TODAY[1],
         query="Parking permit renewal", clock=clock,
         note="Shouted racist abuse about my ethnicity when told the permit needed proof of address.",
         extra={"protected_characteristic": "Race"})


def _task(ctx: Context, actor, customer_name: str, spec: str) -> str:
    return next(i.task.id for i in queue.my_queue(ctx, actor).items
                if i.task.customer_name == customer_name and i.task.spec == spec)


def _done(ctx: Context, actor, customer_name: str, spec: str, note: str) -> None:
    queue.complete_task(ctx, actor, _task(ctx, actor, customer_name, spec), note)


def _report(ctx: Context, manager, customer_name: str, **values: str) -> None:
    """The line manager's online incident report, completed from the employee's record."""
    task_id = _task(ctx, manager, customer_name, "complete_incident_report")
    typed = {f.id: f.text for f in incident_report.draft(ctx, manager, task_id).fields}
    incident_report.complete(ctx, manager, task_id, typed | values, version=0)


def _one_to_one(ctx: Context, manager, customer_name: str, *, support: int, feeling: str) -> str:
    """The private 121 meeting held and its notes written; returns the employee's task to sign them."""
    contact_id = queue.open_task(ctx, manager, _task(ctx, manager, customer_name, "welfare_one_to_one"))
    for number in (1, support, 1, 1):
        contacts.take_step(ctx, manager, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, manager, contact_id)}
    fields.update(
        meeting="The small meeting room on the first floor, the day after the incident.",
        discussion=feeling,
        support_situation="A colleague on the counter with them at busy times for the next month.",
        support_wellbeing="Reminded of the Mental Health First Aiders and the Employee Assistance Programme.",
        measures="Informal support from me; signposted to the Employee Assistance Programme.",
        actions="I check in weekly for a month; they tell me at once if the customer contacts them again.",
    )
    return records.finish(ctx, manager, contact_id, fields).task_ids[0]
