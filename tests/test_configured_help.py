"""Where the HMPO document names a place or a course and the organisation says where it is: the
security incident and breaches page on Horizon (`security_incident_page`, shown on the EO counter
manager's referral task) and the training courses (`training`, shown where the line manager reminds a
member of staff of the support available: "There are courses on Metis Learning and Civil Service
Learning"). Without configuration each says it is not configured; nothing is invented; typed as
configuration, it is shown as text, never markup.
"""

from __future__ import annotations

import pytest
from textual.widgets import Static

from counter_tui.app import CounterApp
from counter_tui.config import ConfigError, Settings, load_settings
from counter_tui.models.staff import Actor
from counter_tui.policy import coverage
from counter_tui.policy.loader import load_pack
from counter_tui.services import contacts, demo, queue, records, shown_settings, staff
from tests.conftest import make_context

COUNTER = Actor(number="3002", name="Chloe Park", role="counter_staff", office="Main office")
EO = Actor(number="4002", name="Owen Price", role="eo_counter_manager", office="Main office")
PAGE = "Horizon: [b]Security[/b] > Incidents and breaches"


def test_the_settings_load_from_configuration_and_refuse_hidden_characters(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'security_incident_page = "{PAGE}"\ntraining = ["Metis Learning", "Civil Service Learning"]\n',
                    encoding="utf-8")
    settings = load_settings(path)
    assert (settings.security_incident_page, settings.training) == (PAGE, ["Metis Learning", "Civil Service Learning"])
    assert Settings().security_incident_page == "" and Settings().training == [], "nothing invented"
    path.write_text('training = ["Metis \\u202e Learning"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="training"):
        load_settings(path)


def test_the_demo_lists_the_two_course_platforms_the_document_names():
    assert demo.settings().training == ["Metis Learning", "Civil Service Learning"]


def test_the_training_section_is_covered_by_the_welfare_support_step():
    pack = load_pack("hmpo")
    step = pack.flow("staff_threatened").step("support")
    assert step.show_setting == ["staff_support", "training"]
    assert any("Metis Learning and Civil Service Learning" in line for line in step.guidance)
    result = coverage.coverage(pack)
    h07 = next(item for item in result.sections if item.section.id == "h07")
    assert h07.status == "covered" and not h07.section.note
    assert not [i for i in result.sections if i.status in ("uncovered", "not yet covered")]


def test_each_setting_says_it_is_not_configured_without_configuration(ctx):
    shown = shown_settings.shown(ctx, ["training", "security_incident_page"])
    assert [s.items for s in shown] == [[], []]
    assert shown[0].missing.startswith("Not configured (training)")
    assert shown[1].missing.startswith("Not configured (security_incident_page)")


def security_task(ctx) -> str:
    """A counter contact where a member of staff was assaulted; returns the EO's referral task."""
    contact_id = contacts.start_contact(ctx, COUNTER, "counter", customer_name="Mr Ray Dunn", reference="PEX 9100 0001")
    view = contacts.view(ctx, contact_id)
    contacts.take_step(ctx, COUNTER, contact_id, next(n for n, c in view.offered if c.next == "assault"), at_step="what")
    fields = {fid: text or ("He pushed me." if required else "") for fid, _, text, required in records.draft_record(ctx, COUNTER, contact_id)}
    finished = records.finish(ctx, COUNTER, contact_id, fields)
    return next(t for t in finished.task_ids if queue.get_task(ctx, t).spec == "security_incident")


@pytest.mark.parametrize("page", ["", PAGE])
async def test_the_eo_sees_where_the_security_incident_page_is(tmp_path, clock, page):
    from counter_tui.screens.task import TaskScreen

    ctx = make_context(tmp_path / "c.db", clock)
    ctx.settings = ctx.settings.model_copy(update={"security_incident_page": page})
    for member in (COUNTER, EO):
        staff.add_staff(ctx, number=member.number, name=member.name, role=member.role, office=member.office, pin="357927")
    task_id = security_task(ctx)
    app = CounterApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        app.signed_in(EO)
        await pilot.pause()
        app.push_screen(TaskScreen(task_id))
        await pilot.pause()
        text = str(app.screen.query_one("#task-body Static", Static).render())
    assert "Where to report it (the security incident and breaches page)" in text
    if page:
        assert f"• {PAGE}" in text, "configuration is shown as typed, never as markup"
    else:
        assert "Not configured (security_incident_page)" in text
