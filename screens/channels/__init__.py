"""One contact screen per channel, sharing the guided-step widgets of `screens/contact.py`."""

from __future__ import annotations

from counter_tui.policy.schema import Channel
from counter_tui.screens.channels.counter import CounterScreen
from counter_tui.screens.channels.interview import InterviewScreen
from counter_tui.screens.channels.telephone import TelephoneScreen
from counter_tui.screens.channels.video import VideoScreen
from counter_tui.screens.channels.written import WrittenScreen
from counter_tui.screens.contact import ContactScreen

SCREENS: dict[Channel, type[ContactScreen]] = {
    Channel.telephone: TelephoneScreen,
    Channel.face_to_face: InterviewScreen,
    Channel.video: VideoScreen,
    Channel.written: WrittenScreen,
    Channel.counter: CounterScreen,
}


def screen_for(channel: Channel) -> type[ContactScreen]:
    return SCREENS.get(channel, ContactScreen)
