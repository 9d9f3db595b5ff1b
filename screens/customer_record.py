"""One customer's record: who they are, their control measures (live first; enter reviews one),
their signed-off letters (a bar in red), warnings by channel, and every contact with them, newest
first; `m` asks for a decision on control measures, `l` links an incident recorded with the
customer not known to this customer."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from counter_tui.policy.schema import CHANNEL_NAMES, Channel
from counter_tui.services import measure_record, measure_review, measures, positive_actions, register, task_outcomes
from counter_tui.services.errors import NotFound, Refused, StoreError
from counter_tui.services.record_text import local_time

OUTCOMES = {"improved": "improved", "ended": "ended", "call_back_arranged": "call-back", "referred": "referred",
            "completed": "completed"}


class CustomerRecordScreen(Screen):
    """The customer's whole record; esc goes back to the register."""

    CSS_PATH = "register.tcss"
    AUTO_FOCUS = "#record-contacts"
    BINDINGS = [
        Binding("m", "ask_decision", "Ask for a decision", id="ask_decision"),
        Binding("p", "positive", "Log good conduct", id="positive"),
        Binding("l", "link", "Link an incident to them", id="link"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="record-text")
        yield DataTable(id="record-measures", cursor_type="row")
        yield DataTable(id="record-contacts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="record-status")
        yield Footer()

    def on_mount(self) -> None:
        measures_table = self.query_one("#record-measures", DataTable)
        name_width = 34 if self.app.size.width >= 110 else 26
        for label, width in (("Measure", name_width), ("Status", 7), ("Since", 11), ("Review by", 11), ("Id", 9)):
            measures_table.add_column(label, width=width)
        table = self.query_one("#record-contacts", DataTable)
        wide = self.app.size.width >= 110
        columns = [("When", 17), ("Channel", 23 if wide else 22), ("Outcome", 10), ("Warnings", 8 if wide else 4),
                   ("Incident", 9)]
        self._wide = wide
        if wide:
            columns.append(("Staff", 20))
        for label, width in columns:
            table.add_column(label if wide or label != "Warnings" else "Warn", width=width)
        self.reload()

    def reload(self) -> None:
        ctx = self.app.ctx
        try:
            found = register.record(ctx, self.customer_id)
        except (NotFound, StoreError) as problem:
            self.query_one("#record-status", Static).update(Content(str(problem)))
            return
        customer = found.summary.customer
        lines = [Content.from_markup("[b]$name[/b] · $reference · $id", name=customer.name or "(no name)",
                                     reference=customer.reference or "no reference", id=customer.id)]
        for line in measure_record.for_record(ctx, self.customer_id):
            if line.measure.status == "live" and line.spec is not None:
                style = "b $error" if line.measure.kind == "restriction" else "b $warning"
                text = Content.from_markup(f"[{style}]$kind[/] [b]$name[/b] — $means", kind=line.measure.kind.upper(),
                                           name=line.spec.name, means=line.spec.means)
                if line.spec.show_terms:
                    text += Content.from_markup(" [b]Record:[/b] $terms", terms=line.measure.reason)
                lines.append(text)
        for item in found.letters:
            style = "b $error" if item.barring else "$warning"
            lines.append(Content.from_markup(f"[{style}]$text[/]", text=item.text))
        for incident_id, text in found.on_incidents:  # referrals and decisions: the police informed or not
            lines.append(Content.from_markup("[b]$id[/b] $text", id=incident_id, text=text))
        if ctx.pack.positive_action_log is not None:
            lines += self._positive_lines()
        for outcome in task_outcomes.for_customer(ctx, self.customer_id):  # e.g. the examiner's admin refusal
            lines += [Content.from_markup("[b]$label:[/b] $text  [dim]($title, $who, $when)[/dim]", label=label, text=text,
                                          title=outcome.title, who=outcome.done_by,
                                          when=local_time(ctx, outcome.done_at, with_date=True)) for label, text in outcome.fields]
        warnings = [f"{n} ({CHANNEL_NAMES[Channel(channel)].lower()})" for channel, n in sorted(found.summary.warnings.items())]
        lines.append(Content.from_markup("Warnings given: $w · contacts: $n", w=", ".join(warnings) or "none",
                                         n=str(found.summary.contacts)))
        hint = self._show_measures()
        if hint is not None:
            lines.append(hint)
        self.query_one("#record-text", Static).update(Content("\n").join(lines))
        table = self.query_one("#record-contacts", DataTable)
        table.clear()
        for line in found.contacts:
            table.add_row(
                Text(local_time(ctx, line.started_at, with_date=True)), Text(CHANNEL_NAMES[Channel(line.channel)]),
                Text("open" if line.status == "open" else OUTCOMES.get(line.outcome or "", line.outcome or "")),
                Text(str(line.warnings) if line.warnings else "—", style="bold" if line.warnings else ""),
                Text(line.incident_id or "—"), *([Text(line.staff_name)] if self._wide else []), key=line.id,
            )

    def _show_measures(self) -> Content | None:
        """Fill the measures table; returns the line saying who reviews them (None without measures)."""
        lines = measure_record.for_record(self.app.ctx, self.customer_id)
        table = self.query_one("#record-measures", DataTable)
        table.clear()
        for line in lines:
            live = line.measure.status == "live"
            name = line.spec.name if line.spec else line.measure.spec
            style = ("bold red" if line.measure.kind == "restriction" else "bold yellow") if live else "dim"
            table.add_row(Text(name, style=style), Text(line.measure.status, style=style),
                          Text(f"{line.measure.starts_on:%d %b %Y}"),
                          Text(f"{line.measure.review_on:%d %b %Y}" if line.measure.review_on else "—"),
                          Text(line.measure.id), key=line.measure.id)
        table.display = bool(lines)
        table.styles.height = min(len(lines), 5) + 1
        rules = self.app.ctx.pack.measures
        deciders = {role for spec in rules.types for role in spec.decided_by} if rules else set()
        if not lines:
            return None
        if self.app.actor and self.app.actor.role in deciders:
            return Content.from_markup("[dim]Measures: enter on one reviews it (extend, change or lift).[/dim]")
        names = " or the ".join(self.app.ctx.pack.role(r).name for r in sorted(deciders))
        return Content.from_markup("[dim]Measures are reviewed by the $names.[/dim]", names=names)

    @on(DataTable.RowSelected, "#record-measures")
    def _review(self, event: DataTable.RowSelected) -> None:
        from counter_tui.screens.measure_review import MeasureReviewScreen

        try:
            measure_review.get(self.app.ctx, self.app.actor, event.row_key.value)
        except (Refused, NotFound, KeyError, StoreError) as problem:
            self.query_one("#record-status", Static).update(Content(str(problem)))
            return
        self.app.push_screen(MeasureReviewScreen(event.row_key.value), lambda _: self.reload())

    def _positive_lines(self) -> list[Content]:
        """The positive-action log beside the incidents (council 15.3): how many, and the newest."""
        ctx = self.app.ctx
        total, newest = positive_actions.for_customer(ctx, self.customer_id, limit=3)
        lines = [Content.from_markup("[b $success]Good conduct logged:[/] $n  [dim]($section; p logs more)[/dim]",
                                     n=str(total), section=ctx.pack.positive_action_log)]
        for entry in newest:
            lines.append(Content.from_markup("  $when $note — $who", when=local_time(ctx, entry.at, with_date=True),
                                             note=entry.note, who=entry.staff_name))
        return lines

    def action_positive(self) -> None:
        from counter_tui.screens.dialogs.note import NoteDialog

        ctx = self.app.ctx
        heading = Content.from_markup("[b]Log good conduct[/b] ($section): what the customer did well, so their "
                                      "record shows a balanced picture.", section=ctx.pack.positive_action_log)

        def done(entry_id: str | None) -> None:
            if entry_id:
                self.reload()

        self.app.push_screen(NoteDialog(
            heading, lambda note: positive_actions.log(ctx, self.app.actor, self.customer_id, note)), done)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        """`m` only where the pack has control measures and the actor's role may ask for one; `p`
        only where the pack keeps a positive-action log."""
        if action == "positive":
            return self.app.ctx.pack.positive_action_log is not None
        if action == "ask_decision":
            rules = self.app.ctx.pack.measures
            return rules is not None and self.app.actor is not None and self.app.actor.role in rules.proposed_by
        return True

    def action_ask_decision(self) -> None:
        from counter_tui.screens.dialogs.note import NoteDialog

        ctx = self.app.ctx
        decider = ctx.pack.role(ctx.pack.task(ctx.pack.measures.decide_task).role).name
        heading = Content.from_markup("[b]Ask the $decider for a decision on control measures[/b]\nWhy (what the customer "
                                      "did, how often, and what you have tried):", decider=decider)

        def done(task_id: str | None) -> None:
            if task_id:
                self.app.notify(f"Asked: task {task_id} is on the {decider}'s queue.", title="Asked", markup=False)

        self.app.push_screen(NoteDialog(
            heading, lambda reason: measures.propose(ctx, self.app.actor, self.customer_id, reason)), done)

    def action_link(self) -> None:
        from counter_tui.screens.dialogs.link_incident import LinkIncidentDialog

        unknown = register.unknown_incidents(self.app.ctx)
        if not unknown:
            self.query_one("#record-status", Static).update(Content("No incident is waiting for its customer."))
            return

        def chosen(incident_id: str | None) -> None:
            if incident_id is None:
                return
            try:
                register.link(self.app.ctx, self.app.actor, incident_id, self.customer_id)
            except (NotFound, Refused, StoreError) as problem:
                self.query_one("#record-status", Static).update(Content(str(problem)))
                return
            self.app.notify(f"Incident {incident_id} is now on this customer's record.", title="Linked", markup=False)
            self.reload()

        self.app.push_screen(LinkIncidentDialog(unknown, lambda moment: local_time(self.app.ctx, moment, with_date=True)),
                             chosen)

    def action_back(self) -> None:
        self.app.pop_screen()
