"""A pack as readable text (`counter policy show`): each flow's steps, words, guidance and citations."""

from __future__ import annotations

from counter_tui.policy.schema import CHANNEL_NAMES, Pack


def render_pack(pack: Pack, channel: str | None = None) -> str:
    """The pack's flows, optionally only those of one channel.

    Raises:
        ValueError: the channel is not one Counter knows.
    """
    channels = sorted({f.channel.value for f in pack.flows})
    if channel is not None and channel not in channels:
        raise ValueError(f"the {pack.id} pack has no {channel!r} flows (it has: {', '.join(channels)})")
    lines = [f"{pack.organisation}: {pack.name}", f"Source: {pack.source}", ""]
    lines.append("Roles: " + ", ".join(f"{r.name} ({r.id})" for r in pack.roles))
    for behaviour in pack.behaviours:
        lines.append(f"Behaviour {behaviour.name} [{behaviour.section}]" + ("" if behaviour.may_end_contact else " (never ends a contact)"))
    for note in pack.review_notes:
        lines.append(f"Review note: {note}")
    for flow in pack.flows:
        if channel is not None and flow.channel.value != channel:
            continue
        kind = "follow-up" if flow.follow_up else "contact"
        lines += ["", f"== {flow.title} ({flow.id}; {CHANNEL_NAMES[flow.channel]}; {kind}; "
                      f"{pack.role(flow.role).name}; {flow.warnings_before_end} warning(s) before ending)"]
        if flow.immediate_risk is not None:
            lines.append(f"   0. {flow.immediate_risk.label} -> {flow.immediate_risk.step} (from any step; "
                         f"allowed by {flow.immediate_risk.allowed_by})")
        for step in flow.steps:
            lines.append(f"-- {step.id}: {step.title}  [{step.section}]")
            for words in step.say:
                marker = "" if step.words_from_guidance else " (words not from the guidance)"
                lines.append(f'   SAY: "{words}"{marker}')
            for text in step.guidance:
                lines.append(f"   - {text}")
            for number, choice in enumerate(step.choices, 1):
                extra = f" (allowed by {choice.allowed_by})" if choice.allowed_by else ""
                extra += f" (only if {choice.only_if})" if choice.only_if else ""
                lines.append(f"   {number}. {choice.label} -> {choice.next}{extra}")
            if step.outcome:
                hand = f"; hands off: {', '.join(step.tasks)}" if step.tasks else ""
                form = f"; form: {step.form}" if step.form else ""
                lines.append(f"   => {step.outcome.value}{form}{hand}")
    return "\n".join(lines)
