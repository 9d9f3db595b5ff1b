"""A pack's flows as a diagram (`counter policy graph`): Mermaid or Graphviz dot, drawn from the same
data staff follow, so the picture can never disagree with the product.

Each step is a node (its title and section; final steps show their outcome, and a step whose words
warn is marked); each choice an edge labelled with its key and label (and its condition); the
immediate-risk key 0 is one dashed edge from the flow's start. Text from the pack is escaped for
the diagram language, never interpreted.
"""

from __future__ import annotations

from counter_tui.policy.schema import Flow, Pack


def flows_for(pack: Pack, channel: str) -> list[Flow]:
    """The pack's flows on `channel` (contact flows first, then follow-ups).

    Raises:
        ValueError: the pack has no flow on that channel.
    """
    found = sorted((f for f in pack.flows if f.channel.value == channel), key=lambda f: f.follow_up)
    if not found:
        channels = sorted({f.channel.value for f in pack.flows})
        raise ValueError(f"the {pack.id} pack has no {channel!r} flows (it has: {', '.join(channels)})")
    return found


def _node_text(flow: Flow, step_id: str) -> str:
    step = flow.step(step_id)
    text = f"{step.title} [{step.section}]"
    if step.warning:
        text += " (warning)"
    if step.outcome is not None:
        text += f" → {step.outcome.value}"
    return text


def _edges(flow: Flow) -> list[tuple[str, str, str, bool]]:
    """(from, to, label, dashed) for every choice, and the immediate-risk key from the start."""
    edges = []
    for step in flow.steps:
        for number, choice in enumerate(step.choices, 1):
            label = f"{number}. {choice.label}" + (f" (only if {choice.only_if})" if choice.only_if else "")
            edges.append((step.id, choice.next, label, False))
    if flow.immediate_risk is not None:
        edges.append((flow.start, flow.immediate_risk.step, f"0. {flow.immediate_risk.label}", True))
    return edges


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("|", "#124;")


def mermaid(pack: Pack, channel: str) -> str:
    """The channel's flows as one Mermaid flowchart, a subgraph per flow."""
    lines = ["flowchart TD"]
    for flow in flows_for(pack, channel):
        lines.append(f'  subgraph {flow.id}["{_mermaid_text(flow.title)}"]')
        for step in flow.steps:
            shape = ('(["', '"])') if step.is_final else ('["', '"]')
            lines.append(f"    {flow.id}__{step.id}{shape[0]}{_mermaid_text(_node_text(flow, step.id))}{shape[1]}")
        lines.append("  end")
        for source, target, label, dashed in _edges(flow):
            arrow = "-.->" if dashed else "-->"
            lines.append(f'  {flow.id}__{source} {arrow}|"{_mermaid_text(label)}"| {flow.id}__{target}')
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def dot(pack: Pack, channel: str) -> str:
    """The channel's flows as one Graphviz digraph, a cluster per flow."""
    lines = [f'digraph "{_dot_text(pack.id)}_{channel}" {{', "  rankdir=TB;", "  node [shape=box, fontname=Helvetica];"]
    for flow in flows_for(pack, channel):
        lines.append(f'  subgraph "cluster_{flow.id}" {{')
        lines.append(f'    label="{_dot_text(flow.title)}";')
        for step in flow.steps:
            style = ", style=rounded, peripheries=2" if step.is_final else ""
            lines.append(f'    "{flow.id}__{step.id}" [label="{_dot_text(_node_text(flow, step.id))}"{style}];')
        lines.append("  }")
        for source, target, label, dashed in _edges(flow):
            style = ", style=dashed" if dashed else ""
            lines.append(f'  "{flow.id}__{source}" -> "{flow.id}__{target}" [label="{_dot_text(label)}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
