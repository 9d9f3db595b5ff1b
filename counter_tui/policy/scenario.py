"""Practice scenarios (`data/scenarios/*.toml`): a scripted customer for one flow of a policy pack.

A scenario names the pack and flow it practises, who the customer is, what is already on their
record (`setup`), and its `moments`: at a step of the flow, what the customer says (line by line,
with timing), which decision the guidance requires there, why, and the section that says so. The
customer's next words depend on what the trainee chose (`replies`), and a moment may apply only
once certain steps were (or were not) visited, so the customer's behaviour branches on the
trainee's. The `ending` says how the contact should end: its outcome, the warnings the guidance
requires first, the hand-offs, and what the case note must mention.

Pure data and its loading, like `loader.py` for packs: `scenario_check.py` lints a scenario
against its pack, `scoring.py` scores an attempt.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from counter_tui.policy.loader import PackError, parse_toml
from counter_tui.policy.schema import Identifier, Outcome

PACKAGE = "counter_tui.data.scenarios"

IMMEDIATE_RISK = "immediate_risk"
"""`expect` for the one-key immediate-risk branch (key 0), open from every step of a flow that has one."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Line(_Strict):
    """One thing the customer says, `after` seconds after the step is on screen."""

    say: str = Field(min_length=1)
    after: float = Field(default=0, ge=0, le=120)


class Customer(_Strict):
    """Who the trainee is dealing with: made up, filled in on the contact screen for them."""

    name: str = Field(min_length=1)
    reference: str = ""
    query: str = ""


class EarlierContact(_Strict):
    """A contact before this one, on the customer's record: the flow and the steps it went through
    (each the id of the step a choice led to), finished with a practice record."""

    flow: Identifier
    path: list[Identifier]
    days_ago: int = Field(default=14, ge=1)


class Setup(_Strict):
    """What is on the customer's record before the practice starts."""

    earlier: list[EarlierContact] = Field(default_factory=list)
    measures: list[Identifier] = Field(default_factory=list)
    """Control measures of the pack (`[measures]` types) live on the customer: a restriction that
    turns them away on this channel, a marker."""
    facilities: list[str] = Field(default_factory=list)
    """What the trainee's office has (`post_box`, `security_guards`), for the pack's office conditions."""
    letters_sent: list[Identifier] = Field(default_factory=list)
    """Letters of the pack signed off and sent to the customer on the newest earlier contact (HMPO:
    `written_warning`, so the next abusive letter goes to the barring letter)."""


class Moment(_Strict):
    """At `step` (its `visit`-th showing, or any), the customer says `lines`; the guidance requires
    the choice that leads to `expect`."""

    step: Identifier
    visit: int | None = Field(default=None, ge=1)
    if_visited: list[Identifier] = Field(default_factory=list)
    """The moment applies only if the trainee's contact already went through all these steps..."""
    unless_visited: list[Identifier] = Field(default_factory=list)
    """...and through none of these (a warning not given, say)."""
    lines: list[Line] = Field(min_length=1)
    expect: Identifier
    """The step the required choice leads to (its `next`), or "immediate_risk" for key 0."""
    why: str = Field(min_length=1)
    """Why the guidance requires it, in a sentence the debrief shows beside a miss."""
    section: str = Field(min_length=1)
    within: float | None = Field(default=None, gt=0)
    """Seconds the guidance's urgency allows for this decision (scored when given)."""
    replies: dict[Identifier, str] = Field(default_factory=dict)
    """What the customer says next after each choice (by the step it leads to)."""


class Ending(_Strict):
    """How the contact should end, and what must follow."""

    outcome: Outcome
    section: str = Field(min_length=1)
    why: str = Field(min_length=1)
    warnings: int = Field(default=0, ge=0)
    """Warnings the guidance requires before this customer's contact may be ended (0: ending at once is right)."""
    hand_offs: list[Identifier] = Field(default_factory=list)
    """Tasks (pack task ids) the contact must hand on."""
    note_mentions: list[str] = Field(default_factory=list)
    """Words the case note must contain (any case): what the guidance says the note records."""
    note_section: str = ""


class Scenario(_Strict):
    id: Identifier
    title: str = Field(min_length=1)
    pack: Identifier
    flow: Identifier
    brief: str = Field(min_length=1)
    """What the trainee is told before starting: who they are, where, what the customer wants."""
    teaches: str = Field(min_length=1)
    """What the scenario practises, for the trainer's list."""
    customer: Customer
    setup: Setup = Field(default_factory=Setup)
    moments: list[Moment] = Field(min_length=1)
    ending: Ending

    def moment_at(self, step_id: str, visited: list[str]) -> Moment | None:
        """The moment that applies at `step_id`, given the steps shown before it (`visited`, in
        order, this showing not included): the first in file order whose conditions hold."""
        visit = visited.count(step_id) + 1
        for moment in self.moments:
            if moment.step != step_id or (moment.visit is not None and moment.visit != visit):
                continue
            if all(s in visited for s in moment.if_visited) and not any(s in visited for s in moment.unless_visited):
                return moment
        return None


MULTILINE = frozenset({"brief"})
"""The scenario texts that may have several lines (newlines, tabs); every other text is one line."""


class ScenarioError(PackError):
    """A scenario that cannot be used; `str()` is one line: file, place, reason."""


def parse_scenario(text: str, file: str) -> Scenario:
    """Validate a scenario's TOML text; ScenarioError (file, place, rule) for the first problem."""
    return parse_toml(text, file, Scenario, ScenarioError, multiline=MULTILINE)


def shipped_scenario_ids() -> list[str]:
    root = resources.files(PACKAGE)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def load_scenario(name: str) -> Scenario:
    """A shipped scenario by id, or a scenario file when given a path ending .toml."""
    if name.endswith(".toml"):
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ScenarioError(str(path), "", f"cannot be read ({error})") from None
        return parse_scenario(text, str(path))
    return _load_shipped(name)


@cache
def _load_shipped(scenario_id: str) -> Scenario:
    if scenario_id not in shipped_scenario_ids():
        raise ScenarioError(f"{scenario_id}.toml", "", f"no such scenario (shipped: {', '.join(shipped_scenario_ids())})")
    text = resources.files(PACKAGE).joinpath(f"{scenario_id}.toml").read_text(encoding="utf-8")
    return parse_scenario(text, f"{scenario_id}.toml")


def shipped_scenarios() -> list[Scenario]:
    return [load_scenario(s) for s in shipped_scenario_ids()]
