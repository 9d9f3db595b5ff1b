"""Training at the keyboard: every shipped scenario played well and badly in the training app,
scored and debriefed; the trainer's group session with two trainees; printing; hostile text; and
nothing from practice reaching the live database."""

from __future__ import annotations

import hashlib

import pytest
from pypdf import PdfReader

from counter_tui.policy.scenario import shipped_scenario_ids, load_scenario
from counter_tui.screens.training.brief import BriefScreen
from counter_tui.screens.training.score import ScoreScreen
from counter_tui.services import training
from counter_tui.screens.training.app import TrainingApp
from tests.conftest import START, make_context
from tests.training_helpers import badly, play, room, well

from counter_tui.clock import FixedClock


async def _start(pilot, app, name: str = "Ann Lee", *, typed: bool = True) -> None:
    """Type the trainee's name (or fill it in, where another test types it), Enter, Enter: the brief."""
    if typed:
        await pilot.press(*name)
    else:
        app.screen.query_one("#trainee").value = name
    await pilot.press("enter", "enter")
    assert isinstance(app.screen, BriefScreen)


@pytest.mark.parametrize("scenario_id", shipped_scenario_ids())
async def test_each_scenario_played_well_then_badly(tmp_path, scenario_id):
    """Played well (the required path, the note saying what the guidance asks): full marks. Played
    badly (another choice at the first moment that has one): not full, and the debrief names the
    choice the guidance requires there."""
    scenario = load_scenario(scenario_id)
    app = TrainingApp(room(tmp_path), scenario=scenario_id, line_speed=0)
    note = "Practice: " + " ".join(scenario.ending.note_mentions)
    async with app.run_test(size=(120, 40)) as pilot:
        await _start(pilot, app, typed=False)
        await play(pilot, app, scenario, well(scenario), note)
        assert isinstance(app.screen, ScoreScreen)
        (first,) = training.attempts(app.room)
        assert first["points"] == first["out_of"], [c.explanation for c in training.stored_score(first).missed]
        assert f"{first['points']} of {first['out_of']}" in str(app.screen.query_one("#debrief-text").render())

        path, missed_label = badly(scenario)
        await pilot.press("enter", "enter")  # back to the list, and the same scenario again
        await play(pilot, app, scenario, path, "Practice note")
        second = training.attempts(app.room)[1]
        score = training.stored_score(second)
        assert not score.full
        assert any(missed_label in c.explanation for c in score.missed), [c.explanation for c in score.missed]
        shown = str(app.screen.query_one("#debrief-text").render())
        assert "✗" in shown and missed_label in shown
        assert "Your earlier attempts at this scenario" in shown  # comparable across attempts


async def test_stopping_part_way_scores_what_was_done(tmp_path):
    app = TrainingApp(room(tmp_path), scenario="hmpo_phone_abuse_ends", line_speed=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        assert "Nine weeks" in str(app.screen.query_one("#practice").render())
        await pilot.press("1", "ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ScoreScreen)
        (attempt,) = training.attempts(app.room)
        titles = {c.title for c in training.stored_score(attempt).missed}
        assert "How the contact ended" in titles and "Decision at “Allow them to improve”" in titles


async def test_customer_lines_follow_the_trainees_choice(tmp_path):
    app = TrainingApp(room(tmp_path), scenario="hmpo_phone_abuse_ends", line_speed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await _start(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        said = str(app.screen.query_one("#practice").render())
        assert "Don't you threaten me" in said and "useless jobsworth" in said


async def test_a_trainer_runs_a_scenario_for_two_trainees_and_prints_their_debriefs(tmp_path):
    shared = room(tmp_path)
    trainer = TrainingApp(shared, trainer=True, line_speed=0)
    async with trainer.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"Jo Trainer", "enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        (session,) = training.open_sessions(shared)
    scenario = load_scenario(session["scenario"])
    for name, path in (("Ann Lee", well(scenario)), ("Bob Ray", badly(scenario)[0])):
        terminal = TrainingApp(shared, line_speed=0)  # a second terminal in the same room
        async with terminal.run_test(size=(120, 40)) as pilot:
            await pilot.press(*name, "enter")
            await pilot.pause()
            await pilot.press("enter")  # the group session heads the list
            await pilot.pause()
            await play(pilot, terminal, scenario, path, "Practice: " + " ".join(scenario.ending.note_mentions))
    view = training.group(shared, session["id"])
    assert [a["trainee"] for a in view.attempts] == ["Ann Lee", "Bob Ray"]
    assert view.most_missed and view.most_missed[0][1] == 1
    async with TrainingApp(shared, trainer=True).run_test(size=(120, 40)) as pilot:
        await pilot.press(*"Jo Trainer", "enter", "s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "Bob Ray" in str(pilot.app.screen.query_one("#attempts").get_row_at(1))
        assert "Most often missed" in str(pilot.app.screen.query_one("#most-missed").render())
        await pilot.press("p")
        await pilot.pause()
    pdfs = sorted((tmp_path / "debriefs").glob("*.pdf"))
    assert len(pdfs) == 2
    text = "".join(page.extract_text() for page in PdfReader(pdfs[1]).pages)
    assert "Practice debrief" in text and "Bob Ray" in text and "MISSED" in text


def test_nothing_from_practice_reaches_the_live_database(tmp_path):
    live = make_context(tmp_path / "live.db", FixedClock(START))
    live.store.db  # the live record exists, with its staff
    live.store.close()
    before = hashlib.sha256((tmp_path / "live.db").read_bytes()).hexdigest()
    shared = room(tmp_path / "training")
    for scenario_id in shipped_scenario_ids():
        practice = training.start(shared, "Ann Lee", scenario_id)
        assert practice.ctx.store.path.parent == tmp_path / "training" / "practice"
        assert practice.ctx.settings.smtp is None
        training.finish(shared, practice)
    assert hashlib.sha256((tmp_path / "live.db").read_bytes()).hexdigest() == before
    practised = [p for p in (tmp_path / "training" / "practice").glob("*.db") if p.name != "template.db"]
    assert len(practised) == len(shipped_scenario_ids())


async def test_a_trainees_hostile_name_is_stored_and_shown_as_text(tmp_path):
    app = TrainingApp(room(tmp_path), scenario="hmpo_phone_abuse_ends", line_speed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await _start(pilot, app, name="[b]Ann[/b] $x [@click=quit]")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        (attempt,) = training.attempts(app.room)
        assert attempt["trainee"] == "[b]Ann[/b] $x [@click=quit]"
        assert "[b]Ann[/b] $x [@click=quit]" in str(app.screen.query_one("#debrief-text").render())


async def test_no_name_is_refused_beside_the_field(tmp_path):
    app = TrainingApp(room(tmp_path), scenario="hmpo_phone_abuse_ends", line_speed=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "enter")  # no name typed: on to the list, and Enter there
        assert "-shown" in app.screen.query_one("#trainee-error").classes
        assert training.attempts(app.room) == []


def test_an_unfinished_attempt_is_carried_on_where_it_stopped(tmp_path):
    """The terminal died mid-practice: the trainee's list offers the attempt, and it resumes at the
    step it reached; once scored it cannot be resumed."""
    from counter_tui.services import contacts
    from counter_tui.services.errors import Refused

    shared = room(tmp_path)
    practice = training.start(shared, "Ann Lee", "hmpo_phone_abuse_ends")
    contacts.take_step(practice.ctx, practice.actor, practice.contact_id, 1, at_step="warn")
    practice.ctx.store.close()
    assert [a["id"] for a in training.unfinished(shared, "Ann Lee")] == [practice.attempt_id]
    again = training.resume(shared, practice.attempt_id)
    assert again.contact_id == practice.contact_id
    assert contacts.view(again.ctx, again.contact_id).step.id == "allow"
    training.finish(shared, again)
    assert training.unfinished(shared, "Ann Lee") == []
    with pytest.raises(Refused):
        training.resume(shared, practice.attempt_id)
