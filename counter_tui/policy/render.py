"""A pack as readable lines: each flow's steps, words, guidance and citations.

`counter policy show` prints them as text (`render_pack`); the app's procedure view
(`screens/procedure.py`) shows the same lines, styled by their kind. Both read the pack through the
functions here, so what an administrator reads on the command line is what staff read on screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from counter_tui.policy.schema import CHANNEL_NAMES, Channel, Flow, Pack

NOT_FROM_GUIDANCE = " (words not from the guidance)"
"""The mark after words to say that the pack supplies because the guidance gives none."""

LineKind = Literal[
    "title", "source", "blank", "roles", "behaviour", "review_note",
    "flow", "immediate_risk", "step", "say", "guidance", "choice", "outcome",
]


@dataclass(frozen=True)
class Line:
    """One line of a pack as read: its kind (how a screen styles it), its text, and its mark."""

    kind: LineKind
    text: str
    mark: str = ""
    """Printed after the text: `NOT_FROM_GUIDANCE` on words the pack supplies itself."""

    def __str__(self) -> str:
        return self.text + self.mark


def channels_of(pack: Pack) -> list[str]:
    """The channels the pack has flows for (their values), sorted."""
    return sorted({f.channel.value for f in pack.flows})


def check_channel(pack: Pack, channel: str | None) -> None:
    """Raises:
    ValueError: the pack has no flows on this channel (or it is not one Counter knows).
    """
    channels = channels_of(pack)
    if channel is not None and channel not in channels:
        raise ValueError(f"the {pack.id} pack has no {channel!r} flows (it has: {', '.join(channels)})")


def heading_lines(pack: Pack) -> list[Line]:
    """Who the pack belongs to, the document it implements, its roles and behaviours."""
    lines = [Line("title", f"{pack.organisation}: {pack.name}"), Line("source", f"Source: {pack.source}"), Line("blank", "")]
    lines.append(Line("roles", "Roles: " + ", ".join(f"{r.name} ({r.id})" for r in pack.roles)))
    for behaviour in pack.behaviours:
        lines.append(Line("behaviour", f"Behaviour {behaviour.name} [{behaviour.section}]"
                          + ("" if behaviour.may_end_contact else " (never ends a contact)")))
    return lines


def review_note_lines(pack: Pack, prefix: str = "Review note: ") -> list[Line]:
    """Where the document is silent or unclear: one line per note."""
    return [Line("review_note", f"{prefix}{note}") for note in pack.review_notes]


def flows_on(pack: Pack, channel: str | Channel | None = None) -> list[Flow]:
    """The pack's flows in its own order, optionally only one channel's."""
    return [flow for flow in pack.flows if channel is None or flow.channel.value == channel]


def flow_lines(pack: Pack, flow: Flow) -> Iterator[Line]:
    """A flow's heading, its immediate-risk key, then every step: title and section, the words to say
    (marked where they are not from the guidance), the guidance, the numbered choices, the outcome."""
    kind = "follow-up" if flow.follow_up else "contact"
    yield Line("flow", f"== {flow.title} ({flow.id}; {CHANNEL_NAMES[flow.channel]}; {kind}; "
                       f"{pack.role(flow.role).name}; {flow.warnings_before_end} warning(s) before ending)")
    if flow.immediate_risk is not None:
        yield Line("immediate_risk", f"   0. {flow.immediate_risk.label} -> {flow.immediate_risk.step} (from any step; "
                                     f"allowed by {flow.immediate_risk.allowed_by})")
    for step in flow.steps:
        yield Line("step", f"-- {step.id}: {step.title}  [{step.section}]")
        for words, from_guidance in step.lines("[your name]", "[your office]"):
            yield Line("say", f'   SAY: "{words}"', "" if from_guidance else NOT_FROM_GUIDANCE)
        for text in step.guidance:
            yield Line("guidance", f"   - {text}")
        for number, choice in enumerate(step.choices, 1):
            extra = f" (allowed by {choice.allowed_by})" if choice.allowed_by else ""
            extra += f" (only if {choice.only_if})" if choice.only_if else ""
            yield Line("choice", f"   {number}. {choice.label} -> {choice.next}{extra}")
        if step.outcome:
            hand = f"; hands off: {', '.join(step.tasks)}" if step.tasks else ""
            form = f"; form: {step.form}" if step.form else ""
            yield Line("outcome", f"   => {step.outcome.value}{form}{hand}")


def pack_lines(pack: Pack, channel: str | None = None) -> Iterator[Line]:
    """Everything `counter policy show` prints, line by line.

    Raises:
        ValueError: the channel is not one the pack has flows for.
    """
    check_channel(pack, channel)
    yield from heading_lines(pack)
    yield from review_note_lines(pack)
    for flow in flows_on(pack, channel):
        yield Line("blank", "")
        yield from flow_lines(pack, flow)


def render_pack(pack: Pack, channel: str | None = None) -> str:
    """The pack's flows, optionally only those of one channel.

    Raises:
        ValueError: the channel is not one Counter knows.
    """
    return "\n".join(str(line) for line in pack_lines(pack, channel))
