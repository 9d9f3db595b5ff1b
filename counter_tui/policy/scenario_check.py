"""Check a practice scenario against its pack (`counter train check`), and work out the path the
guidance requires through it.

A scenario passes when every step it names is in its flow, every choice it expects or answers is
offered there, every moment can be reached, and following the required decisions from the start
ends the contact as the scenario's `ending` says, with the warnings and hand-offs it asks for. Each
finding names the place and the reason, like the pack linter's.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_tui.policy import engine
from counter_tui.policy.lint import Finding
from counter_tui.policy.loader import PackError, load_pack
from counter_tui.policy.scenario import IMMEDIATE_RISK, Moment, Scenario
from counter_tui.policy.schema import Flow, Outcome, Pack, Step

MAX_DECISIONS = 60
"""A required path longer than this goes round in circles: the scenario cannot be passed."""


@dataclass(frozen=True)
class Decision:
    """One decision on the required path: at `step`, choice `number` (0: immediate risk), which the
    `moment` requires (None where the step offers only one way on)."""

    step: Step
    number: int
    next: str
    moment: Moment | None


@dataclass(frozen=True)
class RequiredPath:
    decisions: list[Decision]
    final: Step
    warnings: int


class CannotPass(ValueError):
    """Following the required decisions does not end the contact as the scenario says."""


def facts_for(pack: Pack, scenario: Scenario) -> engine.Facts:
    """The facts the flow's conditions see at the start of this scenario's contact."""
    flow = pack.flow(scenario.flow)
    earlier = 0
    for contact in scenario.setup.earlier:
        other = pack.flow(contact.flow)
        if other.channel == flow.channel:
            earlier += walk(pack, other, contact.path, engine.Facts()).warnings
    restricted = False
    if pack.measures is not None and not flow.follow_up:
        for measure_id in scenario.setup.measures:
            spec = next((m for m in pack.measures.types if m.id == measure_id), None)
            restricted |= spec is not None and any(e.channel == flow.channel and e.refuse for e in spec.effects)
    return engine.Facts(facilities=frozenset(scenario.setup.facilities), earlier_warnings=earlier, restricted=restricted,
                        letters_sent=frozenset(scenario.setup.letters_sent))


def number_for(flow: Flow, step: Step, expect: str, facts: engine.Facts) -> int | None:
    """The number of the offered choice at `step` that leads to `expect` (0: immediate risk), or None."""
    if expect == IMMEDIATE_RISK:
        return 0 if flow.immediate_risk is not None and not step.is_final else None
    return next((n for n, c in engine.offered(step, facts) if c.next == expect), None)


def walk(pack: Pack, flow: Flow, path: list[str], facts: engine.Facts) -> engine.FlowState:
    """The state reached by following `path` (the steps each choice leads to) from the flow's start.

    Raises:
        CannotPass: a step on the path is not offered where it is asked for.
    """
    state = engine.start(pack, flow.id)
    for target in path:
        step = flow.step(state.step_id)
        number = number_for(flow, step, target, facts)
        if number is None:
            raise CannotPass(f"step {step.id!r} offers no choice leading to {target!r}")
        state = engine.choose(pack, state, number, facts).after
    return state


def hand_offs(pack: Pack, step: Step) -> list[str]:
    """The tasks finishing a contact at this final step hands on (as `records.finish` does)."""
    tasks = list(step.tasks)
    report = pack.incident_report
    if report is not None and step.starts_incident:
        tasks += [t for t in (report.welfare_task, report.task) if t is not None and t not in tasks]
    return tasks


def required_path(pack: Pack, scenario: Scenario) -> RequiredPath:
    """The decisions the guidance requires, from the start of the contact to its end.

    Raises:
        CannotPass: a step has several ways on and no moment says which, the path never ends, or it
            ends otherwise than the scenario's `ending` says.
    """
    flow = pack.flow(scenario.flow)
    facts = facts_for(pack, scenario)
    state = engine.start(pack, flow.id)
    visited: list[str] = []
    decisions: list[Decision] = []
    while not (step := flow.step(state.step_id)).is_final:
        if len(decisions) >= MAX_DECISIONS:
            raise CannotPass(f"the required decisions go round in circles (more than {MAX_DECISIONS})")
        moment = scenario.moment_at(step.id, visited)
        if moment is not None:
            number = number_for(flow, step, moment.expect, facts)
            if number is None:
                raise CannotPass(f"at {step.id!r} the moment expects {moment.expect!r}, which is not offered there")
        else:
            offered = engine.offered(step, facts)
            if len(offered) != 1:
                raise CannotPass(f"step {step.id!r} has {len(offered)} ways on and no moment says which the guidance requires")
            number = offered[0][0]
        decision = engine.choose(pack, state, number, facts)
        decisions.append(Decision(step=step, number=number, next=decision.after.step_id, moment=moment))
        visited.append(step.id)
        state = decision.after
    ending = scenario.ending
    if step.outcome is not ending.outcome:
        raise CannotPass(f"the required decisions end at {step.id!r} ({step.outcome.value}), not {ending.outcome.value}")
    problem = engine.ending_problem(pack, state)
    if problem:
        raise CannotPass(f"the required decisions end the contact against the pack: it {problem}")
    if ending.outcome is Outcome.ended and state.warnings < ending.warnings:
        raise CannotPass(f"the required decisions give {state.warnings} warning(s) before ending; the ending asks for {ending.warnings}")
    missing = [t for t in ending.hand_offs if t not in hand_offs(pack, step)]
    if missing:
        raise CannotPass(f"the required decisions end at {step.id!r}, which does not hand off {', '.join(missing)}")
    return RequiredPath(decisions=decisions, final=step, warnings=state.warnings)


def _reachable(flow: Flow) -> set[str]:
    seen, todo = set(), [flow.start]
    while todo:
        step_id = todo.pop()
        if step_id in seen:
            continue
        seen.add(step_id)
        step = flow.step(step_id)
        todo += [c.next for c in step.choices]
        if flow.immediate_risk is not None and not step.is_final:
            todo.append(flow.immediate_risk.step)
    return seen


def _reaches(flow: Flow, source: str, target: str) -> bool:
    """Whether `target` can come after `source` (some choices lead from one to the other)."""
    sub = flow.model_copy(update={"start": source})
    return any(target in {c.next for c in flow.step(s).choices} or
               (flow.immediate_risk is not None and flow.immediate_risk.step == target)
               for s in _reachable(sub))


def check(scenario: Scenario, file: str = "") -> list[Finding]:
    """Every problem with `scenario` against its pack, each naming the place and the reason."""
    name = file or f"{scenario.id}.toml"
    try:
        pack = load_pack(scenario.pack)
    except PackError as error:
        return [Finding("S001", f"{name}: pack", f"names the pack {scenario.pack!r}, which cannot be loaded ({error.rule})")]
    if scenario.flow not in {f.id for f in pack.flows}:
        return [Finding("S002", f"{name}: flow", f"names the flow {scenario.flow!r}, which the pack {pack.id!r} does not define")]
    flow = pack.flow(scenario.flow)
    found: list[Finding] = []
    found += _check_setup(pack, scenario)
    steps = {s.id: s for s in flow.steps}
    reachable = _reachable(flow)
    facts = facts_for(pack, scenario) if not found else engine.Facts()
    for n, moment in enumerate(scenario.moments, 1):
        place = f"moments[{n}] (step {moment.step})"
        step = steps.get(moment.step)
        if step is None:
            found.append(Finding("S003", place, f"names the step {moment.step!r}, which the flow {flow.id!r} does not have"))
            continue
        if number_for(flow, step, moment.expect, facts) is None:
            found.append(Finding("S004", place, f"expects {moment.expect!r}, which no choice offered at {step.id!r} leads to"))
        nexts = {c.next for c in step.choices} | ({IMMEDIATE_RISK} if flow.immediate_risk else set())
        for key in moment.replies:
            if key not in nexts:
                found.append(Finding("S005", place, f"has a reply for {key!r}, which no choice at {step.id!r} leads to"))
        for before in moment.if_visited + moment.unless_visited:
            if before not in steps:
                found.append(Finding("S003", place, f"names the step {before!r}, which the flow {flow.id!r} does not have"))
        if moment.step not in reachable:
            found.append(Finding("S006", place, f"can never be reached: the flow never comes to {moment.step!r}"))
        elif any(b in steps and not _reaches(flow, b, moment.step) for b in moment.if_visited):
            found.append(Finding("S006", place, "can never be reached: a step it needs first never leads to it"))
    for task_id in scenario.ending.hand_offs:
        if task_id not in {t.id for t in pack.tasks}:
            found.append(Finding("S008", "ending.hand_offs", f"names the task {task_id!r}, which the pack does not define"))
    if not found:
        try:
            required_path(pack, scenario)
        except CannotPass as problem:
            found.append(Finding("S007", "ending", f"cannot be passed: {problem}"))
    return [Finding(f.rule, f"{name}: {f.place}", f.message) for f in found]


def _check_setup(pack: Pack, scenario: Scenario) -> list[Finding]:
    found = []
    known_measures = {m.id for m in pack.measures.types} if pack.measures else set()
    for measure_id in scenario.setup.measures:
        if measure_id not in known_measures:
            found.append(Finding("S009", "setup.measures", f"names the measure {measure_id!r}, which the pack does not define"))
    sendable = {letter.id for letter in pack.letters if letter.sent_by}
    for letter_id in scenario.setup.letters_sent:
        if letter_id not in sendable:
            found.append(Finding("S009", "setup.letters_sent", f"names {letter_id!r}, which is not a letter of the pack with a `sent_by` task"))
    if scenario.setup.letters_sent and not scenario.setup.earlier:
        found.append(Finding("S009", "setup.letters_sent", "needs an earlier contact for the letters to follow"))
    for n, contact in enumerate(scenario.setup.earlier, 1):
        place = f"setup.earlier[{n}]"
        if contact.flow not in {f.id for f in pack.flows}:
            found.append(Finding("S009", place, f"names the flow {contact.flow!r}, which the pack does not define"))
            continue
        flow = pack.flow(contact.flow)
        try:
            state = walk(pack, flow, contact.path, engine.Facts(facilities=frozenset(scenario.setup.facilities)))
        except CannotPass as problem:
            found.append(Finding("S009", place, str(problem)))
            continue
        if not flow.step(state.step_id).is_final:
            found.append(Finding("S009", place, f"stops at {state.step_id!r}, which does not end the contact"))
    return found
