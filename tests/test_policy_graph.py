"""`counter policy graph`: a channel's flows drawn from the pack itself, in Mermaid and dot.

GIVEN every shipped pack and channel WHEN drawn THEN every step is a node and every choice (and the
immediate-risk key) an edge between the right nodes; text from the pack is escaped, never syntax.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from counter_tui.cli import main
from counter_tui.policy import graph
from counter_tui.policy.loader import load_pack, shipped_pack_ids

DRAWN = [(pack_id, channel) for pack_id in shipped_pack_ids()
         for channel in sorted({f.channel.value for f in load_pack(pack_id).flows})]


@pytest.mark.parametrize(("pack_id", "channel"), DRAWN)
def test_every_step_is_a_node_and_every_choice_an_edge(pack_id, channel):
    pack = load_pack(pack_id)
    flows = graph.flows_for(pack, channel)
    drawn = graph.mermaid(pack, channel)
    nodes = set(re.findall(r"^    (\w+__\w+)[\[(]", drawn, re.M))
    edges = re.findall(r"^  (\w+__\w+) -(?:->|\.->)\|\"[^\"]*\"\| (\w+__\w+)$", drawn, re.M)
    assert nodes == {f"{flow.id}__{step.id}" for flow in flows for step in flow.steps}
    expected = [(f"{flow.id}__{step.id}", f"{flow.id}__{choice.next}") for flow in flows for step in flow.steps
                for choice in step.choices]
    expected += [(f"{f.id}__{f.start}", f"{f.id}__{f.immediate_risk.step}") for f in flows if f.immediate_risk]
    assert sorted(edges) == sorted(expected)
    dotted = graph.dot(pack, channel)
    assert dotted.count(" -> ") == len(expected) and dotted.startswith("digraph") and dotted.rstrip().endswith("}")


def test_quotes_and_brackets_in_the_pack_are_escaped():
    pack = load_pack("hmpo")
    step = pack.flows[0].steps[0]
    hostile = step.model_copy(update={"title": 'He said "stop" <b> | [x]'})
    flow = pack.flows[0].model_copy(update={"steps": [hostile, *pack.flows[0].steps[1:]]})
    pack = pack.model_copy(update={"flows": [flow, *pack.flows[1:]]})
    drawn = graph.mermaid(pack, flow.channel.value)
    assert "He said #quot;stop#quot; #lt;b#gt; #124; [x]" in drawn
    assert 'He said \\"stop\\" <b> | [x]' in graph.dot(pack, flow.channel.value)


def test_the_command_draws_and_refuses_a_channel_the_pack_lacks():
    runner = CliRunner()
    drawn = runner.invoke(main, ["policy", "graph", "hmpo", "telephone", "--format", "dot"])
    assert drawn.exit_code == 0 and drawn.output.startswith('digraph "hmpo_telephone"')
    missing = runner.invoke(main, ["policy", "graph", "ico", "counter"])
    assert missing.exit_code != 0 and "has no 'counter' flows" in missing.output
