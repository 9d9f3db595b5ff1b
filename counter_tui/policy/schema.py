"""The policy pack schema: an organisation's procedure as pydantic models.

A pack (`data/policies/<id>.toml`) holds the roles, behaviour categories, forms, hand-off tasks
and, for each channel, the guided flows of steps that staff follow. Every step cites the section of
the organisation's own guidance it implements, so the words on screen can be traced to the document.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from counter_tui.policy.schema_base import CHANNEL_NAMES as CHANNEL_NAMES
from counter_tui.policy.schema_base import Channel as Channel
from counter_tui.policy.schema_base import Identifier as Identifier
from counter_tui.policy.schema_base import Outcome as Outcome
from counter_tui.policy.schema_base import Strict as _Strict
from counter_tui.policy.schema_forms import (  # noqa: F401  (re-exported)
    OPTION_SEPARATOR, Due, Form, FormField, Prefill, SettingName, TaskSpec,
)
from counter_tui.policy.schema_records import (  # noqa: F401  (re-exported: the pack's parts live there)
    AfterApproval, IncidentReport, LetterDecision, LetterSpec, MeasureEffect, MeasureSpec, Measures, Notice,
    Recipient, Referral,
)

YOUR_NAME = "[your name]"
"""Where a step's words name the member of staff saying them."""
YOUR_OFFICE = "[your office]"
"""Where a step's words name the office of the member of staff saying them (the staff register's)."""
class Role(_Strict):
    """A role the guidance names (call handler, line manager, SEO...)."""

    id: Identifier
    name: str
    section: str = ""
    """Where the guidance names this role."""


class Behaviour(_Strict):
    """A category of customer behaviour as the guidance defines it; never relabelled across packs."""

    id: Identifier
    name: str
    definition: str
    section: str
    may_end_contact: bool = True
    """False where the guidance never lets staff end the contact for this behaviour alone (ICO 7.3)."""


CONDITION = re.compile(
    r"^(office:!?[a-z_]+|earlier_warnings(>=|<)[0-9]|!?restricted|!?letter_sent:[a-z0-9_]+|origin:!?[a-z0-9_]+)$")
"""`office:post_box` (the office has one), `office:!security_guards` (it has none),
`earlier_warnings>=2` (warnings given to this customer in earlier contacts of this channel),
`restricted` (a live measure refuses this customer on the contact's channel; `!restricted`: none does),
`letter_sent:written_warning` (that letter was signed off and sent to this customer: its `sent_by`
task is done; `!letter_sent:...`: it was not), `origin:barring_letter` (a follow-up whose task was
handed off where the contact finished at that step; `origin:!STEP`: elsewhere)."""


class Request(_Strict):
    """A choice that may be taken only once the member of staff the contact is with asked for it, at
    their own sign-in (HMPO: someone else serves a customer who refused them only if they ask)."""

    choice: Identifier
    """The `id` of the choice, in the same flow, that records the request (its step is `staff_own_decision`)."""
    refusal: str
    """What the refusal says when it was not asked for."""


class Choice(_Strict):
    """A numbered decision offered at a step."""

    label: str
    next: Identifier
    id: Identifier | None = None
    """A name other rules refer to this choice by (a `requires_request`); unique in its flow."""
    requires_request: Request | None = None
    """Refused (and not offered) unless the contact's own member of staff took the choice it names."""
    behaviour: Identifier | None = None
    """Taking this choice classifies the customer's behaviour."""
    allowed_by: str | None = None
    """The section that allows ending the contact from here without the flow's required warnings."""
    immediate_risk: bool = False
    """A branch for a risk to someone's safety: recorded on the contact."""
    words_said: bool = True
    """False where taking this choice means the step's words were not said (refusing to serve
    instead of warning): the words are then not recorded as told, nor counted as a warning."""
    only_if: str | None = None
    """Offer this choice only where a fact holds (see CONDITION): an office's post box or security
    guards (configuration), or the customer's earlier warnings on this channel."""
    decided_by: list[Identifier] = Field(default_factory=list)
    """The roles the document gives this decision to (HMPO: the EO counter manager); empty: the step's
    `decided_by`, or else anyone dealing with the contact. The service refuses it to every other role."""
    records: dict[Identifier, str] = Field(default_factory=dict)
    """What taking this choice puts in the fields of the flow's form, by field id (what arrived, the kind
    of abuse), so nothing chosen by number is typed again; the form leaves them editable."""

    @field_validator("only_if")
    @classmethod
    def _condition(cls, value: str | None) -> str | None:
        if value is not None and not CONDITION.match(value):
            raise ValueError("only_if must be office:NAME, office:!NAME, earlier_warnings>=N / <N, [!]restricted, "
                             "[!]letter_sent:LETTER, or origin:[!]STEP")
        return value


class Step(_Strict):
    """One point in a guided flow: what to say, what to bear in mind, what can happen next."""

    id: Identifier
    title: str
    section: str
    say: list[str] = Field(default_factory=list)
    """The words to say to the customer, from the guidance; `[your name]` becomes the staff member's
    name and `[your office]` their office."""
    say_own: list[str] = Field(default_factory=list)
    """Counter's own words for what the guidance asks staff to say without giving the words, said
    before `say` and each marked on screen as not from the guidance (the `say` lines are not)."""

    def lines(self, staff_name: str, office: str = "") -> list[tuple[str, bool]]:
        """The words to say in order, as (line, from the guidance), with the member of staff's own
        name and office put in."""
        marked = [(line, False) for line in self.say_own] + [(line, self.words_from_guidance) for line in self.say]
        return [(line.replace(YOUR_NAME, staff_name).replace(YOUR_OFFICE, office), ours) for line, ours in marked]

    def words(self, staff_name: str, office: str = "") -> list[str]:
        """The words to say, with the member of staff's own name and office put in."""
        return [line for line, _ in self.lines(staff_name, office)]
    words_from_guidance: bool = True
    """False where the guidance gives no words for any `say` line and the pack supplies them (marked on
    screen); where only some lines are Counter's, those are `say_own` instead."""
    guidance: list[str] = Field(default_factory=list)
    """What staff must do or be aware of at this point, in the guidance's words."""
    warning: bool = False
    """Saying this step's words warns the customer (counted towards `Flow.warnings_before_end`)."""
    choices: list[Choice] = Field(default_factory=list)
    outcome: Outcome | None = None
    """Set on the steps that finish the flow; such steps have no choices."""
    form: Identifier | None = None
    """The record to complete when the flow finishes here."""
    tasks: list[Identifier] = Field(default_factory=list)
    """Hand-offs created when the flow finishes here."""
    record_incident: bool = False
    """Finishing here records the incident."""
    no_incident: bool = False
    """Ending here is not a new incident: a customer turned away under a restriction already decided."""
    opens_incident: bool = False
    """Finishing here opens an incident though the contact did not end (abusive written communications,
    handed on: the incident is recorded later, by the letter's after-step)."""
    show_setting: list[SettingName | Literal["line_manager"]] = Field(default_factory=list)
    """Lists from the organisation's configuration to show with this step (the support available to
    staff, the training courses), or `line_manager`: the line manager of the member of staff dealing
    with the customer, from the staff register (to call now); one name or a list of them."""

    @field_validator("show_setting", mode="before")
    @classmethod
    def _one_setting(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value
    staff_own_decision: bool = False
    """Only the member of staff the contact is with (who started it) may take this step, at their own
    sign-in: nobody who switched user at their terminal (HMPO: whether they ask for someone else to
    serve a customer who refused them because of their protected characteristic)."""
    decided_by: list[Identifier] = Field(default_factory=list)
    """The roles the document gives every choice here to (a choice's own `decided_by` overrides it);
    the immediate-risk key 0 stays open to whoever is dealing with the customer."""
    on_record: str | None = None
    """A follow-up flow finishing here records a decision on the incident its task follows (HMPO: the
    police informed or not): this line, with `$FIELD` for the text of a field of the step's form and
    `$staff_name` for whoever decided, is shown with the incident on the customer's record."""

    @property
    def is_final(self) -> bool:
        return self.outcome is not None

    @property
    def starts_incident(self) -> bool:
        """Finishing a contact here opens an incident (unless its task's incident is already open)."""
        return (self.outcome is Outcome.ended and not self.no_incident) or self.record_incident or self.opens_incident


class ImmediateRisk(_Strict):
    """The one-key branch for a risk to someone's safety, open from every step of a flow (key 0)."""

    step: Identifier
    """Where the key leads."""
    allowed_by: str
    """The section that lets the contact end at once from there, without further warning."""
    label: str = "Immediate risk: threats of violence, assault, or harm to self or others"


class Preparation(_Strict):
    """What staff read before a contact with a customer who has earlier records (HMPO: the interview
    officer reviews the case notes when they prepare for the interview): the earlier records and
    incidents for the customer or their reference, newest first, under the guidance's words."""

    title: str = "Prepare for the interview"
    section: str
    guidance: list[str] = Field(min_length=1)


class Flow(_Strict):
    """A guided procedure for one channel or one follow-up task."""

    id: Identifier
    title: str
    channel: Channel
    section: str
    role: Identifier
    """The role that follows this flow."""
    start: Identifier
    warnings_before_end: int = Field(default=1, ge=0)
    """Warning steps that must be confirmed before the contact may be ended."""
    follow_up: bool = False
    """True for flows opened from a task (a call-back) rather than started by staff."""
    staff_record: bool = False
    """A record about a member of staff (their welfare): it belongs to their HR file, so it is never
    linked to the customer or shown in the customer's history."""
    immediate_risk: ImmediateRisk | None = None
    prepare: Preparation | None = None
    """Shown first, when the contact starts, where the customer has earlier records or incidents."""
    earlier_warnings: bool = False
    """Count and show the warnings this customer (by application reference) was given in earlier
    contacts of this channel (HMPO: a third interview after two warnings)."""
    steps: list[Step]

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError if there is none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


class Section(_Strict):
    """A section or numbered step of the source document, by its heading only (never its names or contact details)."""

    id: str
    heading: str
    note: str = ""
    """Why nothing cites it ("background, no duty"), or "Not yet covered: ..." naming the duty still to do."""


class TakeOver(_Strict):
    """A manager's view of the contacts in progress, from which they may take one over (ICO 14.2:
    "direct intervention, taking control of a customer contact where necessary")."""

    roles: list[Identifier]
    """The roles that may see live contacts and take one over from the member of staff handling it."""
    section: str
    """The section of the guidance that lets a manager take control of a contact."""


class Pack(_Strict):
    """An organisation's whole procedure."""

    id: Identifier
    name: str
    organisation: str
    source: str
    """The document this pack implements (file name in the seeds, with title and version)."""
    roles: list[Role]
    behaviours: list[Behaviour] = Field(default_factory=list)
    forms: list[Form] = Field(default_factory=list)
    tasks: list[TaskSpec] = Field(default_factory=list)
    flows: list[Flow]
    incident_report: IncidentReport | None = None
    letters: list[LetterSpec] = Field(default_factory=list)
    measures: Measures | None = None
    positive_action_log: str | None = None
    """The section that asks for a log of good conduct from customers who normally behave
    unacceptably (council 15.3); None: the procedure keeps no such log."""
    take_over: TakeOver | None = None
    """Who may take over a live contact from the member of staff handling it; None: nobody."""
    reference_label: str = "Reference"
    """What the organisation calls the customer's reference, as staff see it beside the name
    (HMPO: "Application reference"; DWP: "Case reference")."""
    review_notes: list[str] = Field(default_factory=list)
    """Where the document is silent or unclear: shown to administrators instead of an invented rule."""
    sections: list[Section] = Field(default_factory=list)
    """The document's sections and numbered steps (`counter policy coverage`)."""

    def flow(self, flow_id: str) -> Flow:
        for flow in self.flows:
            if flow.id == flow_id:
                return flow
        raise KeyError(flow_id)

    def role(self, role_id: str) -> Role:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(role_id)

    def form(self, form_id: str) -> Form:
        for form in self.forms:
            if form.id == form_id:
                return form
        raise KeyError(form_id)

    def task(self, task_id: str) -> TaskSpec:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def letter(self, letter_id: str) -> LetterSpec:
        for letter in self.letters:
            if letter.id == letter_id:
                return letter
        raise KeyError(letter_id)

    def behaviour(self, behaviour_id: str) -> Behaviour:
        for behaviour in self.behaviours:
            if behaviour.id == behaviour_id:
                return behaviour
        raise KeyError(behaviour_id)

    def contact_flows(self, channel: Channel | None = None) -> list[Flow]:
        """The flows staff start themselves, optionally for one channel."""
        return [f for f in self.flows if not f.follow_up and (channel is None or f.channel == channel)]
