"""Shared set-up for the letter tests: the HMPO interview officer, HEO, SEO and EO counter manager,
an interview that did not improve, and settings with a mail server when a test gives one."""

from __future__ import annotations

from pathlib import Path

from counter_tui.clock import FixedClock
from counter_tui.config import Letterhead, Settings
from counter_tui.models.staff import Actor
from counter_tui.services import contacts, queue, records, staff
from counter_tui.services.context import Context
from tests.conftest import from_template

MAIN, SECOND = "Main office", "Second office"
RAVI = Actor(number="3001", name="Ravi Menon", role="interview_officer", office=MAIN)
ADE = Actor(number="4001", name="Ade Bello", role="heo_counter_manager", office=MAIN)
GRACE = Actor(number="6001", name="Grace Adeyemi", role="seo", office=MAIN)
OWEN = Actor(number="4002", name="Owen Price", role="eo_counter_manager", office=MAIN)
PINS = {RAVI.number: "345627", ADE.number: "456727", GRACE.number: "678927", OWEN.number: "468027"}

MAIL_LISTS = {
    "Senior executive officer": ["seo@example.org"],
    "Security liaison officer": ["security-liaison@example.org"],
    f"Grade 7 manager ({MAIN})": ["grade7-main@example.org"],
    f"Grade 7 manager ({SECOND})": ["grade7-second@example.org"],
    "Regional counter manager": ["regional-counters@example.org"],
}


def letter_settings(smtp: dict | None = None, **extra) -> Settings:
    chosen = {
        "offices": [MAIN, SECOND], "mail_lists": MAIL_LISTS, "smtp": smtp,
        "letterhead": Letterhead(name="HM Passport Office", address=["1 Example Street", "Exampletown"],
                                 signatory=["Customer Service Office manager"]),
    }
    return Settings(**(chosen | extra))


def letter_context(db: Path, clock: FixedClock, settings: Settings | None = None) -> Context:
    """A context with the four members of staff the letters need (built once per settings, then copied)."""
    settings = settings or letter_settings()

    def build(db: Path, clock: FixedClock) -> Context:
        ctx = Context.open(db, settings, clock=clock)
        for actor in (RAVI, ADE, GRACE, OWEN):
            staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office,
                            pin=PINS[actor.number])
        return ctx

    ctx = from_template(db, clock, ("letter_context", settings.model_dump_json()), build)
    ctx.settings = settings  # the very object given, as opening with it would keep
    return ctx


def ended_interview(ctx: Context, name: str = "Mr Colin Hart", reference: str = "PEX 6610 2284") -> str:
    """A face-to-face interview warned, not improved and ended; returns the drafting task's id."""
    contact_id = contacts.start_contact(ctx, RAVI, "face_to_face", customer_name=name, reference=reference,
                                        query="Interview to confirm identity")
    for number in (1, 2, 1):
        contacts.take_step(ctx, RAVI, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    contacts.save_note(ctx, RAVI, contact_id, "Swore at me and banged the desk after the warning.", version=0)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, RAVI, contact_id)}
    fields["why_ended"] = "His behaviour did not improve after the warning."
    finished = records.finish(ctx, RAVI, contact_id, fields)
    return next(t for t in finished.task_ids if queue.get_task(ctx, t).letter_id is not None)


def counter_bar(ctx: Context, bar: str, actor: Actor, reference: str = "PEX 1100 2200") -> str:
    """A customer at the public counter warned, not improved, removed and barred (`bar` starts the
    label of the barring choice: "Bar them from this Customer Service Office" or "Bar them from
    attending all passport offices"); returns the drafting task's id."""
    contact_id = contacts.start_contact(ctx, actor, "counter", customer_name="Mr Sid Vance", reference=reference,
                                        query="Collecting a passport")
    for wanted in (2, 1, 2, "Remove them", "They left", bar):  # abusive, warned, did not improve, removed, barred
        view = contacts.view(ctx, contact_id)
        number = wanted if isinstance(wanted, int) else next(n for n, c in view.offered if c.label.startswith(wanted))
        by = OWEN if view.step.decided_by else actor  # removing and barring are the EO counter manager's
        contacts.take_step(ctx, by, contact_id, number, at_step=view.step.id)
    assert contacts.view(ctx, contact_id).step.is_final, contacts.view(ctx, contact_id).step.id
    contacts.save_note(ctx, actor, contact_id, "Shouted at staff and refused to leave.", version=0)
    fields = {fid: text or ("Recorded." if required else "") for fid, _, text, required in records.draft_record(ctx, actor, contact_id)}
    finished = records.finish(ctx, actor, contact_id, fields)
    return next(t for t in finished.task_ids if queue.get_task(ctx, t).letter_id is not None)


NIA = Actor(number="5001", name="Nia Jones", role="caseworker", office=MAIN)
BEA = Actor(number="4003", name="Bea Cole", role="heo", office=MAIN)


def add_caseworker_and_heo(ctx: Context) -> None:
    """Put the caseworker who opens the post (5001) and the HEO who drafts the letters on the register."""
    for actor in (NIA, BEA):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin="567827")


def barred_from_writing(ctx: Context) -> str:
    """Mr Ian Abel wrote abusively twice: warned (the letter signed off and sent), then barred from
    written communications, each through the line manager to the HEO and signed off by the SEO.
    Adds the caseworker (5001), the line manager and the HEO; returns his id."""
    from counter_tui.services import customers
    from tests.written_helpers import agree, send, tell_heo, written_contact

    add_caseworker_and_heo(ctx)
    customer_id = customers.add(ctx, NIA, name="Mr Ian Abel", reference="PEX 5555 0001")
    _, finished = written_contact(ctx)
    send(ctx, agree(ctx, tell_heo(ctx, finished)))
    _, finished = written_contact(ctx, route="barring_letter")
    agree(ctx, tell_heo(ctx, finished))
    return customer_id
