"""Letters in the app, key by key, and the sign-off rule under random actors.

GIVEN an interview that did not improve, WHEN the HEO counter manager opens the letter from the
queue, edits it and sends it (ctrl+s), and the SEO opens it and signs it off (1), THEN the letter,
the tasks and the e-mail are stored, and the copies reach a real SMTP server with the PDF.
The state machine then throws random actors at drafting, returning and approving: no path lets a
drafter or anyone without the SEO role sign a letter off.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from textual.widgets import DataTable, Input, TextArea

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.models.staff import Actor
from counter_tui.screens.letter import LetterScreen
from counter_tui.screens.letter_sign_off import LetterSignOffScreen
from counter_tui.services import letter_sign_off, letters, outbox, staff
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.services.letters import LetterConflict
from counter_tui.store import letters as letter_store
from counter_tui.services.context import Context
from counter_tui.store import queries
from counter_tui.store import staff as staff_store
from tests.conftest import START
from tests.letters_helpers import ADE, GRACE, PINS, ended_interview, letter_context, letter_settings
from tests.smtp_sink import SmtpSink

SIZE = (110, 40)


async def _sign_in(pilot, actor) -> None:
    await pilot.press(*actor.number, "enter", *PINS[actor.number], "enter")
    await pilot.pause()


async def _open_task(pilot, app, task_id: str) -> None:
    await pilot.press("q")
    await pilot.pause()
    table = app.screen.query_one(DataTable)
    keys = [row.key.value for row in table.ordered_rows]
    table.move_cursor(row=keys.index(task_id))
    await pilot.press("enter")
    await pilot.pause()


async def test_the_heo_drafts_and_the_seo_signs_off_and_the_copies_arrive(tmp_path, clock):
    with SmtpSink() as sink:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 5}
        ctx = letter_context(tmp_path / "c.db", clock, letter_settings(smtp=smtp))
        task_id = ended_interview(ctx)
        letter_id = queries.task(ctx.store.db, task_id).letter_id
        app = CounterApp(ctx)
        async with app.run_test(size=SIZE) as pilot:
            await _sign_in(pilot, ADE)
            await _open_task(pilot, app, task_id)
            screen = app.screen
            assert isinstance(screen, LetterScreen)
            body = screen.query_one("#field-body", TextArea)
            assert "book another interview" in body.text, "opens prefilled from the template"
            body.move_cursor(body.document.end)
            await pilot.press("enter", *"Please bring your passport.")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert not isinstance(app.screen, LetterScreen), "sent: back to the queue"
            await pilot.press("ctrl+o")
            await pilot.pause()
            await _sign_in(pilot, GRACE)
            sign_off = next(t for t in letter_store.tasks_for_letter(ctx.store.db, letter_id) if t.spec == "sign_off_letter")
            await _open_task(pilot, app, sign_off.id)
            assert isinstance(app.screen, LetterSignOffScreen)
            assert "Please bring your passport." in str(app.screen.query_one("#letter-text").render())
            await pilot.press("1")
            await pilot.pause()
            await app.workers.wait_for_complete()
            received = sink.wait_for(2)
            await pilot.pause()
            assert "Signed off" in str(app.screen.query_one("#letter-text").render())
    letter = letter_store.letter(ctx.store.db, letter_id)
    assert letter.status == "approved" and letter.approved_by == GRACE.number and letter.editors == [ADE.number]
    assert letter.draft["body"].endswith("Please bring your passport.")
    assert {r.rcpt_tos[0] for r in received} == {"seo@example.org", "security-liaison@example.org"}
    assert {m.status for m in outbox.messages(ctx)} == {"sent"}


async def test_the_seo_returns_a_letter_with_a_reason(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    task_id = ended_interview(ctx)
    view = letters.view(ctx, ADE, task_id)
    sign_off = letters.submit(ctx, ADE, view.letter.id, view.values, version=0)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, GRACE)
        await _open_task(pilot, app, sign_off.id)
        await pilot.press("2")
        await pilot.pause()
        assert app.screen.query_one("#reason", Input).has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert "cannot be left empty" in str(app.screen.query_one("#task-error").render())
        await pilot.press(*"Name the office", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, LetterSignOffScreen)
    letter = letter_store.letter(ctx.store.db, view.letter.id)
    assert letter.status == "returned" and letter.returned_reason == "Name the office"


STAFF = [
    Actor(number="4001", name="Ade Bello", role="heo_counter_manager", office="Main office"),
    Actor(number="4003", name="Bea Cole", role="heo_counter_manager", office="Main office"),
    Actor(number="6001", name="Grace Adeyemi", role="seo", office="Main office"),
    Actor(number="6002", name="Hal Moss", role="seo", office="Main office"),
    Actor(number="3001", name="Ravi Menon", role="interview_officer", office="Main office"),
    Actor(number="4002", name="Owen Price", role="eo_counter_manager", office="Main office"),
]
"""Two HEOs who may draft, two SEOs who may sign off, and two who may do neither. Ade is given
the SEO role for a day in some runs, to show that holding the role is not enough if you drafted it."""


@functools.cache
def _template_database() -> Path:
    """The staff added once (a PIN's scrypt hash is slow on purpose); each run starts from a copy."""
    folder = Path(tempfile.mkdtemp(prefix="counter-signoff-"))
    ctx = letter_context(folder / "template.db", FixedClock(START))
    for actor in STAFF:
        if actor.number not in ("4001", "6001", "3001", "4002"):
            staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin="123427")
    ctx.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.store.close()
    return folder / "template.db"


class SignOff(RuleBasedStateMachine):
    """Random actors draft, save, send, return and approve one letter."""

    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory()
        db = Path(self._dir.name) / "c.db"
        shutil.copy(_template_database(), db)
        self.ctx = Context.open(db, letter_settings(), clock=FixedClock(START))
        self.task_id = ended_interview(self.ctx)
        self.letter_id = queries.task(self.ctx.store.db, self.task_id).letter_id

    def teardown(self) -> None:
        self.ctx.store.close()
        self._dir.cleanup()

    def _letter(self):
        return letter_store.letter(self.ctx.store.db, self.letter_id)

    @initialize()
    def start(self) -> None:
        self.approvals_tried = 0

    @rule(actor=st.sampled_from(STAFF), seo_for_a_day=st.booleans(), text=st.text(max_size=40))
    def save_or_send(self, actor, seo_for_a_day, text) -> None:
        if seo_for_a_day and actor.number == "4001":
            actor = actor.model_copy(update={"role": "seo"})
        letter = self._letter()
        values = {**letters.prefilled(self.ctx, letter), **letter.draft, "body": f"Letter text {text}"}
        for step in (letters.save_draft, letters.submit):
            try:
                step(self.ctx, actor, self.letter_id, values, version=letter.version)
            except (Refused, FieldErrors, LetterConflict):
                pass
            letter = self._letter()

    @rule(actor=st.sampled_from(STAFF), seo_for_a_day=st.booleans(), approve=st.booleans())
    def decide(self, actor, seo_for_a_day, approve) -> None:
        if seo_for_a_day:
            actor = actor.model_copy(update={"role": "seo"})
        letter = self._letter()
        self.approvals_tried += 1
        try:
            if approve:
                letter_sign_off.approve(self.ctx, actor, self.letter_id, version=letter.version)
            else:
                letter_sign_off.return_letter(self.ctx, actor, self.letter_id, "Not yet", version=letter.version)
        except (Refused, LetterConflict, FieldErrors):
            return
        event("approved" if approve else "returned")
        assert actor.role == "seo" and actor.number not in letter.editors

    @invariant()
    def only_a_second_person_with_the_role_signs_off(self) -> None:
        letter = self._letter()
        if letter.status == "approved":
            approver = staff_store.name_of(self.ctx.store.db, letter.approved_by)
            assert approver is not None and letter.approved_by not in letter.editors
            role = self.ctx.store.db.execute(
                "SELECT role FROM events WHERE kind = 'letter.approved' AND stream = ?", [f"letter:{self.letter_id}"]
            ).fetchone()[0]
            assert role == "seo"
            assert letter.approved_by != letter.drafted_by


SignOff.TestCase.settings = settings(settings.default, stateful_step_count=25)
TestSignOff = SignOff.TestCase


async def test_the_outbox_pages_from_sql_as_the_cursor_reaches_the_end(tmp_path, clock):
    """Sixty messages: the first fifty show, the rest load when the cursor reaches the last row."""
    from counter_tui.screens.outbox import PAGE, OutboxScreen
    from counter_tui.services import outbox as outbox_service
    from counter_tui.store.connection import write

    ctx = letter_context(tmp_path / "c.db", clock)
    db = ctx.store.db
    with write(db):
        base = {"at": clock.now(), "actor": GRACE.number, "role": GRACE.role}
        for n in range(PAGE + 10):
            outbox_service.queue_mail(ctx, db, base, purpose=f"Test {n}", key="Senior executive officer",
                                      subject=f"Subject {n}", body="Body")
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, GRACE)
        await pilot.press("q", "o")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert isinstance(app.screen, OutboxScreen) and table.row_count == PAGE
        table.move_cursor(row=PAGE - 1)
        await pilot.pause()
        assert table.row_count == PAGE + 10
