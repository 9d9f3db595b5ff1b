"""The policy pack schema's shared ground: the channels, how a flow finishes, and the strict base
every pack model derives from (`policy.schema` and `policy.schema_records` build on it)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

Identifier = str


class Channel(StrEnum):
    """The ways a customer reaches staff."""

    telephone = "telephone"
    face_to_face = "face_to_face"
    video = "video"
    written = "written"
    counter = "counter"


CHANNEL_NAMES = {
    Channel.telephone: "Telephone call",
    Channel.face_to_face: "Face-to-face interview",
    Channel.video: "Video interview",
    Channel.written: "Written communication",
    Channel.counter: "Public counter",
}


class Outcome(StrEnum):
    """How a flow finishes."""

    improved = "improved"
    """The customer's behaviour improved and they were dealt with as normal."""
    ended = "ended"
    """Staff ended the contact (or refused to serve)."""
    call_back_arranged = "call_back_arranged"
    """The contact paused with a call-back agreed (ICO 7.3)."""
    referred = "referred"
    """Handed to someone else without ending, for example a senior member of staff."""
    completed = "completed"
    """A manager's or follow-up flow was completed."""


class Strict(BaseModel):
    """A pack model: unknown keys refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
