"""The deciding role's screen (DWP's Nominated Manager): what happened and who asked, then tick
the control measures to set — each with its reason, review date and, where the pack asks, how the
customer was told — or no further action with its reason; ctrl+s decides. Errors show beside
their fields and nothing typed is lost."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Label, Static

from counter_tui.policy.schema import MeasureSpec
from counter_tui.services import measure_conditions, measures, staff
from counter_tui.services.errors import FieldErrors, NotFound, Refused, StoreError
from counter_tui.services.measure_record import describe
from counter_tui.services.deadlines import due_phrase
from counter_tui.services.record_text import local_time
from counter_tui.screens.widgets.decision_before import DecisionBefore
from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea, typed_text
from counter_tui.text import NAME_LIMIT, NOTE_LIMIT, REFERENCE_LIMIT, SHORT_LIMIT

NFA = "nfa"
"""The id of the "no further action" choice among the measures' checkboxes."""


class MeasureDecisionScreen(Screen):
    """Decide (ctrl+s); esc goes back with nothing decided."""

    CSS_PATH = Path(__file__).parent / "record.tcss"
    DEFAULT_CSS = """
    MeasureDecisionScreen .measure-box { height: auto; padding-left: 4; display: none; }
    MeasureDecisionScreen .measure-box.-shown { display: block; }
    MeasureDecisionScreen #decision-record { height: auto; padding-bottom: 1; border-bottom: solid $primary-muted; }
    MeasureDecisionScreen .measure-means { padding-left: 6; color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+s", "decide", "Decide", id="decide", priority=True),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id
        self.request: measures.Request | None = None

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        self.request = request = measures.request(self.app.ctx, self.app.actor, self.task_id)
        yield Static(self._heading(), id="record-heading")
        with VerticalScroll(id="record-fields"):
            if request.record:
                yield Static(self._record(), id="decision-record")
            for spec in request.types:
                yield Checkbox(Content.from_markup("[b]$name[/b]  [dim]— $section[/dim]", name=spec.name, section=spec.section),
                               id=f"pick-{spec.id}", classes="field")
                yield Static(Content(spec.means), classes="measure-means")
                with Vertical(id=f"box-{spec.id}", classes="measure-box"):
                    yield from self._fields(spec)
            rules = measures.rules(self.app.ctx)
            yield Checkbox(Content.from_markup("[b]$name[/b]  [dim]— $section[/dim]", name=rules.no_further_action,
                                               section=rules.no_further_action_section or rules.section),
                           id=f"pick-{NFA}", classes="field")
            with Vertical(id=f"box-{NFA}", classes="measure-box"):
                yield Label("Why no further action (the record keeps it)", classes="field-label")
                yield LimitedTextArea(id=f"field-{NFA}-reason", soft_wrap=True, classes="field", limit=NOTE_LIMIT)
                yield Static("", id="error-no_further_action", classes="field-error")
            if measure_conditions.asks_anything(self.app.ctx):
                yield DecisionBefore(self.app.ctx, request.task)
        yield Static("", id="record-status")
        yield Footer()

    def _fields(self, spec: MeasureSpec) -> ComposeResult:
        ctx = self.app.ctx
        yield Label("Reason (what the customer did, and why this measure)", classes="field-label")
        yield LimitedTextArea(id=f"field-{spec.id}-reason", soft_wrap=True, classes="field", limit=NOTE_LIMIT)
        yield Static("", id=f"error-{spec.id}-reason", classes="field-error")
        if spec.reviewed:
            default = measures.default_review(spec, measures.today(ctx))
            choices = [f"{m} months: {measures.add_months(measures.today(ctx), m).isoformat()}" for m in spec.review_choices]
            hint = f" — or {', '.join(choices)}" if choices else ""
            limit = f"; at most {spec.max_review_months} months" if spec.max_review_months else ""
            optional = "" if spec.review_required else "optional: the guidance sets no review period; "
            yield Label(Content(f"Review by ({optional}YYYY-MM-DD{limit}){hint}"), classes="field-label")
            yield LimitedInput(default.isoformat() if default else "", id=f"field-{spec.id}-review_on", classes="field",
                               limit=REFERENCE_LIMIT)
            yield Static("", id=f"error-{spec.id}-review_on", classes="field-error")
        if spec.ask_told:
            yield Label("How the customer was told — or why telling them would put staff at risk", classes="field-label")
            yield LimitedInput(id=f"field-{spec.id}-told", classes="field", limit=SHORT_LIMIT)
            yield Static("", id=f"error-{spec.id}-told", classes="field-error")
        if spec.connected_person:
            yield Label("Behaviour by a person connected to the customer? Their name (optional)", classes="field-label")
            yield LimitedInput(id=f"field-{spec.id}-connected_person", classes="field", limit=NAME_LIMIT)
            yield Static("", id=f"error-{spec.id}-connected_person", classes="field-error")
        roles = ", ".join(ctx.pack.role(r).name for r in measures.rules(ctx).detail_roles) or "nobody else"
        yield Label(Content(f"Investigation detail (optional; shown only to: {roles})"), classes="field-label")
        yield LimitedTextArea(id=f"field-{spec.id}-detail", soft_wrap=True, classes="field", limit=NOTE_LIMIT)
        yield Static("", id=f"error-{spec.id}-detail", classes="field-error")

    def _record(self) -> Content:
        """What the member of staff recorded (the instance, the referral), field by field."""
        lines = [Content.from_markup("[b]What was recorded[/b]")]
        lines += [Content.from_markup("[b]$label:[/b] $text", label=label, text=text or "—")
                  for label, text in self.request.record]
        return Content("\n").join(lines)

    def _heading(self) -> Content:
        ctx, request = self.app.ctx, self.request
        task = request.task
        lines = [Content.from_markup("[b]$title[/b] · $id · $due  [dim]— $section[/dim]", title=task.title, id=task.id,
                                     due=due_phrase(ctx, task.due_at),
                                     section=measures.rules(ctx).section)]
        if request.customer is None:
            lines.append(Content.from_markup(
                "[b $warning]The customer is not known yet:[/] link the incident to them in the register (c on the "
                "start screen) before setting a measure; no further action can be recorded now."))
        else:
            lines.append(Content.from_markup("[b]Customer:[/b] $name · $ref", name=request.customer.name or "(no name)",
                                             ref=request.customer.reference or "no reference"))
        asked = ", ".join(staff.name_of(ctx, number) for number in request.proposers) or "—"
        lines.append(Content.from_markup("[b]Asked by:[/b] $who — $reason", who=asked, reason=request.reason or "no note"))
        if request.incident is not None:
            line = Content.from_markup("[b]Incident[/b] $id $when · $summary", id=request.incident.id,
                                       summary=request.incident.summary,
                                       when=local_time(ctx, request.incident.occurred_at, with_date=True))
            if ctx.pack.incident_report is not None:  # a form of its own, completed after the contact
                report = "complete" if request.report_complete else "not complete yet"
                line += Content.from_markup(" · incident report form: [b]$report[/b]", report=report)
            lines.append(line)
        for measure in request.live:
            spec = next((t for t in measures.rules(ctx).types if t.id == measure.spec), None)
            if spec is not None:
                lines.append(Content.from_markup("[b]On record:[/b] $text", text=describe(ctx, measure, spec)))
        lines.append(Content.from_markup("Tick (space) what to set and fill it in, then [b]ctrl+s[/b]."))
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        self.query(Checkbox).first().focus()

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        """Show a measure's fields while it is ticked; no further action and measures exclude each other."""
        if not (event.checkbox.id or "").startswith("pick-"):
            return  # a question before the decision, not a measure
        spec_id = (event.checkbox.id or "").removeprefix("pick-")
        self.query_one(f"#box-{spec_id}").set_class(event.value, "-shown")
        if event.value:
            others = [c for c in self.query(Checkbox) if c is not event.checkbox and c.value
                      and (c.id or "").startswith("pick-")]
            for other in others:
                if NFA in (spec_id, (other.id or "").removeprefix("pick-")):
                    other.value = False

    def _value(self, widget_id: str) -> str:
        return typed_text(self, widget_id)

    def _status(self, text: str) -> None:
        self.query_one("#record-status", Static).update(Content(text))

    def action_decide(self) -> None:
        for error in self.query(".field-error"):
            error.remove_class("-shown")
        picked = [spec for spec in self.request.types if self.query_one(f"#pick-{spec.id}", Checkbox).value]
        nfa = self.query_one(f"#pick-{NFA}", Checkbox).value
        chosen = [{"spec": spec.id, **{name: self._value(f"field-{spec.id}-{name}")
                                       for name in ("reason", "review_on", "told", "connected_person", "detail")}}
                  for spec in picked]
        before = self.query(DecisionBefore)
        try:
            set_ids = measures.decide(self.app.ctx, self.app.actor, self.task_id, measures=chosen or None,
                                      no_further_action=self._value(f"field-{NFA}-reason") if nfa else None,
                                      before=before.first().values() if before else None)
        except FieldErrors as problem:
            self._show_errors(problem)
            return
        except (Refused, NotFound, StoreError) as problem:
            self._status(f"{problem} What you typed is kept on screen.")
            return
        done = f"Set {', '.join(set_ids)}." if set_ids else "Recorded: no further action."
        self.app.notify(done, title="Decided", markup=False)
        self.app.pop_screen()

    def _show_errors(self, problem: FieldErrors) -> None:
        first = None
        for key, message in problem.errors.items():
            target = self.query(f"#error-{key.replace('.', '-')}")
            if not target:
                self._status(message)
                continue
            target.first().update(Content(message))
            target.first().add_class("-shown")
            first = first or key.replace(".", "-")
        if first:
            self._status("Not decided yet: see the fields marked above.")
            field = self.query(f"#field-{first}")
            if field:
                field.first().focus()

    def action_back(self) -> None:
        self.app.pop_screen()
