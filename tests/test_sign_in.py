"""Sign-in hardened: waits after wrong PINs, a PIN of one's own at the first sign-in, and the
`counter staff` commands that disable a member or reset their PIN.

GIVEN a database with a call handler (1001/1234) and a line manager, on a clock that moves only
when told, WHEN PINs are typed (through the service, the CLI or the keys of the sign-in screen)
THEN a staff number that exists and one that does not are refused alike, with the same waits.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from textual.widgets import Input

from counter_tui.app import CounterApp
from counter_tui.cli import main
from counter_tui.clock import FixedClock, iso
from counter_tui.screens.change_pin import ChangePinScreen
from counter_tui.screens.home import HomeScreen
from counter_tui.screens.sign_in import SignInScreen
from counter_tui.services import audit, staff
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, SignInRefused
from counter_tui.services.staff import PinChangeNeeded, SignInWait
from counter_tui.store.migrations import migrate, migrations
from tests.conftest import START, make_context

NOT_RECOGNISED = "Staff number or PIN not recognised."
NEW_STARTER = {"number": "4001", "name": "Priya Shah", "role": "call_handler", "office": "Main office", "pin": "404027"}


@pytest.fixture
def still() -> FixedClock:
    """Time moves only when a test says so, so each wait is known to the second."""
    return FixedClock(START)


@pytest.fixture
def guarded(tmp_path, still) -> Context:
    return make_context(tmp_path / "counter.db", still)


def attempt(ctx: Context, number: str, pin: str) -> str:
    """Sign in; return the refusal's message ("signed in" if there was none)."""
    try:
        staff.sign_in(ctx, number, pin)
    except SignInRefused as refused:
        return str(refused)
    return "signed in"


def refused_events(ctx: Context) -> list[dict]:
    rows = ctx.store.db.execute("SELECT payload FROM events WHERE kind = 'staff.sign_in_refused' ORDER BY seq").fetchall()
    return [json.loads(row[0]) for row in rows]


# --- waits after wrong PINs ----------------------------------------------------------------------


def test_five_wrong_pins_then_a_wait_in_which_even_the_right_pin_is_refused(guarded, still):
    """GIVEN four wrong PINs (refused plainly) WHEN a fifth THEN the refusal says to wait 30 s; the
    right PIN inside the wait is refused with the wait left, and signs in once it has passed."""
    assert [attempt(guarded, "1001", "0000") for _ in range(4)] == [NOT_RECOGNISED] * 4
    assert attempt(guarded, "1001", "0000") == f"{NOT_RECOGNISED} Too many wrong PINs: try again in 30 s."
    still.advance(timedelta(seconds=12))
    with pytest.raises(SignInWait) as waiting:
        staff.sign_in(guarded, "1001", "123427")
    assert str(waiting.value) == "Too many wrong PINs: try again in 18 s."
    assert waiting.value.until == START + timedelta(seconds=30)
    still.advance(timedelta(seconds=18))
    assert staff.sign_in(guarded, "1001", "123427").name == "Sam Okafor"


def test_an_unknown_number_gets_the_same_messages_and_the_same_waits(guarded, still):
    """GIVEN staff number 1001 exists and 7777 does not WHEN each gets the same wrong PINs and tries
    at the same moments THEN every message is the same, so nothing hints which one exists."""
    said: dict[str, list[str]] = {"1001": [], "7777": []}
    for step in range(9):
        for number in said:
            said[number].append(attempt(guarded, number, "0000"))
        still.advance(timedelta(seconds=45 if step % 2 else 5))
    assert said["1001"] == said["7777"]
    assert any("try again in" in message for message in said["1001"])
    unknown = [e for e in refused_events(guarded) if e["number"] is None]
    assert unknown and all(e["typed"] == {"length": 4, "shape": "digits"} for e in unknown)


def test_each_further_wrong_pin_doubles_the_wait_up_to_fifteen_minutes(guarded, still):
    """GIVEN a number already waiting WHEN each wait passes and another wrong PIN is typed THEN the
    waits are 30 s, 1 min, 2, 4, 8 min, then 15 min and no longer."""
    for _ in range(4):
        attempt(guarded, "1001", "0000")
    waits = []
    for _ in range(8):
        with pytest.raises(SignInWait) as waiting:
            staff.sign_in(guarded, "1001", "0000")
        waits.append(str(waiting.value).removeprefix(f"{NOT_RECOGNISED} Too many wrong PINs: try again in "))
        still.advance(waiting.value.until - still.now())
    assert waits == ["30 s.", "1 min.", "2 min.", "4 min.", "8 min.", "15 min.", "15 min.", "15 min."]


def test_the_wait_is_said_in_minutes_and_seconds():
    assert staff.wait_text(timedelta(seconds=90)) == "1 min 30 s"
    assert staff.wait_text(timedelta(seconds=59.2)) == "1 min"
    assert staff.wait_text(timedelta(seconds=0.3)) == "1 s"
    assert staff.wait_text(timedelta(minutes=15)) == "15 min"


def test_the_right_pin_after_the_wait_forgets_the_count(guarded, still):
    """GIVEN a number that waited WHEN the right PIN signs in THEN the next wrong PIN is refused
    plainly again: the count starts from nothing."""
    for _ in range(5):
        attempt(guarded, "1001", "0000")
    still.advance(timedelta(seconds=30))
    assert attempt(guarded, "1001", "123427") == "signed in"
    assert guarded.store.db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 0
    assert [attempt(guarded, "1001", "0000") for _ in range(4)] == [NOT_RECOGNISED] * 4


def test_a_disabled_member_is_refused_like_a_wrong_pin(guarded):
    """GIVEN 1001 disabled WHEN they type their right PIN THEN the same message as a wrong PIN, and
    it counts towards the wait like any other refusal."""
    staff.disable_staff(guarded, "1001")
    assert attempt(guarded, "1001", "123427") == NOT_RECOGNISED
    assert refused_events(guarded) == [{"number": "1001", "lockout": False, "failures": 1}]
    with pytest.raises(FieldErrors, match="already disabled"):
        staff.disable_staff(guarded, "1001")


def test_each_refusal_is_an_event_naming_the_number_and_whether_it_was_a_wait_never_the_pin(guarded):
    for _ in range(6):
        attempt(guarded, "1001", "86420")
    events = refused_events(guarded)  # the first refusal, then the one that started the wait
    assert [(e["lockout"], e["failures"]) for e in events] == [(False, 1), (False, 5)]
    assert {e["number"] for e in events} == {"1001"}
    payloads = " ".join(r[0] for r in guarded.store.db.execute("SELECT payload FROM events").fetchall())
    assert "86420" not in payloads
    assert audit.verify(guarded.store).problem is None


def test_hostile_text_typed_as_a_number_is_counted_printable_and_bounded(guarded):
    for typed in ("[b]1001[/b]\x1b[31m", "\u202e1001", "1" * 1_000_000, "' OR 1=1 --"):
        assert attempt(guarded, typed, "123427") == NOT_RECOGNISED
    numbers = [row[0] for row in guarded.store.db.execute("SELECT number FROM sign_in_failures").fetchall()]
    assert len(numbers) == 4
    assert all(len(n) <= 40 and n.isprintable() and "\u202e" not in n for n in numbers)


def test_counts_of_numbers_typed_at_random_are_pruned(guarded, still, monkeypatch):
    """GIVEN at most three counts kept WHEN many unknown numbers are typed THEN the table stays at
    three, keeping the number with the most wrong PINs; and counts a day old are forgotten."""
    monkeypatch.setattr(staff, "KEEP_COUNTS", 3)
    for _ in range(3):
        attempt(guarded, "1001", "0000")
    for number in range(5000, 5010):
        attempt(guarded, str(number), "0000")
        still.advance(timedelta(seconds=1))
    kept = dict(guarded.store.db.execute("SELECT number, failures FROM sign_in_failures").fetchall())
    assert len(kept) == 3 and kept["1001"] == 3
    still.advance(timedelta(hours=25))
    attempt(guarded, "6000", "0000")
    assert guarded.store.db.execute("SELECT number FROM sign_in_failures").fetchall() == [("6000",)]


# --- a PIN of one's own ------------------------------------------------------------------------------


def test_a_member_added_to_change_their_pin_must_do_so_before_signing_in(guarded):
    """GIVEN a new starter added with must_change_pin WHEN their right PIN is typed THEN sign-in is
    refused until the PIN is changed (a wrong PIN says nothing of it); once changed, the new PIN
    signs in and the old one does not."""
    staff.add_staff(guarded, **NEW_STARTER, must_change_pin=True)
    assert attempt(guarded, "4001", "9999") == NOT_RECOGNISED
    with pytest.raises(PinChangeNeeded) as needed:
        staff.sign_in(guarded, "4001", "404027")
    actor = needed.value.actor
    assert actor.name == "Priya Shah"
    assert staff.change_pin(guarded, actor, "404027", "271828") == actor
    assert attempt(guarded, "4001", "271828") == "signed in"
    assert attempt(guarded, "4001", "404027") == NOT_RECOGNISED
    assert [m.must_change_pin for m in staff.list_staff(guarded) if m.number == "4001"] == [False]
    kinds = [r[0] for r in guarded.store.db.execute("SELECT kind FROM events WHERE stream = 'staff:4001'")]
    assert kinds == ["staff.added", "staff.pin_changed"]


@pytest.mark.parametrize(("new", "problem"), [
    ("12", "6 to 12 digits"), ("12ab", "6 to 12 digits"), ("1" * 13, "6 to 12 digits"), ("2718", "6 to 12 digits"),
    ("777777", "one digit repeated"), ("123456", "run of digits"), ("987654", "run of digits"),
    ("121212", "repeated pattern"), ("123123", "repeated pattern"), ("840017", "your staff number"),
    ("404027", "differ from the old"),
])
def test_a_new_pin_must_keep_the_rules(guarded, new, problem):
    staff.add_staff(guarded, **NEW_STARTER, must_change_pin=True)
    with pytest.raises(PinChangeNeeded) as needed:
        staff.sign_in(guarded, "4001", "404027")
    with pytest.raises(FieldErrors, match=problem):
        staff.change_pin(guarded, needed.value.actor, "404027", new)


def test_changing_a_pin_proves_the_old_one_and_counts_it_if_wrong(guarded):
    staff.add_staff(guarded, **NEW_STARTER, must_change_pin=True)
    with pytest.raises(PinChangeNeeded) as needed:
        staff.sign_in(guarded, "4001", "404027")
    with pytest.raises(SignInRefused, match="not recognised"):
        staff.change_pin(guarded, needed.value.actor, "404127", "271828")
    assert refused_events(guarded)[-1] == {"number": "4001", "lockout": False, "failures": 1}


def test_a_reset_pin_must_be_changed_and_lifts_the_wait(guarded):
    """GIVEN 1001 waiting after five wrong PINs WHEN an administrator resets their PIN THEN the wait
    is lifted and the reset PIN leads to choosing their own."""
    for _ in range(5):
        attempt(guarded, "1001", "0000")
    staff.reset_pin(guarded, "1001", "515127")
    with pytest.raises(PinChangeNeeded):
        staff.sign_in(guarded, "1001", "515127")
    assert attempt(guarded, "1001", "123427") == NOT_RECOGNISED
    with pytest.raises(FieldErrors, match="No member of staff has the number 9999"):
        staff.reset_pin(guarded, "9999", "515127")


def test_existing_members_need_not_change_their_pin_after_the_upgrade(tmp_path):
    """GIVEN a database from before sign-in was hardened, with a member WHEN it is migrated THEN
    their PIN stands (must_change_pin 0)."""
    from counter_tui.store.connection import open_database

    db = open_database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m011_sign_in_guard")
    db.execute("INSERT INTO staff (number, name, role, office, pin_salt, pin_hash) VALUES ('1','A','call_handler','M',x'00',x'00')")
    db.conn.commit()
    migrate(db)
    assert db.execute("SELECT must_change_pin FROM staff").fetchall() == [(0,)]


# --- the CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path):
    """Invoke `counter ARGS...` with no configuration file and no default database in reach."""

    def invoke(*args: str, input: str | None = None) -> Result:
        env = {"COUNTER_CONFIG": str(tmp_path / "no-config.toml"), "COUNTER_DB": str(tmp_path / "env-default.db")}
        return CliRunner().invoke(main, list(args), input=input, env=env)

    return invoke


def one_line_error(result: Result, *parts: str) -> None:
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    text = result.output.strip()
    assert "\n" not in text and "Traceback" not in text
    for part in parts:
        assert part in text, (part, text)


def test_cli_add_list_disable_and_reset_pin(run, tmp_path):
    """GIVEN a member added at the CLI WHEN listed THEN they must change their PIN; WHEN disabled THEN
    listed as such and refused at sign-in; WHEN their PIN is reset THEN they must change it again."""
    db = str(tmp_path / "counter.db")
    added = run("staff", "add", "--admin", "--number", "3001", "--name", "Ann Example", "--role", "call_handler",
                "--pin-stdin", "--db", db, input="314159\n")
    assert added.exit_code == 0, added.output
    header, line = run("staff", "list", "--admin", "--db", db).output.splitlines()
    assert header.split() == ["NUMBER", "NAME", "ROLE", "OFFICE", "ACCOUNT", "PIN", "LINE", "MANAGER"]
    assert line.split() == ["3001", "Ann", "Example", "call_handler", "Main", "office", "active", "must", "change", "—"]

    disabled = run("staff", "disable", "--admin", "3001", "--db", db)
    assert disabled.exit_code == 0 and disabled.output.strip() == "disabled 3001 Ann Example"
    assert run("staff", "list", "--admin", "--db", db).output.splitlines()[1].split()[-4:] == ["disabled", "must", "change", "—"]
    one_line_error(run("staff", "disable", "--admin", "3001", "--db", db), "already disabled")
    ctx = Context.open(Path(db), clock=FixedClock(START))
    try:
        assert attempt(ctx, "3001", "314159") == NOT_RECOGNISED
    finally:
        ctx.store.close()

    reset = run("staff", "reset-pin", "--admin", "3001", "--pin-stdin", "--db", db, input="271828\n")
    assert reset.exit_code == 0, reset.output
    assert "314159" not in reset.output and "271828" not in reset.output
    ctx = Context.open(Path(db), clock=FixedClock(START))
    try:
        kinds = [r[0] for r in ctx.store.db.execute("SELECT kind FROM events WHERE stream = 'staff:3001' ORDER BY seq")]
        assert kinds == ["staff.added", "staff.disabled", "staff.pin_reset"]
    finally:
        ctx.store.close()


def test_cli_staff_errors_are_one_line(run, tmp_path):
    db = str(tmp_path / "counter.db")
    one_line_error(run("staff", "disable", "--admin", "9999", "--db", db), "No member of staff has the number 9999")
    one_line_error(run("staff", "reset-pin", "--admin", "9999", "--pin-stdin", "--db", db, input="271828\n"), "9999")
    one_line_error(run("staff", "disable", "--admin", "\x1b[31mX", "--db", db), "1 to 20 letters or digits")
    run("staff", "add", "--admin", "--number", "3001", "--name", "Ann Example", "--role", "call_handler", "--pin-stdin",
        "--db", db, input="314159\n")
    one_line_error(run("staff", "reset-pin", "--admin", "3001", "--pin-stdin", "--db", db, input="12\n"), "PIN is 6 to 12 digits")


def test_cli_reset_pin_asks_twice_without_echo(run, tmp_path, monkeypatch):
    db = str(tmp_path / "counter.db")
    run("staff", "add", "--admin", "--number", "3001", "--name", "Ann Example", "--role", "call_handler", "--pin-stdin",
        "--db", db, input="314159\n")
    typed = iter(["271828", "271829"])
    monkeypatch.setattr("counter_tui.cli.staff.read_secret", lambda prompt="": next(typed))  # typed without echo
    one_line_error(run("staff", "reset-pin", "--admin", "3001", "--db", db), "the two PINs differ")


# --- the sign-in screen ------------------------------------------------------------------------------


async def type_in(pilot, number: str, pin: str) -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def test_five_wrong_pins_on_the_screen_show_the_wait_and_keep_the_number(guarded):
    app = CounterApp(guarded)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "1001", "9999")
        for _ in range(4):
            await pilot.press(*"9999", "enter")
            await pilot.pause()
        error = str(app.screen.query_one("#error").render())
        assert "Too many wrong PINs: try again in 30 s" in error
        assert app.screen.query_one("#number", Input).value == "1001"
        assert app.screen.query_one("#pin", Input).value == ""
        assert app.screen.query_one("#pin", Input).has_focus
        await pilot.press(*"123427", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and app.actor is None
        assert "try again in 30 s" in str(app.screen.query_one("#error").render())


async def test_the_wait_counts_down_and_says_when_to_try_again(guarded, still):
    app = CounterApp(guarded)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "7777", "9999")
        for _ in range(4):
            await pilot.press(*"9999", "enter")
        await pilot.pause()
        still.advance(timedelta(seconds=20))
        app.screen._count_down()
        assert str(app.screen.query_one("#error").render()) == "Too many wrong PINs: try again in 10 s."
        still.advance(timedelta(seconds=10))
        app.screen._count_down()
        assert str(app.screen.query_one("#error").render()) == "You may try your PIN again now."


async def test_a_first_sign_in_chooses_a_pin_then_shows_the_start_screen(guarded):
    """GIVEN a new starter added to change their PIN WHEN they sign in, type two different PINs,
    then the same new PIN twice THEN they are told the two differ, then reach the start screen."""
    staff.add_staff(guarded, **NEW_STARTER, must_change_pin=True)
    app = CounterApp(guarded)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "4001", "404027")
        assert isinstance(app.screen, ChangePinScreen) and app.actor is None
        await pilot.press(*"246827", "enter", *"2469", "enter")
        await pilot.pause()
        assert "The two PINs differ" in str(app.screen.query_one("#error").render())
        await pilot.press(*"404027", "enter", *"404027", "enter")
        await pilot.pause()
        assert "differ from the old" in str(app.screen.query_one("#error").render())
        await pilot.press(*"246827", "enter", *"246827", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.actor is not None and app.actor.number == "4001"
        assert len(app.screen_stack) == 2
    assert attempt(guarded, "4001", "246827") == "signed in"


async def test_escape_from_choosing_a_pin_goes_back_to_the_sign_in(guarded):
    staff.add_staff(guarded, **NEW_STARTER, must_change_pin=True)
    app = CounterApp(guarded)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "4001", "404027")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and app.actor is None
        assert "not changed" in str(app.screen.query_one("#error").render())
    with pytest.raises(PinChangeNeeded):
        staff.sign_in(guarded, "4001", "404027")


async def test_choosing_a_pin_left_alone_goes_back_to_the_sign_in(guarded):
    """GIVEN the idle time set very short WHEN the PIN change is left alone THEN the sign-in screen
    comes back, so the next person at the terminal cannot choose this member's PIN."""
    staff.add_staff(guarded, **NEW_STARTER, must_change_pin=True)
    guarded.settings.idle_lock_minutes = 0.02
    app = CounterApp(guarded)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_in(pilot, "4001", "404027")
        assert isinstance(app.screen, ChangePinScreen)
        await pilot.pause(1.5)
        assert isinstance(app.screen, SignInScreen) and app.actor is None


def test_refusal_times_are_stored_as_utc_text(guarded, still):
    for _ in range(5):
        attempt(guarded, "1001", "0000")
    row = guarded.store.db.execute("SELECT failures, locked_until, last_failed_at FROM sign_in_failures").fetchone()
    assert row == (5, iso(START + timedelta(seconds=30)), iso(START))
