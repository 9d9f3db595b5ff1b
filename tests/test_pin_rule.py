"""PINs an offline search cannot walk through in minutes (issue 17, item 8).

GIVEN the rule for new PINs (6 to 12 digits, none of the PINs an attacker tries first) and scrypt at
OWASP's recommended cost, stored beside each hash WHEN PINs are chosen, set and proved THEN a weak PIN
is refused with the rule, a hash made at a lower cost is remade at today's when its owner signs in,
and a PIN chosen under the older 4-digit rule still signs its owner in, to choose a new one first.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input

from counter_tui.app import CounterApp
from counter_tui.models.staff import StaffMember
from counter_tui.screens.change_pin import ChangePinScreen
from counter_tui.screens.home import HomeScreen
from counter_tui.services import pin_hash, staff
from counter_tui.services.errors import FieldErrors
from counter_tui.services.pin_hash import PIN_RULE, PinCost, pin_problem
from counter_tui.services.staff import PinChangeNeeded
from counter_tui.store import staff as register
from counter_tui.store.connection import write
from tests.conftest import make_context

MEMBER = {"number": "4001", "name": "Priya Shah", "role": "call_handler", "office": "Main office"}


@pytest.fixture
def ctx(tmp_path, clock):
    return make_context(tmp_path / "counter.db", clock)


def _stored_cost(ctx, number: str) -> str:
    return ctx.store.db.execute("SELECT pin_cost FROM staff WHERE number = ?", [number]).fetchone()[0]


def test_the_cost_is_owasps_recommendation_and_a_real_hash_is_made_at_it():
    """The suite lowers `COST` (tests/conftest.py); the product's is OWASP's, and hashlib can make it."""
    assert pin_hash.RECOMMENDED == PinCost(n=2**17, r=8, p=1)
    digest = pin_hash.hash_pin("271828", b"s" * 16, pin_hash.RECOMMENDED)
    assert digest == hashlib.scrypt(b"271828", salt=b"s" * 16, n=2**17, r=8, p=1, dklen=32, maxmem=2**28)
    assert PinCost.parse(pin_hash.RECOMMENDED.text()) == pin_hash.RECOMMENDED


@pytest.mark.parametrize("pin", ["123456", "234567", "890123", "987654", "654321", "0123456789", "210987"])
def test_runs_are_refused(pin):
    assert "run of digits" in pin_problem(pin)


@pytest.mark.parametrize("pin", ["000000", "999999999", "121212", "123123", "9090909", "4564564", "1231231231"])
def test_one_digit_or_a_short_pattern_repeated_is_refused(pin):
    assert pin_problem(pin) is not None


@pytest.mark.parametrize("pin", ["1234", "12345", "1" * 13, "12a456", " 271828", "２７１８２８"])
def test_a_pin_is_six_to_twelve_ascii_digits(pin):
    assert pin_problem(pin) == PIN_RULE


def test_a_pin_holding_the_staff_number_is_refused():
    assert "staff number" in pin_problem("840017", "4001")
    assert pin_problem("840017", "4002") is None


@given(st.text(alphabet="0123456789", min_size=6, max_size=12))
def test_the_rule_refuses_exactly_the_guessable_pins(pin):
    """Property: a digit string of the right length is refused iff it is one digit or a 1-3 digit
    pattern repeated, or each digit steps by +1 or -1 (mod 10) from the last."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    guessable = steps in ({1}, {9}) or any(pin == (pin[:k] * 12)[:len(pin)] for k in (1, 2, 3))
    assert (pin_problem(pin) is not None) == guessable


@pytest.mark.parametrize(("weak", "number"), [("1234", "4001"), ("123456", "4001"), ("111111", "4001"),
                                              ("121212", "4001"), ("840017", "4001"), ("710019", "1001")])
def test_adding_or_resetting_with_a_weak_pin_is_refused_beside_the_pin(ctx, weak, number):
    if number == "4001":
        with pytest.raises(FieldErrors) as refused:
            staff.add_staff(ctx, **MEMBER, pin=weak)
        assert list(refused.value.errors) == ["pin"]
        staff.add_staff(ctx, **MEMBER, pin="271828")
    with pytest.raises(FieldErrors) as refused:
        staff.reset_pin(ctx, number, weak)
    assert list(refused.value.errors) == ["pin"]
    assert staff.sign_in(ctx, "1001", "123427").number == "1001"  # the PINs already set still stand


def test_each_hash_keeps_its_cost_and_a_weaker_one_is_remade_at_sign_in(ctx, monkeypatch):
    """GIVEN a member hashed at a lower cost WHEN they sign in THEN their hash is remade at today's
    cost (a new salt, the same PIN), and a wrong PIN changes nothing."""
    low = PinCost(n=2**3, r=8, p=1)
    staff.add_staff(ctx, **MEMBER, pin="271828", cost=low)
    assert _stored_cost(ctx, "4001") == "scrypt:8:8:1"
    before = register.credentials(ctx.store.db, "4001")
    monkeypatch.setattr(pin_hash, "COST", PinCost(n=2**5, r=8, p=1))
    with pytest.raises(staff.SignInRefused):
        staff.sign_in(ctx, "4001", "271829")
    assert _stored_cost(ctx, "4001") == "scrypt:8:8:1"
    assert staff.sign_in(ctx, "4001", "271828").number == "4001"
    after = register.credentials(ctx.store.db, "4001")
    assert after[3] == "scrypt:32:8:1" and after[1] != before[1] and after[2] != before[2]
    assert staff.sign_in(ctx, "4001", "271828").number == "4001"


def test_the_demo_accounts_are_hashed_at_the_demo_cost_and_remade_at_their_first_sign_in(tmp_path, monkeypatch):
    from counter_tui.config import Settings
    from counter_tui.services import demo as demo_data
    from counter_tui.services.context import Context
    from counter_tui.services.demo import HMPO_LOGINS
    from tests.conftest import START

    demo = Context.open(tmp_path / "demo.db", demo_data.settings(Settings()))
    demo_data.fill(demo, START)
    assert {_stored_cost(demo, login.number) for login in HMPO_LOGINS} == {pin_hash.DEMO_COST.text()}
    assert all(pin_problem(login.pin, login.number) is None for login in HMPO_LOGINS)
    monkeypatch.setattr(pin_hash, "COST", PinCost(n=2**11, r=8, p=1))
    staff.sign_in(demo, HMPO_LOGINS[0].number, HMPO_LOGINS[0].pin)
    assert _stored_cost(demo, HMPO_LOGINS[0].number) == "scrypt:2048:8:1"


def _older_member(ctx, pin: str) -> None:
    """A member whose PIN was chosen under the older rule (4 digits), hashed at the older cost."""
    salt = os.urandom(16)
    old = PinCost(n=2**14, r=8, p=1)
    with write(ctx.store.db):
        register.add(ctx.store.db, StaffMember(**MEMBER), salt, pin_hash.hash_pin(pin, salt, old), old.text())


def test_a_pin_chosen_under_the_older_rule_signs_in_only_to_choose_a_new_one(ctx):
    _older_member(ctx, "2580")
    with pytest.raises(PinChangeNeeded) as needed:
        staff.sign_in(ctx, "4001", "2580")
    assert needed.value.weak and "no longer meets the rule" in str(needed.value)
    with pytest.raises(FieldErrors, match="6 to 12 digits"):
        staff.change_pin(ctx, needed.value.actor, "2580", "2581")
    assert staff.change_pin(ctx, needed.value.actor, "2580", "258025").number == "4001"
    assert staff.sign_in(ctx, "4001", "258025").number == "4001"
    assert _stored_cost(ctx, "4001") == pin_hash.COST.text()


async def test_the_sign_in_screen_asks_an_older_pins_owner_for_a_new_one_with_the_rule_beside_it(ctx):
    _older_member(ctx, "2580")
    app = CounterApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"4001", "enter", *"2580", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChangePinScreen) and app.actor is None
        why = str(app.screen.query_one("#change-pin-why").render())
        assert "no longer meets the rule" in why and "6 to 12 digits" in why
        await pilot.press(*"123456", "enter", *"123456", "enter")
        await pilot.pause()
        assert "run of digits" in str(app.screen.query_one("#error").render())
        assert app.screen.query_one("#new-pin", Input).has_focus
        await pilot.press(*"258025", "enter", *"258025", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.actor.number == "4001"
