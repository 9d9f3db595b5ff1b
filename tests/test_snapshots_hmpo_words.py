"""Snapshots, at 80x24 and 120x40, of the screen states issue 18 items 9 and 10 add: the Skype
interview's warning with its acoustic-shock choice, the case note saying why the customer was
warned, and the counter note's pick lists (why the customer came; the kind of behaviour).
"""

from __future__ import annotations

import pytest

from tests.test_snapshots import COUNTER, HANDLER, OFFICER, SIZES, _channel_app, app, still_clock  # noqa: F401


@pytest.mark.parametrize("size", SIZES)
def test_video_warning_offers_abuse_or_an_acoustic_shock(snap_compare, tmp_path, still_clock, size):  # noqa: F811
    assert snap_compare(_channel_app(tmp_path, still_clock), press=[*OFFICER, "3", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_case_note_after_an_acoustic_shock_warning(snap_compare, app, size):  # noqa: F811
    async def warned_for_acoustic_shock(pilot):
        await pilot.press(*HANDLER)
        await pilot.pause()
        for key in ("1", "enter", "3", "2", "1"):  # warned (acoustic shock), no better, told: each once drawn
            await pilot.press(key)
            await pilot.pause()
        pilot.app.screen._autosave.save_now()  # the save a pause in typing makes: in the picture, whatever the timer did
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        pilot.app.screen.query_one("#field-warned_for").focus()
        await pilot.pause()

    assert snap_compare(app, run_before=warned_for_acoustic_shock, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_counter_note_pick_lists(snap_compare, tmp_path, still_clock, size):  # noqa: F811
    async def picked(pilot):
        await pilot.press(*COUNTER)
        await pilot.pause()
        for key in ("5", "enter", "2", "2", "1"):  # violent, threatening or abusive -> refuse to serve -> referred
            await pilot.press(key)
            await pilot.pause()
        pilot.app.screen.query_one("#field-visit_reason").focus()
        await pilot.press("enter", "down", "enter")  # the first reason: a priority service
        pilot.app.screen.query_one("#field-behaviour_kind").focus()
        await pilot.press("down", "space", "down", "down", "down", "space")  # racist; intimidating language
        await pilot.pause()
        pilot.app.screen._autosave.save_now()  # the save a pause in typing makes: in the picture, whatever the timer did
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(_channel_app(tmp_path, still_clock), run_before=picked, terminal_size=size)
