"""The policy pack schema, the work a flow hands on: the forms staff complete, the tasks put on the
queue and their clocks (`policy.schema` holds the flows that use them, and the pack itself)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from counter_tui.policy.schema_base import Identifier
from counter_tui.policy.schema_base import Strict as _Strict

OPTION_SEPARATOR = "; "
"""Between the values picked in a form's `options` field with `many`, as the record stores them."""


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
    raises_task: Identifier | None = None
    """With `yes_no`: answered yes, finishing the record also hands off this task (the council's
    training need for the line manager's one-to-one, 14.5); answered no, nothing follows."""


class Form(_Strict):
    """A record the guidance requires, with the fields it must contain."""

    id: Identifier
    title: str
    section: str
    fields: list[FormField]
