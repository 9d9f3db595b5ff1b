"""P018 for the policy linter: a choice taken only at the request of the contact's own member of
staff (`requires_request`) must name a choice of its flow, on a step that member of staff alone
takes (`staff_own_decision`), before the step that needs it; choice ids are unique in a flow."""

from __future__ import annotations

from collections import deque

from counter_tui.policy.schema import Flow, Pack

RULE = "P018"


def _reaches(flow: Flow, start: str, goal: str) -> bool:
    """Whether `goal` can follow `start` (through the choices, not the immediate-risk key)."""
    seen, queue = set(), deque([start])
    while queue:
        step_id = queue.popleft()
        if step_id in seen:
            continue
        seen.add(step_id)
        try:
            step = flow.step(step_id)
        except KeyError:
            continue
        for choice in step.choices:
            if choice.next == goal:
                return True
            queue.append(choice.next)
    return False


def problems(pack: Pack) -> list[tuple[str, str, str]]:
    """(rule, place, message) for each broken request rule."""
    found = []
    for flow in pack.flows:
        ids: dict[str, str] = {}
        for step in flow.steps:
            for n, choice in enumerate(step.choices, 1):
                if choice.id is None:
                    continue
                if choice.id in ids:
                    found.append((RULE, f"flows[{flow.id}].steps[{step.id}].choices[{n}]",
                                  f"the choice id {choice.id!r} is used twice in the flow"))
                ids[choice.id] = step.id
        for step in flow.steps:
            for n, choice in enumerate(step.choices, 1):
                wanted = choice.requires_request
                if wanted is None:
                    continue
                place = f"flows[{flow.id}].steps[{step.id}].choices[{n}]"
                asked_at = ids.get(wanted.choice)
                if asked_at is None:
                    found.append((RULE, place, f"requires the request {wanted.choice!r}, which is no choice of the flow"))
                elif not flow.step(asked_at).staff_own_decision:
                    found.append((RULE, place, f"requires the request {wanted.choice!r}, whose step {asked_at!r} is not "
                                               "staff_own_decision (anyone at the terminal could ask)"))
                elif asked_at == step.id or not _reaches(flow, asked_at, step.id):
                    found.append((RULE, place, f"requires the request {wanted.choice!r}, which is never asked before it"))
                if not wanted.refusal.strip():
                    found.append((RULE, place, "requires a request but says nothing when it is refused"))
    return found
