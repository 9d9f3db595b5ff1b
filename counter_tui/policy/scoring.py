"""Score a practice attempt against the procedure, and lay out its debrief.

Pure: the training service passes in what the attempt stored (`Attempt`); nothing is looked up.
Every point is a `Criterion` with its section of the guidance and a sentence saying why it was
met or missed, so a score is never a bare number:

- each decision the trainee took where the scenario says what the guidance requires, and each
  required decision never reached (the contact ended or went elsewhere first);
- the guidance's words, where a step gives words to say;
- the time to each decision the scenario times;
- the warnings required before ending, the way the contact ended, the hand-offs, and what the case
  note must record.

The debrief's timeline puts what the trainee did beside what the guidance says at each point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from counter_tui.policy.scenario import IMMEDIATE_RISK, Scenario
from counter_tui.policy.scenario_check import RequiredPath, required_path
from counter_tui.policy.schema import Flow, Pack, Step


@dataclass(frozen=True)
class Taken:
    """A decision the trainee took, as stored."""

    step: str
    number: int
    """The pack's choice number; 0 for the immediate-risk branch."""
    next: str
    label: str
    at: datetime
    said: bool
    """The choice confirmed the step's words were said."""


@dataclass(frozen=True)
class Attempt:
    started_at: datetime
    taken: list[Taken]
    finished: bool
    """The record was saved (the contact is finished)."""
    final_step: str | None
    """Where the contact stands: a final step once it ended."""
    record_text: str = ""
    """Everything the trainee wrote: the note and the record's fields."""
    hand_offs: list[str] = field(default_factory=list)
    """The pack task ids the finished contact handed on."""


@dataclass(frozen=True)
class Criterion:
    kind: str
    """decision, not_reached, words, time, warnings, ending, hand_offs, note."""
    title: str
    section: str
    passed: bool
    explanation: str


@dataclass(frozen=True)
class Row:
    """One line of the debrief's timeline."""

    offset: float | None
    """Seconds from the start of the contact (None: a decision never reached)."""
    step: str
    section: str
    customer: list[str]
    did: str
    guidance: str
    passed: bool | None
    """None where the guidance says nothing particular (a single way on)."""


@dataclass(frozen=True)
class Score:
    criteria: list[Criterion]
    timeline: list[Row]

    @property
    def points(self) -> int:
        return sum(c.passed for c in self.criteria)

    @property
    def out_of(self) -> int:
        return len(self.criteria)

    @property
    def full(self) -> bool:
        return self.points == self.out_of

    @property
    def missed(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.passed]


def _label(flow: Flow, step: Step, target: str) -> str:
    if target == IMMEDIATE_RISK:
        return flow.immediate_risk.label if flow.immediate_risk else "Immediate risk"
    return next((c.label for c in step.choices if c.next == target), target)


def _leads_to(flow: Flow, step: Step, expect: str, taken: Taken) -> bool:
    if expect == IMMEDIATE_RISK:
        return taken.number == 0
    return taken.number != 0 and taken.next == expect


def _words_required(step: Step, moment) -> bool:
    """Whether the guidance requires the step's words here: not where the decision it requires is one
    taken without them (key 0 on a threat, refusing to serve, an admin refusal)."""
    if moment is None:
        return True
    if moment.expect == IMMEDIATE_RISK:
        return False
    return any(c.next == moment.expect and c.words_said for c in step.choices)


def _keyed(steps: list[str]) -> list[tuple[str, int]]:
    """(step, how many times it was shown so far) for each step in order."""
    return [(s, steps[: i + 1].count(s)) for i, s in enumerate(steps)]


def score(pack: Pack, scenario: Scenario, attempt: Attempt) -> Score:
    """What the attempt did beside what the guidance requires, criterion by criterion."""
    flow = pack.flow(scenario.flow)
    required: RequiredPath = required_path(pack, scenario)
    criteria: list[Criterion] = []
    timeline: list[Row] = []
    done_keys = set()
    previous = attempt.started_at
    visited: list[str] = []
    for key, taken in zip(_keyed([t.step for t in attempt.taken]), attempt.taken, strict=True):
        step = flow.step(taken.step)
        moment = scenario.moment_at(step.id, visited)
        visited.append(step.id)
        seconds = (taken.at - previous).total_seconds()
        offset = (taken.at - attempt.started_at).total_seconds()
        previous = taken.at
        passed = None
        guidance = ""
        if moment is not None:
            done_keys.add(key)
            expected = _label(flow, step, moment.expect)
            passed = _leads_to(flow, step, moment.expect, taken)
            guidance = f"{expected}. {moment.why}"
            criteria.append(Criterion("decision", f"Decision at “{step.title}”", moment.section, passed,
                                      f"You chose “{taken.label}”: right." if passed else
                                      f"You chose “{taken.label}”; the guidance requires “{expected}”. {moment.why}"))
            if moment.within is not None:
                quick = seconds <= moment.within
                criteria.append(Criterion("time", f"Time to decide at “{step.title}”", moment.section, quick,
                                          f"You took {seconds:.0f} s; the guidance's urgency allows {moment.within:.0f} s."))
        if step.say and step.words_from_guidance and _words_required(step, moment):
            criteria.append(Criterion(
                "words", f"The guidance's words at “{step.title}”", step.section, taken.said,
                "You confirmed you said the words on screen." if taken.said else
                f"You moved on with “{taken.label}” without saying the words on screen: “{' '.join(step.say)}”"))
        timeline.append(Row(offset, step.title, moment.section if moment else step.section,
                            [line.say for line in moment.lines] if moment else [], taken.label, guidance, passed))
    for key, decision in zip(_keyed([d.step.id for d in required.decisions]), required.decisions, strict=True):
        if decision.moment is None or key in done_keys:
            continue
        expected = _label(flow, decision.step, decision.moment.expect)
        criteria.append(Criterion("not_reached", f"Decision at “{decision.step.title}”", decision.moment.section, False,
                                  f"Never reached: the guidance requires “{expected}” here. {decision.moment.why}"))
        timeline.append(Row(None, decision.step.title, decision.moment.section,
                            [line.say for line in decision.moment.lines], "(not reached)",
                            f"{expected}. {decision.moment.why}", False))
    criteria += _ending(pack, flow, scenario, attempt)
    return Score(criteria=criteria, timeline=timeline)


def _ending(pack: Pack, flow: Flow, scenario: Scenario, attempt: Attempt) -> list[Criterion]:
    ending = scenario.ending
    found: list[Criterion] = []
    final = flow.step(attempt.final_step) if attempt.final_step else None
    outcome = final.outcome if final is not None and final.is_final else None
    warnings = sum(1 for t in attempt.taken if flow.step(t.step).warning and t.said)
    if ending.warnings:
        if outcome is not None and outcome.value == "ended":
            enough = warnings >= ending.warnings
            found.append(Criterion("warnings", "Warnings before ending", ending.section, enough,
                                   f"You gave {warnings} warning(s) before ending; the guidance requires {ending.warnings}."
                                   + ("" if enough else f" {ending.why}")))
        else:
            found.append(Criterion("warnings", "Warnings before ending", ending.section, outcome is not None,
                                   "The contact did not end, so no warnings were owed." if outcome is not None else
                                   "The contact was not finished."))
    if outcome is None:
        found.append(Criterion("ending", "How the contact ended", ending.section, False,
                               f"The contact was not finished; the guidance ends it: {ending.outcome.value}. {ending.why}"))
    else:
        right = outcome is ending.outcome and attempt.finished
        what = f"The contact ended “{final.title}” ({outcome.value})" + ("" if attempt.finished else " but the record was not saved")
        found.append(Criterion("ending", "How the contact ended", ending.section, right,
                               f"{what}: as the guidance says." if right else
                               f"{what}; the guidance: {ending.outcome.value}. {ending.why}"))
    if ending.hand_offs:
        missing = [t for t in ending.hand_offs if t not in attempt.hand_offs]
        names = ", ".join(pack.task(t).title for t in missing)
        found.append(Criterion("hand_offs", "Hand-offs", ending.section, not missing,
                               "Every hand-off the guidance requires was made." if not missing else f"Not handed on: {names}."))
    if ending.note_mentions:
        text = attempt.record_text.casefold()
        missing = [w for w in ending.note_mentions if w.casefold() not in text]
        found.append(Criterion("note", "The case note", ending.note_section or ending.section, not missing,
                               "The note records what the guidance asks." if not missing else
                               "The note does not mention: " + ", ".join(f"“{w}”" for w in missing) + "."))
    return found
