"""Sample data for `counter demo --policy dwp` (the DWP Child Maintenance Group procedure): a
client marked potentially violent nearly a year ago (the team leader re-established the
relationship two days later), whose review now nears; an instance from
today waiting for the team leader's form and the nominated manager's decision; and threats in a
letter from someone whose identity is not known. Made through the same services as real work."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from counter_tui.clock import FixedClock
from counter_tui.services import contacts, incident_report, measures, queue, records
from counter_tui.services.context import Context
from counter_tui.services.demo import FACILITIES, MAIN, SECOND, DemoLogin, actor_of, add_logins, call

DWP_LOGINS = [
    DemoLogin("7001", "712327", "Kim Taylor", "caseworker", MAIN, "caseworker: take a call"),
    DemoLogin("7002", "723427", "Lee Morgan", "team_leader", MAIN, "team leader: consider instances"),
    DemoLogin("7003", "734527", "Pat Quinn", "nominated_manager", MAIN, "nominated manager: decide, review"),
    DemoLogin("7004", "745627", "Rosa Diaz", "caseworker", MAIN, "caseworker: the post"),
    DemoLogin("7005", "756727", "Ruth Kemp", "line_manager", MAIN, "line manager: signs off CMEL9271"),
]

BOOTH = ("Mr Neil Booth", "CMS 7741 0092")
"""Today's instance: waiting for the nominated manager's decision (mark him, restrict him to writing)."""

INSTANCE = {"instance_type": "Verbal abuse (inc by telephone); threats", "source": "The caseworker on the call"}


def fill(ctx: Context, now: datetime) -> None:
    """Fill an empty database with the DWP demo's sample record, ending just before `now`."""
    settings = ctx.settings.model_copy(update={"offices": [MAIN, SECOND], "office_facilities": FACILITIES})
    clock = FixedClock(now - timedelta(days=356), tick=timedelta(seconds=1))
    demo = replace(ctx, settings=settings, clock=clock)
    add_logins(demo, DWP_LOGINS)
    kim, lee, pat, rosa, _ruth = (actor_of(x) for x in DWP_LOGINS)

    # Nearly a year ago: Ms Pryce threatened Kim; the team leader completed the form and the
    # nominated manager marked her potentially violent for twelve months, so her review now nears.
    call(demo, kim, "telephone", [2, 2], name="Ms Joan Pryce", ref="CMS 3318 2044", query="Why her payments changed",
         note="Said she knew where I lived and would wait for me outside the office.", clock=clock,
         extra=INSTANCE | {"instance_type": "Threats, which are implied or otherwise"})
    clock.advance(timedelta(hours=2))
    _consider(demo, lee, "Ms Joan Pryce", "Kim was shaken; took twenty minutes away from the phones.")
    clock.advance(timedelta(hours=3))
    decide = _task(demo, pat, "Ms Joan Pryce", "decide_instance")
    measures.decide(demo, pat, decide, measures=[{
        "spec": "pv_marker", "reason": "Threatened to wait for a caseworker outside the office, naming where she lives.",
        "review_on": "", "detail": "Call recording listened to by the team leader: the threat is clear at 04:10.",
    }])

    # Two days later the team leader re-established the relationship: reached, and she gave assurance.
    clock.advance(timedelta(days=2))
    contact_id = queue.open_task(demo, lee, _task(demo, lee, "Ms Joan Pryce", "reestablish_contact"))
    for number in (1, 2, 1, 4):
        clock.advance(timedelta(minutes=2))
        contacts.take_step(demo, lee, contact_id, number, at_step=contacts.view(demo, contact_id).step.id)
    contacts.save_note(demo, lee, contact_id, "Reached her at home: she accepted the threat was unacceptable and "
                       "gave assurance it will not happen again. The marker stays until its review.", version=0)
    records.finish(demo, lee, contact_id, {fid: text for fid, _, text, _ in records.draft_record(demo, lee, contact_id)})

    # Today: Mr Booth swore at Kim and threatened her; the call ended. The form and the decision wait.
    clock.advance(now - timedelta(hours=3) - clock.now())
    call(demo, kim, "telephone", [2, 2], name=BOOTH[0], ref=BOOTH[1], query="Arrears on his case",
         note="Swore at me repeatedly and said I would 'regret it' if the deductions went ahead; ended the call.",
         clock=clock, extra=INSTANCE)
    # And a letter with threats whose sender gave no name.
    clock.advance(timedelta(hours=1))
    call(demo, rosa, "written", [2], name="", ref="", query="Unsigned letter",
         note="An unsigned letter threatening 'the woman who took my money' at the office.", clock=clock,
         extra=INSTANCE | {"instance_type": "Threats made in writing or via email", "source": "The post room"})


def _task(ctx: Context, actor, customer_name: str, spec: str) -> str:
    return next(i.task.id for i in queue.my_queue(ctx, actor).items
                if i.task.customer_name == customer_name and i.task.spec == spec)


def _consider(ctx: Context, team_leader, customer_name: str, views: str) -> None:
    """The team leader's incident report form, completed."""
    task_id = _task(ctx, team_leader, customer_name, "consider_instance")
    values = {f.id: f.text for f in incident_report.draft(ctx, team_leader, task_id).fields}
    values.update(evidence="Listened to the call recording.", views=views,
                  support="Offered the Employee Assistance Programme information.")
    incident_report.complete(ctx, team_leader, task_id, values, version=0)
