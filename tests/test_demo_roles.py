"""Every role a pack names has a demo account, so each step of the procedure can be tried in the demo.

GIVEN each pack and its demo's logins, THEN every role the pack names is held by a demo account;
the one exception is HMPO's "the member of staff the incident happened to", which is not a post but
whoever the incident happened to (their tasks are assigned to them by staff number).
"""

from __future__ import annotations

import importlib

import pytest

from counter_tui.policy.loader import load_pack
from counter_tui.services import demo

NOT_A_POST = {("hmpo", "staff_member")}


def _logins(pack_id: str) -> list[demo.DemoLogin]:
    if pack_id == "hmpo":
        return demo.HMPO_LOGINS
    module, logins, _ = demo.OTHER_DEMOS[pack_id]
    return getattr(importlib.import_module(f"counter_tui.services.{module}"), logins)


@pytest.mark.parametrize("pack_id", ["hmpo", *demo.OTHER_DEMOS])
def test_every_role_the_pack_names_has_a_demo_account(pack_id):
    held = {login.role for login in _logins(pack_id)}
    missing = [r.id for r in load_pack(pack_id).roles if r.id not in held and (pack_id, r.id) not in NOT_A_POST]
    assert missing == []


def test_the_hmpo_written_route_has_its_heo_and_the_admin_refusal_its_examiner():
    roles = {login.role: login for login in demo.HMPO_LOGINS}
    assert {"heo", "examiner", "heo_counter_manager", "grade7"} <= roles.keys()
