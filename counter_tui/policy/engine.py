"""The pure policy engine: where a flow is, what may happen next, and whether ending is permitted.

No I/O and no clock: the services store each decision and pass time in; the engine only answers
questions about a pack. A `FlowState` can be rebuilt from the choices taken (`replay`), which is
how an interrupted contact resumes at the step where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from counter_tui.policy.schema import Choice, Flow, Outcome, Pack, Step


IMMEDIATE_RISK = 0
"""The choice number of the one-key immediate-risk branch (key 0), open from every step."""


class ChoiceNotOffered(ValueError):
    """The number pressed is not one of the step's choices."""


@dataclass(frozen=True)
class Facts:
    """What the pack's `only_if` conditions ask about a contact: passed in, never looked up here."""

    facilities: frozenset[str] = frozenset()
    """What the office has (configuration): `post_box`, `security_guards`..."""
    earlier_warnings: int = 0
    """Warnings given to this customer in earlier contacts of the same channel."""
    restricted: bool = False
    """A live measure on the customer refuses them on the contact's channel (writing only, say)."""
    letters_sent: frozenset[str] = frozenset()
    """The pack's letters (ids) signed off AND sent to this customer (its `sent_by` task done): a
    draft, a returned or a not agreed letter is not among them."""
    origin: str = ""
    """For a follow-up opened from a task: the step where the contact that handed the task off
    finished ('' for a contact staff started)."""


def holds(condition: str | None, facts: Facts) -> bool:
    """Whether a choice's `only_if` condition holds for these facts (None always holds)."""
    if condition is None:
        return True
    if condition.startswith("office:!"):
        return condition.removeprefix("office:!") not in facts.facilities
    if condition.startswith("office:"):
        return condition.removeprefix("office:") in facts.facilities
    if condition.startswith("earlier_warnings>="):
        return facts.earlier_warnings >= int(condition.removeprefix("earlier_warnings>="))
    if condition.startswith("earlier_warnings<"):
        return facts.earlier_warnings < int(condition.removeprefix("earlier_warnings<"))
    if condition.startswith("!letter_sent:"):
        return condition.removeprefix("!letter_sent:") not in facts.letters_sent
    if condition.startswith("letter_sent:"):
        return condition.removeprefix("letter_sent:") in facts.letters_sent
    if condition.startswith("origin:!"):
        return facts.origin != condition.removeprefix("origin:!")
    if condition.startswith("origin:"):
        return facts.origin == condition.removeprefix("origin:")
    if condition == "restricted":
        return facts.restricted
    if condition == "!restricted":
        return not facts.restricted
    raise ValueError(f"unknown condition {condition!r}")


def offered(step: Step, facts: Facts) -> list[tuple[int, Choice]]:
    """The choices shown at a step for these facts, as (number in the pack, choice), in pack order.

    Numbers are the pack's own (1-based), so a stored decision replays whatever the facts later.
    """
    return [(n, c) for n, c in enumerate(step.choices, 1) if holds(c.only_if, facts)]


def deciders(step: Step, choice: Choice) -> list[str]:
    """The roles the pack gives this choice at this step to: the choice's `decided_by`, else the
    step's; empty (anyone dealing with the contact) for the immediate-risk key 0."""
    if choice.immediate_risk and choice not in step.choices:
        return []
    return list(choice.decided_by or step.decided_by)


@dataclass(frozen=True)
class FlowState:
    """Where a contact stands in its flow."""

    flow_id: str
    step_id: str
    warnings: int = 0
    """Warning steps confirmed so far."""
    allowed_by: str | None = None
    """The section that allowed ending without the required warnings, once such a choice is taken."""
    behaviour: str | None = None
    immediate_risk: bool = False
    choices: tuple[int, ...] = ()
    """The 1-based choice numbers taken, in order."""


@dataclass(frozen=True)
class Decision:
    """One choice taken: from which step, which choice, and where it led."""

    step: Step
    number: int
    choice: Choice
    before: FlowState
    after: FlowState


def start(pack: Pack, flow_id: str) -> FlowState:
    """The state at the first step of a flow."""
    flow = pack.flow(flow_id)
    return FlowState(flow_id=flow_id, step_id=flow.start)


def current_step(pack: Pack, state: FlowState) -> Step:
    return pack.flow(state.flow_id).step(state.step_id)


def immediate_risk_choice(flow: Flow) -> Choice | None:
    """The immediate-risk branch as a choice (key 0), where the flow has one."""
    risk = flow.immediate_risk
    if risk is None:
        return None
    return Choice(label=risk.label, next=risk.step, allowed_by=risk.allowed_by, immediate_risk=True, words_said=False)


def choose(pack: Pack, state: FlowState, number: int, facts: Facts | None = None) -> Decision:
    """Take choice `number` (the pack's 1-based number; 0 for immediate risk) at the current step.

    Args:
        facts: when given, a choice whose condition does not hold is refused (replay passes None:
            what was stored was offered when it was taken).

    Raises:
        ChoiceNotOffered: when the step has no such choice (or is final).
    """
    flow = pack.flow(state.flow_id)
    step = flow.step(state.step_id)
    risk = immediate_risk_choice(flow)
    if number == IMMEDIATE_RISK and risk is not None and not step.is_final:
        choice = risk
    elif 1 <= number <= len(step.choices):
        choice = step.choices[number - 1]
        if facts is not None and not holds(choice.only_if, facts):
            raise ChoiceNotOffered(f"step {step.id!r}: choice {number} is not offered here ({choice.only_if})")
    else:
        raise ChoiceNotOffered(f"step {step.id!r} has no choice {number}")
    after = replace(
        state,
        step_id=choice.next,
        warnings=state.warnings + (1 if step.warning and choice.words_said else 0),
        allowed_by=choice.allowed_by or state.allowed_by,
        behaviour=choice.behaviour or state.behaviour,
        immediate_risk=state.immediate_risk or choice.immediate_risk,
        choices=(*state.choices, number),
    )
    return Decision(step=step, number=number, choice=choice, before=state, after=after)


def replay(pack: Pack, flow_id: str, numbers: list[int]) -> FlowState:
    """Rebuild the state reached by taking `numbers` from the start of the flow."""
    state = start(pack, flow_id)
    for number in numbers:
        state = choose(pack, state, number).after
    return state


def ending_problem(pack: Pack, state: FlowState) -> str | None:
    """Why this final state would end a contact against the pack's own document, or None if it may.

    A contact may be ended when the flow's required warnings were given, or a choice on the way
    was one the document allows without them, and the behaviour is one that may end a contact.
    """
    flow = pack.flow(state.flow_id)
    step = flow.step(state.step_id)
    if step.outcome is not Outcome.ended:
        return None
    if state.behaviour is not None and not pack.behaviour(state.behaviour).may_end_contact:
        return f"ends the contact for {state.behaviour!r} behaviour, which may not be ended"
    if state.warnings < flow.warnings_before_end and state.allowed_by is None:
        return (
            f"ends the contact after {state.warnings} warning(s); the document requires "
            f"{flow.warnings_before_end} unless a branch it allows is taken"
        )
    return None


def is_final(pack: Pack, state: FlowState) -> bool:
    return current_step(pack, state).is_final


def flow_of(pack: Pack, state: FlowState) -> Flow:
    return pack.flow(state.flow_id)
