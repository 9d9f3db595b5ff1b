"""What the deciding role records before a decision on control measures, where the pack asks it:
the investigation's state for the incident (none / open, with who and when it is due / done, with
its outcome note) and, while it is open, why it is not relevant (council 13.2); whether and when the
customer was given the opportunity to modify their actions and how — prefilled from a request to
modify taken in the contact — or the instant-ban triggers, each with what happened (12.2); and
whether the customer may be vulnerable or is of no fixed address (10.2). Error labels are
`error-before-FIELD` so the screen places each message beside its field."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Label, RadioButton, RadioSet, Static

from counter_tui.models.task import Task
from counter_tui.services import measure_conditions, staff
from counter_tui.services.deadlines import due_phrase
from counter_tui.services.record_text import local_time
from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea, typed_text
from counter_tui.text import NOTE_LIMIT, REFERENCE_LIMIT


class DecisionBefore(Vertical):
    """The questions before the decision; `values()` is what the service's `before` takes."""

    DEFAULT_CSS = """
    DecisionBefore { height: auto; padding-top: 1; border-top: solid $primary-muted; }
    DecisionBefore RadioSet { height: auto; }
    DecisionBefore .ban-box { height: auto; padding-left: 4; display: none; }
    DecisionBefore .ban-box.-shown { display: block; }
    """

    def __init__(self, ctx, decision: Task) -> None:
        super().__init__(id="decision-before")
        self.ctx, self.decision = ctx, decision
        self.investigation = measure_conditions.investigation(ctx, decision)
        self.chance = measure_conditions.chance(ctx)
        self.evidence = measure_conditions.evidence(ctx, decision)

    def compose(self) -> ComposeResult:
        yield Static(Content.from_markup("[b]Before deciding[/b]"))
        if self.investigation is not None:
            yield Static(self._investigation_line(), id="investigation-state")
            if self.investigation.state == "open":
                yield Label("The investigation is still open: why is it not relevant to this decision?", classes="field-label")
                yield LimitedTextArea(id="field-before-investigation_not_relevant", soft_wrap=True, classes="field",
                                      limit=NOTE_LIMIT)
                yield Static("", id="error-before-investigation_not_relevant", classes="field-error")
        if self.chance is not None:
            yield from self._chance_fields()
        yield Checkbox("The customer may be vulnerable (10.2)", id="field-before-vulnerable", classes="field")
        yield Checkbox("The customer is of no fixed address (10.2)", id="field-before-no_fixed_address", classes="field")

    def _investigation_line(self) -> Content:
        found, section = self.investigation, self.ctx.pack.measures.investigation_section
        head = Content.from_markup("[b]Investigation[/b] [dim]— $section[/dim]: ", section=section or "the guidance")
        if found.state == "none":
            return head + Content("none for this incident.")
        task = found.task
        if found.state == "open":
            who = staff.name_of(self.ctx, task.assignee) if task.assignee else self.ctx.pack.role(task.role).name
            return head + Content.from_markup("[b $warning]open[/] — $title ($id), $who, $due.", title=task.title,
                                              id=task.id, who=who, due=due_phrase(self.ctx, task.due_at))
        by = staff.name_of(self.ctx, task.done_by) if task.done_by else "—"
        return head + Content.from_markup("[b]done[/b] — $title ($id), by $by on $when: $note", title=task.title,
                                          id=task.id, by=by, note=found.note or "no note",
                                          when=local_time(self.ctx, task.done_at, with_date=True))

    def _chance_fields(self) -> ComposeResult:
        chance, seen = self.chance, self.evidence
        yield Label(Content.from_markup("[b]$question[/b]  [dim]— $section[/dim]", question=chance.question,
                                        section=chance.section), classes="field-label")
        if seen is not None:
            yield Static(Content.from_markup("In the contact, on $on: [b]$label[/b] (filled in below).",
                                             on=f"{seen.on:%-d %b %Y}", label=seen.label), id="chance-evidence")
        yield Checkbox("Yes: the customer was given the opportunity to modify their actions", value=seen is not None,
                       id="field-before-chance_given", classes="field")
        yield Static("", id="error-before-chance_given", classes="field-error")
        yield Label("When it was given (YYYY-MM-DD)", classes="field-label")
        yield LimitedInput(seen.on.isoformat() if seen else "", id="field-before-chance_on", classes="field",
                           limit=REFERENCE_LIMIT)
        yield Static("", id="error-before-chance_on", classes="field-error")
        own = "" if chance.words_from_guidance else " (the pack's own words, not the guidance's)"
        yield Label(f"How it was given{own}", classes="field-label")
        with RadioSet(id="field-before-chance_how", classes="field"):
            for how in chance.how:
                yield RadioButton(how, value=seen is not None and how == seen.how)
        yield Static("", id="error-before-chance_how", classes="field-error")
        if chance.instant_ban:
            yield Label(Content.from_markup("Or, without it — an instant ban [dim]— $section[/dim]:",
                                            section=chance.section), classes="field-label")
        for trigger in chance.instant_ban:
            yield Checkbox(trigger.name, id=f"tick-before-instant_ban-{trigger.id}", classes="field")
            with Vertical(id=f"ban-box-{trigger.id}", classes="ban-box"):
                yield Label("What happened", classes="field-label")
                yield LimitedTextArea(id=f"field-before-instant_ban-{trigger.id}", soft_wrap=True, classes="field",
                                      limit=NOTE_LIMIT)
                yield Static("", id=f"error-before-instant_ban-{trigger.id}", classes="field-error")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """An instant-ban trigger's "what happened" shows while it is ticked."""
        trigger = (event.checkbox.id or "").removeprefix("tick-before-instant_ban-")
        if trigger != event.checkbox.id:
            self.query_one(f"#ban-box-{trigger}").set_class(event.value, "-shown")

    def _text(self, widget_id: str) -> str:
        return typed_text(self, widget_id)

    def _ticked(self, widget_id: str) -> bool:
        found = self.query(f"#{widget_id}")
        return bool(found) and found.first(Checkbox).value

    def values(self) -> dict:
        """What was recorded, as the service's `before` takes it."""
        typed: dict = {"investigation_not_relevant": self._text("field-before-investigation_not_relevant"),
                       "vulnerable": self._ticked("field-before-vulnerable"),
                       "no_fixed_address": self._ticked("field-before-no_fixed_address")}
        if self.chance is not None:
            pressed = self.query_one("#field-before-chance_how", RadioSet).pressed_button
            typed |= {"chance_given": self._ticked("field-before-chance_given"),
                      "chance_on": self._text("field-before-chance_on"),
                      "chance_how": str(pressed.label) if pressed is not None else "",
                      "instant_ban": {t.id: self._text(f"field-before-instant_ban-{t.id}") for t in self.chance.instant_ban
                                      if self._ticked(f"tick-before-instant_ban-{t.id}")}}
        return typed
