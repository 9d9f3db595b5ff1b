"""The policy pack schema, what follows a contact: the incident report form and its distribution
and referrals, the letters drafted for sign-off and what follows the sign-off, and the control
measures (`policy.schema` holds the flows, forms and tasks, and the pack itself)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from counter_tui.policy.schema_base import Channel, Identifier
from counter_tui.policy.schema_base import Strict as _Strict


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
    review_required: bool = True
    """False where the guidance sets no review period: a review date is offered, never required (one
    given is checked as any other); without one, no review task reaches the queue."""
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


class InstantBanTrigger(_Strict):
    """An action that allows a restriction without first giving the customer the chance to modify
    their actions (council 12.2: threats of actual bodily harm to staff, violence to the premises)."""

    id: Identifier
    name: str
    section: str


class ChanceToModify(_Strict):
    """Before a restriction: whether and when the customer was given the opportunity to modify their
    actions, and how; without it, only an instant-ban trigger (ticked, with what happened) allows it."""

    section: str
    question: str
    """The question the decider answers, in the guidance's words."""
    how: list[str]
    """How the opportunity was given (the decider picks one)."""
    words_from_guidance: bool = True
    evidence_steps: list[Identifier] = Field(default_factory=list)
    """Steps of a flow that are a request to modify: taken in the contact that raised the decision,
    they are shown as the opportunity given, its date and how prefilled."""
    evidence_how: str = ""
    """The `how` choice a request to modify in the contact stands for."""
    instant_ban: list[InstantBanTrigger] = Field(default_factory=list)


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
    investigation_task: Identifier | None = None
    """The task whose investigation comes before the decision (council 13.2): while it is open for the
    same incident, the decision is refused unless the decider records why it is not relevant."""
    investigation_section: str = ""
    chance_to_modify: ChanceToModify | None = None
    """Asked before a restriction is set (council 12.2); None where the guidance asks no such thing."""
    types: list[MeasureSpec]

    def type(self, measure_id: str) -> MeasureSpec:
        for spec in self.types:
            if spec.id == measure_id:
                return spec
        raise KeyError(measure_id)
