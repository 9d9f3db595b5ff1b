"""Sample data for `counter demo`: staff in several roles, customers, finished and interrupted calls,
tasks due and overdue. Made through the same services as real work, so it is a true record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from counter_tui.clock import FixedClock
from counter_tui.config import Letterhead, Settings
from counter_tui.models.staff import Actor
from counter_tui.services import contacts, incident_report, letters, line_managers, pin_hash, queue, records, staff, welfare
from counter_tui.services.context import Context


@dataclass(frozen=True)
class DemoLogin:
    number: str
    pin: str
    name: str
    role: str
    office: str
    what: str
    """What this account is for in the demo, in a few words (its role, what to try)."""


MAIN, SECOND = "Main office", "Second office"

def add_logins(demo: Context, logins: list[DemoLogin]) -> None:
    """Put the demo's accounts on its staff register. Their PINs are printed on the sign-in screen, so
    they are hashed at the demo's low cost (each is remade at today's cost at its first sign-in)."""
    for login in logins:
        staff.add_staff(demo, number=login.number, name=login.name, role=login.role, office=login.office,
                        pin=login.pin, cost=pin_hash.DEMO_COST)


HMPO_LINE_MANAGERS = {"1001": "2001", "1002": "2001", "3001": "2001", "3002": "2001", "5001": "2001", "1003": "2002"}
"""Each front-line demo account's own line manager (their welfare tasks go to them); the managers'
own are not recorded, so theirs go to the line managers of their office."""


THIRD_INTERVIEW_REFERENCE = "PEX 5521 0047"
"""A customer already warned in two face-to-face interviews: the third is an admin refusal."""

HMPO_LOGINS = [
    DemoLogin("1001", "123427", "Sam Okafor", "call_handler", MAIN, "call handler: take a call"),
    DemoLogin("2001", "234527", "Jo Lindqvist", "line_manager", MAIN, "line manager: call-backs"),
    DemoLogin("3001", "345627", "Ravi Menon", "interview_officer", MAIN, f"interviews: {THIRD_INTERVIEW_REFERENCE}"),
    DemoLogin("3002", "357927", "Chloe Evans", "counter_staff", MAIN, "counter: post box, no guards"),
    DemoLogin("5001", "567827", "Nia Jones", "caseworker", MAIN, "the post: written abuse"),
    DemoLogin("4001", "456727", "Ade Bello", "heo_counter_manager", MAIN, "HEO counter manager: letters due"),
    DemoLogin("6001", "678927", "Grace Adeyemi", "seo", MAIN, "SEO: signs off letters"),
    DemoLogin("4002", "468027", "Owen Price", "eo_counter_manager", MAIN, "EO: tells the other offices"),
    DemoLogin("1002", "135727", "Priya Shah", "call_handler", MAIN, "an interrupted call"),
    DemoLogin("2002", "246827", "Dan Mercer", "line_manager", SECOND, "2nd office: overdue tasks"),
    DemoLogin("1003", "147027", "Alex Byrne", "call_handler", SECOND, "2nd office: call handler"),
    DemoLogin("6002", "679027", "Marcus Hale", "grade7", MAIN, "Grade 7: decides on the police"),
    DemoLogin("4003", "481327", "Ruth Okoro", "heo", MAIN, "HEO: written communications' letters"),
    DemoLogin("3003", "369127", "Tom Reyes", "examiner", MAIN, "examiner: admin refusals' outcome"),
]

FACILITIES = {MAIN: ["post_box"], SECOND: ["security_guards"]}
"""The demo offices: the main one has an internal post box and no guards, the second guards only."""

DEMO_MAIL_LISTS = {
    "Senior executive officer": ["seo@example.org"],
    "Security liaison officer": ["security-liaison@example.org"],
    f"Grade 7 manager ({MAIN})": ["grade7-main@example.org"],
    f"Grade 7 manager ({SECOND})": ["grade7-second@example.org"],
    "Regional counter manager": ["regional-counters@example.org"],
}
"""Where the demo's letters and notices go (example.org: nothing real)."""


OTHER_DEMOS = {
    "dwp": ("demo_dwp", "DWP_LOGINS", "Child Maintenance Service"),
    "council": ("demo_council", "COUNCIL_LOGINS", "Example Council"),
    "ico": ("demo_ico", "ICO_LOGINS", "Information Commissioner's Office"),
    "north_tyneside": ("demo_north_tyneside", "NORTH_TYNESIDE_LOGINS", "North Tyneside Council"),
}
"""The other packs' sample data: (module in `services`, its logins, the letterhead's name)."""

DEMO_PACKS = ("hmpo", *OTHER_DEMOS)
"""The packs the demo has sample data for."""


def _demo_module(policy: str):
    import importlib

    return importlib.import_module(f"counter_tui.services.{OTHER_DEMOS[policy][0]}")


def settings(base: Settings | None = None, policy: str | None = None) -> Settings:
    """The demo's settings: its pack (HMPO unless `policy` names another with sample data), its two
    offices and their facilities, and a letterhead and mail lists unless `base` (the user's
    configuration: a mail server to try, say) sets its own."""
    base = base or Settings()
    if policy is not None and policy not in DEMO_PACKS:
        raise ValueError(f"the demo has sample data for {', '.join(DEMO_PACKS)} only, not {policy!r}")
    update: dict = {"offices": [MAIN, SECOND], "office_facilities": FACILITIES, "policy": policy or "hmpo"}
    if not base.mail_lists:
        update["mail_lists"] = DEMO_MAIL_LISTS
    if not base.training and (policy or "hmpo") == "hmpo":  # the course platforms the HMPO document names
        update["training"] = ["Metis Learning", "Civil Service Learning"]
    if "measure_review_notice" not in base.deadlines:  # the demo organisation's own setting (the guidance sets none)
        update["deadlines"] = {**base.deadlines, "measure_review_notice": 336.0}
    if not base.letterhead.address:
        organisation = OTHER_DEMOS[policy][2] if policy in OTHER_DEMOS else "HM Passport Office"
        update["letterhead"] = Letterhead(name=f"{organisation} (demo)", address=["1 Example Street", "Exampletown", "EX1 2MP"],
                                          signatory=["Customer Service Office manager"])
    return base.model_copy(update=update)


def logins(policy: str = "hmpo") -> list[DemoLogin]:
    """The demo accounts, shown on the first screen of `counter demo`."""
    if policy in OTHER_DEMOS:
        return list(getattr(_demo_module(policy), OTHER_DEMOS[policy][1]))
    return list(HMPO_LOGINS)


def actor_of(login: DemoLogin) -> Actor:
    return Actor(number=login.number, name=login.name, role=login.role, office=login.office)


def call(ctx: Context, actor: Actor, flow: str, choices: list[int], *, name: str, ref: str, query: str, note: str,
          clock: FixedClock, finish: bool = True, extra: dict[str, str] | None = None) -> str:
    contact_id = contacts.start_contact(ctx, actor, flow, customer_name=name, reference=ref, query=query)
    for number in choices:
        clock.advance(timedelta(seconds=40))
        current = contacts.view(ctx, contact_id)
        contacts.take_step(ctx, actor, contact_id, number, at_step=current.step.id)
    if note:
        contacts.save_note(ctx, actor, contact_id, note, version=0)
    if finish:
        clock.advance(timedelta(minutes=2))
        fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, actor, contact_id)}
        records.finish(ctx, actor, contact_id, fields | (extra or {}))
    return contact_id


def _support_staff(ctx: Context, manager: Actor, task_id: str, feeling: str) -> records.Finished:
    """The line manager's duty to a threatened member of staff, done and recorded (the record then
    waits for the member of staff to sign it)."""
    welfare = queue.open_task(ctx, manager, task_id)
    while not (current := contacts.view(ctx, welfare)).step.is_final:
        contacts.take_step(ctx, manager, welfare, 1, at_step=current.step.id)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, manager, welfare)}
    fields.update(how_they_feel=feeling,
                  support="Reminded them of the Employee Assistance Programme and the staff contact officers.")
    return records.finish(ctx, manager, welfare, fields)


def fill(ctx: Context, now: datetime) -> None:
    """Fill an empty database with the demo's sample record for its pack, ending just before `now`."""
    if ctx.pack.id in OTHER_DEMOS:
        _demo_module(ctx.pack.id).fill(ctx, now)
        return
    settings = ctx.settings.model_copy(update={"offices": [MAIN, SECOND], "office_facilities": FACILITIES})
    clock = FixedClock(now - timedelta(days=11), tick=timedelta(seconds=1))
    demo = replace(ctx, settings=settings, clock=clock)
    add_logins(demo, HMPO_LOGINS)
    for number, manager in HMPO_LINE_MANAGERS.items():
        line_managers.set_line_manager(demo, number, manager)
    sam, jo, ravi, chloe, nia, ade, grace, owen, priya, dan, alex, *_others = (actor_of(x) for x in HMPO_LOGINS)

    # Eleven days ago and last week: two face-to-face interviews in which Ms Kovac was warned and calmed.
    for _ in range(2):
        call(demo, ravi, "face_to_face", [1, 1, 1], name="Ms Dana Kovac", ref=THIRD_INTERVIEW_REFERENCE,
              query="Interview for her first adult passport", clock=clock,
              note="Shouted at me when asked about her referee; calmed down after the warning.")
        clock.advance(timedelta(days=4))
    clock.advance(now - timedelta(days=2, hours=3) - clock.now())

    # Two days ago in the second office: a call ended after a warning; its hand-offs are now overdue.
    call(demo, alex, "telephone", [1, 2, 1], name="Mr Gareth Rowe", ref="PEX 4411 2093",
          query="Why his renewal has not arrived", clock=clock,
          note="Shouted and swore at me twice; said he would 'sort me out' if the passport did not come.")
    clock.advance(timedelta(hours=3))
    # The same day in the main office: one call improved after the warning, one ended and was called back.
    call(demo, sam, "telephone", [1, 1], name="Ms Helen Marsh", ref="PEX 7730 1182",
          query="Changing the name on her application", note="Raised her voice, apologised after the warning.",
          clock=clock)
    ended = call(demo, priya, "telephone", [1, 2, 1], name="Mr Tom Fielding", ref="PEX 9902 5531",
                  query="Fast-track appointment availability", clock=clock,
                  note="Repeated personal abuse about my accent after the warning.")
    clock.advance(timedelta(hours=5))
    for item in queue.my_queue(demo, jo).items:
        if item.task.contact_id == ended and item.task.spec == "call_back":
            call_back = queue.open_task(demo, jo, item.task.id)
            for number in (1, 1, 1):
                clock.advance(timedelta(minutes=1))
                current = contacts.view(demo, call_back)
                contacts.take_step(demo, jo, call_back, number, at_step=current.step.id)
            fields = {fid: text for fid, _, text, _ in records.draft_record(demo, jo, call_back)}
            fields["told"] += "\nExplained why the call was ended; booked a fast-track appointment for him."
            records.finish(demo, jo, call_back, fields)
        elif item.task.contact_id == ended and item.task.spec == "staff_threatened":
            supported = _support_staff(demo, jo, item.task.id, "Upset but wants to carry on; took a short break.")
            clock.advance(timedelta(hours=1))
            welfare.sign(demo, priya, supported.task_ids[0], agreed=True)
        elif item.task.contact_id == ended and item.task.spec == "incident_report":
            values = {f.id: f.text for f in incident_report.draft(demo, jo, item.task.id).fields}
            values["comments"] = "Second call from this customer about the same application this month."
            values |= {"very_serious": "no", "identity_known": "yes"}  # How to deal with serious incidents
            incident_report.complete(demo, jo, item.task.id, values, version=0)
    # Since: an interview ended after a warning (its letter is now overdue), a call refused outright in the second office,
    # and an interrupted call in the main one.
    clock.advance(timedelta(days=1, hours=10))
    call(demo, ravi, "face_to_face", [1, 2, 1], name="Mr Colin Hart", ref="PEX 6610 2284",
          query="Interview to confirm identity", clock=clock,
          note="Repeatedly swore at me and banged the desk after the warning.",
          extra={"why_ended": "His behaviour did not improve after the warning; I could not continue safely."})
    clock.advance(timedelta(minutes=30))
    # A video interview ended the same morning: the HEO drafted its letter, which waits for the SEO.
    call(demo, ravi, "video", [4, 2, 1], name="Ms Erin Walsh", ref="PEX 2208 7713",
          query="Video interview for a renewal", clock=clock,
          note="Screamed into the microphone after the warning (acoustic shock).",
          extra={"why_ended": "Her behaviour did not improve after the warning."})
    drafting = next(i.task for i in queue.my_queue(demo, ade).items if i.task.customer_name == "Ms Erin Walsh")
    letter = letters.view(demo, ade, drafting.id)
    clock.advance(timedelta(minutes=20))
    letters.submit(demo, ade, letter.letter.id, letter.values, version=letter.letter.version)
    clock.advance(timedelta(minutes=10))
    for item in queue.my_queue(demo, jo).items:
        if item.task.spec == "staff_threatened" and item.task.incident_id is not None:  # the ended interviews
            _support_staff(demo, jo, item.task.id, "Shaken by the desk-banging; took the rest of the morning off the counter.")
    # A caller threatening violence, refused at once: Jo's incident report form answers both questions
    # of "How to deal with serious incidents" yes, so the SEO considers whether the police should know.
    clock.advance(timedelta(minutes=30))
    threat = call(demo, sam, "telephone", [0], name="Mr Karl Dunn", ref="PEX 8120 4476", query="His renewal",
                  note="Said he knows where this office is and will be waiting outside for me at five.", clock=clock)
    clock.advance(timedelta(minutes=40))
    report = next(i.task for i in queue.my_queue(demo, jo).items if i.task.contact_id == threat and i.task.spec == "incident_report")
    values = {f.id: f.text for f in incident_report.draft(demo, jo, report.id).fields}
    incident_report.complete(demo, jo, report.id, values | {"very_serious": "yes", "identity_known": "yes"}, version=0)
    clock.advance(timedelta(hours=2))
    call(demo, alex, "telephone", [2], name="", ref="", query="Would not say",
          note="Threatened to come to the office and hurt me.", clock=clock,
          extra={"who": "A man who would not give his name; a deep voice, a northern accent"})
    clock.advance(timedelta(hours=2))
    call(demo, priya, "telephone", [3], name="Mrs Ruth Adeyemi", ref="PEX 3307 8845",
          query="Lost passport report", note="Screamed down the phone (acoustic shock); warned her.",
          clock=clock, finish=False)
