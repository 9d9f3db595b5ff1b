"""Reviewing a control measure: what it is, why it was set and (for the roles the pack names) the
investigation's detail; 1 extends it, 2 changes its terms, 3 lifts it, each with a reason, and
ctrl+s saves. Another manager's change first is shown as a conflict; nothing is overwritten."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static, TextArea

from counter_tui.services import measure_record, measure_review, measures, staff
from counter_tui.services.errors import FieldErrors, NotFound, Refused, StoreError
from counter_tui.services.measure_review import ACTION_NAMES, MeasureConflict
from counter_tui.services.record_text import local_time
from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea
from counter_tui.text import NOTE_LIMIT, REFERENCE_LIMIT


class MeasureReviewScreen(Screen):
    """Review one measure: 1 extend · 2 change · 3 lift, then ctrl+s; esc goes back."""

    CSS_PATH = Path(__file__).parent / "record.tcss"
    BINDINGS = [
        Binding("1", "pick('extend')", "Extend", id="extend"),
        Binding("2", "pick('change')", "Change", id="change"),
        Binding("3", "pick('lift')", "Lift", id="lift"),
        Binding("ctrl+s", "save", "Save the review", id="save", priority=True),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, measure_id: str) -> None:
        super().__init__()
        self.measure_id = measure_id
        self.action: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        self.review = measure_review.get(self.app.ctx, self.app.actor, self.measure_id)
        self.detail = measure_record.read_detail(self.app.ctx, self.app.actor, self.measure_id)
        yield Static(self._heading(), id="record-heading")
        with VerticalScroll(id="record-fields"):
            yield Label("Reason for this review (the record keeps it)", id="label-reason", classes="field-label")
            yield LimitedTextArea(id="field-reason", soft_wrap=True, classes="field", limit=NOTE_LIMIT)
            yield Static("", id="error-reason", classes="field-error")
            yield Label("New review date (YYYY-MM-DD)", id="label-review_on", classes="field-label")
            yield LimitedInput(id="field-review_on", classes="field", limit=REFERENCE_LIMIT)
            yield Static("", id="error-review_on", classes="field-error")
            yield Label("The measure's terms as changed", id="label-terms", classes="field-label")
            yield LimitedTextArea(self.review.measure.reason, id="field-terms", soft_wrap=True, classes="field", limit=NOTE_LIMIT)
            yield Static("", id="error-terms", classes="field-error")
        yield Static("", id="record-status")
        yield Footer()

    def _heading(self) -> Content:
        ctx, review = self.app.ctx, self.review
        measure, spec = review.measure, review.spec
        lines = [
            Content.from_markup("[b]$name[/b] · $id · $status  [dim]— $section[/dim]", name=spec.name, id=measure.id,
                                status=measure.status, section=spec.section),
            Content.from_markup("[b]Customer:[/b] $who · $ref", who=review.customer_name or "(no name)",
                                ref=review.reference or "no reference"),
            Content.from_markup("$line", line=measure_record.describe(ctx, measure, spec)),
            Content.from_markup("[b]Means:[/b] $means", means=spec.means),
            Content.from_markup("[b]Reason:[/b] $reason", reason=measure.reason),
        ]
        if measure.told:
            lines.append(Content.from_markup("[b]Customer told:[/b] $told", told=measure.told))
        lines.append(Content.from_markup("Set by $who on $when · last changed by $changer",
                                         who=staff.name_of(ctx, measure.set_by), changer=staff.name_of(ctx, measure.changed_by),
                                         when=local_time(ctx, measure.set_at, with_date=True)))
        if self.detail is None:
            roles = ", ".join(ctx.pack.role(r).name for r in measures.rules(ctx).detail_roles) or "nobody"
            lines.append(Content.from_markup("[dim]Investigation detail: restricted to $roles.[/dim]", roles=roles))
        elif self.detail:
            lines.append(Content.from_markup("[b]Investigation detail (restricted):[/b] $detail", detail=self.detail))
        if measure.status == "live":
            lines.append(Content.from_markup("[b]1[/b] extend · [b]2[/b] change its terms · [b]3[/b] lift it; "
                                             "then the reason, and [b]ctrl+s[/b]."))
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        self._show_fields()

    def _show_fields(self) -> None:
        action = self.action
        self.query_one("#record-fields").display = action is not None
        for name, shown in (("review_on", action in ("extend", "change")), ("terms", action == "change")):
            for part in ("label", "field"):
                self.query_one(f"#{part}-{name}").display = shown
        if action is not None:
            self.query_one("#label-reason", Label).update(Content(f"{ACTION_NAMES[action]}: your reason"))
            self.query_one("#field-reason").focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        if action in ("pick", "save"):
            return self.review.measure.status == "live" and (action == "pick" or self.action is not None)
        return True

    def action_pick(self, action: str) -> None:
        if self.focused is not None and isinstance(self.focused, (Input, TextArea)):
            return  # typing a digit into a field, not choosing
        self.action = action
        self._show_fields()

    def _status(self, text: str, *, ok: bool = False) -> None:
        status = self.query_one("#record-status", Static)
        status.set_class(ok, "-ok")
        status.update(Content(text))

    def action_save(self) -> None:
        for error in self.query(".field-error"):
            error.remove_class("-shown")
        try:
            measure_review.review(
                self.app.ctx, self.app.actor, self.measure_id, action=self.action, version=self.review.measure.version,
                reason=self.query_one("#field-reason", TextArea).text,
                review_on=self.query_one("#field-review_on", Input).value,
                terms=self.query_one("#field-terms", TextArea).text,
            )
        except FieldErrors as problem:
            for key, message in problem.errors.items():
                error = self.query_one(f"#error-{key}", Static)
                error.update(Content(message))
                error.add_class("-shown")
            self._status("Not saved yet: see the fields marked above.")
            return
        except (MeasureConflict, Refused, NotFound, StoreError) as problem:
            self._status(f"{problem} What you typed is kept on screen.")
            return
        self.app.notify(f"{self.review.spec.name}: {ACTION_NAMES[self.action].lower()} — saved.", title="Reviewed",
                        markup=False)
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
