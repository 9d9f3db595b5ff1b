"""The policy pack schema: an organisation's procedure as pydantic models.

A pack (`data/policies/<id>.toml`) holds the roles, behaviour categories, forms, hand-off tasks
and, for each channel, the guided flows of steps that staff follow. Every step cites the section of
the organisation's own guidance it implements, so the words on screen can be traced to the document.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Identifier = str

YOUR_NAME = "[your name]"
"""Where a step's words name the member of staff saying them."""
YOUR_OFFICE = "[your office]"
"""Where a step's words name the office of the member of staff saying them (the staff register's)."""
OPTION_SEPARATOR = "; "
"""Between the values picked in a form's `options` field with `many`, as the record stores them."""


class Channel(StrEnum):
    """The ways a customer reaches staff."""

    telephone = "telephone"
    face_to_face = "face_to_face"
    video = "video"
    written = "written"
    counter = "counter"


CHANNEL_NAMES = {
    Channel.telephone: "Telephone call",
    Channel.face_to_face: "Face-to-face interview",
    Channel.video: "Video interview",
    Channel.written: "Written communication",
    Channel.counter: "Public counter",
}


class Outcome(StrEnum):
    """How a flow finishes."""

    improved = "improved"
    """The customer's behaviour improved and they were dealt with as normal."""
    ended = "ended"
    """Staff ended the contact (or refused to serve)."""
    call_back_arranged = "call_back_arranged"
    """The contact paused with a call-back agreed (ICO 7.3)."""
    referred = "referred"
    """Handed to someone else without ending, for example a senior member of staff."""
    completed = "completed"
    """A manager's or follow-up flow was completed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Due(_Strict):
    """When a task falls due, counted from the moment it is created.

    Exactly one of `hours`, `config` or `end_of_day` is set. Where the guidance sets no clock the
    pack names a configuration key instead of inventing one.
    """

    hours: float | None = None
    config: str | None = None
    """Name of an entry in the configuration's `[deadlines]` table (hours)."""
    end_of_day: bool = False
    """Due by the end of the day it was created (in the organisation's time zone)."""
    field: str | None = None
    """Due at the date and time typed in this field (`when = true`) of the record that finishes the
    flow handing the task off: the next attempt to reach a client, a call-back time agreed."""
    from_field: str | None = None
    """Count the clock from the day typed in this `day` field of the record that hands the task off
    (the day a written communication was received), not from the moment the task is created."""
    section: str = ""
    """The section that sets this clock, or explains that none is set."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Due:
        chosen = [self.hours is not None, self.config is not None, self.end_of_day, self.field is not None]
        if sum(chosen) != 1:
            raise ValueError("set exactly one of hours, config, end_of_day or field")
        return self


SettingName = Literal["staff_support", "training", "security_incident_page"]
"""A setting a step or task may show (`services.shown_settings`)."""


class TaskSpec(_Strict):
    """A hand-off: work the guidance gives to a role once a flow reaches a point."""

    id: Identifier
    title: str
    role: Identifier
    due: Due
    section: str
    flow: Identifier | None = None
    """The guided flow the task opens; without one the task shows its instructions and is marked done."""
    form: Identifier | None = None
    """The form the task is to complete (the incident report form), instead of a flow."""
    assign_to: Literal["staff_involved", "letter_drafter", "staff_line_manager"] | None = None
    """Give the task to one person rather than a role: the member of staff the incident happened to,
    whoever drafted the letter the task follows (to scan it, to send it), or the line manager the
    staff register records for the member of staff who dealt with the customer (where none is
    recorded, the task stays with the role at the office)."""
    letter: Identifier | None = None
    """The letter (`[[letters]]`) this task drafts, or signs off where it is that letter's `sign_off`."""
    sign: bool = False
    """The task is to read the record of the contact that created it and sign it as agreed, or not."""
    instructions: list[str] = Field(default_factory=list)
    done_form: Identifier | None = None
    """A form completed when the task is marked done, its fields kept with the task and shown on the
    customer's record (the examiner's outcome of an admin refusal); it takes the place of the free note."""
    show_setting: list[SettingName] = Field(default_factory=list)
    """Settings from the organisation's configuration to show with the task (the security incident page)."""

    @field_validator("show_setting", mode="before")
    @classmethod
    def _one_setting(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _flow_or_form(self) -> TaskSpec:
        if sum(x is not None for x in (self.flow, self.form, self.letter)) > 1:
            raise ValueError("a task opens a flow, a form or a letter: one of them")
        if self.done_form is not None and (self.flow or self.form or self.letter or self.sign):
            raise ValueError("done_form is for a task done by marking it so, not one with a flow, form, letter or signature")
        return self


Prefill = Literal[
    "customer_name", "reference", "query", "said", "note", "steps", "staff_name", "started_at", "ended_reason",
    "date", "time", "office", "case_note", "staff_involved", "handed_to", "today", "origin", "behaviour",
]
"""`origin`: the field of the same id in the record of the contact the follow-up's task came from
(the day a written communication was received, carried to the line manager's record)."""


class FormField(_Strict):
    """One field of a record staff complete when a flow ends (case note, terminated call log)."""

    id: Identifier
    label: str
    prefill: Prefill | None = None
    """Where the field's first text comes from, so nothing is typed twice."""
    required: bool = True
    multiline: bool = True
    yes_no: bool = False
    """A yes/no question rather than text. Required (the default), it starts unanswered and must be
    answered yes or no, never taken as no; with `required = false` it is a checkbox (unticked: no)."""
    when: bool = False
    """A local date and time, typed YYYY-MM-DD HH:MM and later than now (a task may fall due then)."""
    day: bool = False
    """A local date, typed YYYY-MM-DD and not later than today: the day something happened or arrived
    (a written communication received), from which a task's clock may count (`Due.from_field`)."""
    options: list[str] = Field(default_factory=list)
    """A pick list: the value is one of these, stored as its text (so notes, PDFs and exports show it);
    a single line, whatever `multiline` says."""
    section: str | None = None
    """The section the field's question or options come from, where it is not the form's own."""
    many: bool = False
    """With `options`: any number of them may be picked, stored joined by OPTION_SEPARATOR in the
    options' order."""


class Form(_Strict):
    """A record the guidance requires, with the fields it must contain."""

    id: Identifier
    title: str
    section: str
    fields: list[FormField]


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


class Recipient(_Strict):
    """Who receives a copy of the incident report form (addresses are configuration, never the pack)."""

    name: str
    only_if: Identifier | None = None
    """The form's yes/no field that must be ticked for this copy (the security help desk: a breach)."""


class Notice(_Strict):
    """Words of the guidance shown where they apply, with the section they come from."""

    text: str
    section: str


class Referral(_Strict):
    """A task the completed incident report form hands on when its yes/no questions are all answered
    yes (HMPO: to the SEO when an incident is very serious and the customer's identity is known)."""

    task: Identifier
    all_yes: list[Identifier] = Field(min_length=1)
    """The form's required yes/no fields that must all be answered yes; any no: no task, and the record says so."""
    section: str


class IncidentReport(_Strict):
    """The record every incident needs: its form, the task that asks for it, and its distribution."""

    form: Identifier
    task: Identifier
    """The task created for every incident opened, which stays on the queue until the form is complete."""
    welfare_task: Identifier | None = None
    """The line manager's welfare task, handed off on every incident opened even where a step forgets it."""
    section: str
    distribution: list[Recipient] = Field(default_factory=list)
    notice: Notice | None = None
    """Shown at the head of every form not yet complete (HMPO: not recording is a disciplinary matter)."""
    refer: list[Referral] = Field(default_factory=list)
    """Tasks the completed form hands on, each when its questions are all answered yes."""


class AfterApproval(_Strict):
    """One thing the guidance says to do once the approver agrees to a letter, in its order.

    - `copy`: Counter e-mails a copy of the signed-off letter (PDF attached) to the list `to`.
    - `task`: a tracked task (`task`) on the queue: scan it on to the application, send it to the customer.
    - `record_incident`: the letter and its sign-off are recorded on the incident.
    - `notice`: a task (`task`) for the role that tells the other offices: its screen holds the e-mail
      to the list `to` (the incident, the customer's name, the application number), sent with one key.
    """

    action: Literal["copy", "task", "record_incident", "notice"]
    title: str
    """What the guidance says to do, in its words."""
    section: str
    to: str | None = None
    """The recipient list's name (configuration `[mail_lists]` holds its addresses)."""
    per_office: bool = False
    """The list of the office where the application was dealt with: `[mail_lists]` "NAME (OFFICE)"."""
    task: Identifier | None = None
    only_if: Literal["other_office", "live_application"] | None = None
    """Only where the application was dealt with in another office than the incident's, or where
    there is a live application (both asked on the draft)."""

    @model_validator(mode="after")
    def _needs(self) -> AfterApproval:
        if self.action in ("copy", "notice") and not self.to:
            raise ValueError(f"a {self.action} needs `to`, the recipient list")
        if self.action in ("task", "notice") and not self.task:
            raise ValueError(f"a {self.action} needs `task`, the task it puts on the queue")
        return self


class LetterDecision(_Strict):
    """A letter the guidance makes optional: the drafter decides first, and "do not write" needs a
    reason and closes the task with no letter."""

    question: str
    write: str
    """The choice that goes on to draft the letter, in the guidance's words."""
    decline: str
    """The choice that writes no letter (its reason is required)."""
    section: str


class LetterSpec(_Strict):
    """A letter the guidance requires: drafted from its template on the day, signed off by another
    officer with the approving role, then copied, scanned, sent and announced as the guidance lists."""

    id: Identifier
    template: Identifier
    """A template in `data/letters/` (its text follows what the guidance says the letter must explain)."""
    section: str
    sign_off: Identifier
    """The task that signs it off; its role is the approving role (HMPO: the SEO)."""
    bars: list[Channel] = Field(default_factory=list)
    """Once signed off, the customer is barred on these channels: shown at the start of every
    contact with them there (HMPO's barring letters)."""
    bars_at: list[Literal["CSO", "CSC"]] = Field(default_factory=list)
    """Only at offices of these kinds (configuration `office_kinds`); empty: at every office. HMPO's
    CSO letter bars the customer from Customer Service Offices (they must attend a CSC)."""
    sent_by: Identifier | None = None
    """The `after` task that sends the letter to the customer: once it is done the letter counts as
    sent (`only_if = "letter_sent:ID"`)."""
    decide_first: LetterDecision | None = None
    """The drafter first decides whether to write at all ("may consider writing"), with a reason."""
    after: list[AfterApproval] = Field(default_factory=list)


class MeasureEffect(_Strict):
    """What a live measure means on one channel: shown at the start of every contact there."""

    channel: Channel
    refuse: bool = False
    """The customer is not dealt with on this channel: staff say the words and end the contact politely
    (a flow's choice with `only_if = "restricted"` leads there)."""
    say: list[str] = Field(default_factory=list)
    words_from_guidance: bool = True
    """False where the guidance gives no words for this and the pack supplies them (marked on screen)."""
    guidance: list[str] = Field(default_factory=list)
    section: str


class MeasureSpec(_Strict):
    """A control measure the guidance lets a named role put on a customer: a marker, a contact
    restriction, or a warning on record."""

    id: Identifier
    kind: Literal["marker", "restriction", "adjustment", "warning"]
    """A marker, a contact restriction, a reasonable adjustment (ICO 12.2), or a warning given."""
    name: str
    means: str
    """What it means, in the guidance's words: shown to everyone who deals with the customer."""
    section: str
    decided_by: list[Identifier]
    """The roles that may set, change or lift it (never whoever proposed it: four eyes)."""
    review_months: int | None = None
    """The review date's default, counted from the day it is set; None: the decider sets the date."""
    review_choices: list[int] = Field(default_factory=list)
    """Other review periods (months) the decider may pick instead, for example six for a minor instance."""
    max_review_months: int | None = None
    """The latest a review may be, in months ("at least once every twelve months")."""
    reviewed: bool = True
    """False for a measure with no review (a warning given)."""
    ask_told: bool = False
    """Ask whether and how the customer was told of it, or why telling them would put staff at risk."""
    connected_person: bool = False
    """The decider may record that the behaviour was by a person connected to the customer."""
    show_terms: bool = False
    """The decision's reason is the customer's record of how to handle them (ICO 12.3): it is shown
    with the measure at the start of every contact."""
    then: list[Identifier] = Field(default_factory=list)
    """Tasks put on the queue once it is set (DWP: the team leader re-establishes contact, 22)."""
    effects: list[MeasureEffect] = Field(default_factory=list)


class Measures(_Strict):
    """How an organisation decides and reviews control measures on a customer."""

    section: str
    decide_task: Identifier
    """The task that asks for a decision (its role decides, by its clock); flows hand it off after an incident."""
    review_task: Identifier
    """The task that reviews a live measure; it reaches the queue `review_notice` before the review date."""
    review_notice: str = "measure_review_notice"
    """The configuration's `[deadlines]` entry (hours): how long before a review date its task is queued."""
    proposed_by: list[Identifier] = Field(default_factory=list)
    """Roles that may ask for a decision from a customer's record (besides the flows' hand-offs)."""
    detail_roles: list[Identifier] = Field(default_factory=list)
    """Roles that may read a measure's investigation detail; everyone else sees that it exists and what it means."""
    no_further_action: str = "No further action"
    """The decision's other outcome, in the guidance's words."""
    no_further_action_section: str = ""
    types: list[MeasureSpec]

    def type(self, measure_id: str) -> MeasureSpec:
        for spec in self.types:
            if spec.id == measure_id:
                return spec
        raise KeyError(measure_id)


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
