"""The queue: tasks by due time, overdue first and marked, then those with no time set by the
guidance (oldest first, never hidden), with counts by kind; mine, my office's or every office's,
narrowed by kind or channel; Enter opens one on its own screen."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from counter_tui.policy.schema import CHANNEL_NAMES, Channel
from counter_tui.services import letters, line_managers, measure_review, measures, outbox, queue
from counter_tui.services.errors import NotFound, Refused, StoreError
from counter_tui.services.record_text import local_time


PAGE = 50
"""Rows read per page: a screenful and more; the next page loads when the cursor reaches the last row."""


def _until(delta_seconds: float) -> str:
    """'in 3h 20m' or '5h 02m overdue', for a glance at the queue."""
    minutes = int(abs(delta_seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    span = f"{days}d {hours}h" if days else f"{hours}h {minutes:02d}m"
    return f"{span} overdue" if delta_seconds < 0 else f"in {span}"


class QueueScreen(Screen):
    """What is due for me."""

    CSS_PATH = "queue.tcss"
    AUTO_FOCUS = "DataTable"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("m", "scope('mine')", "Mine", id="scope_mine", show=False),
        Binding("t", "scope('team')", "My office", id="scope_team", show=False),
        Binding("a", "scope('everywhere')", "All offices", id="scope_everywhere", show=False),
        Binding("k", "next_kind", "Kind", id="next_kind", show=False),
        Binding("c", "next_channel", "Channel", id="next_channel", show=False),
        Binding("f5", "reload", "Refresh", id="reload"),
        Binding("o", "outbox", "Outbox", id="outbox"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.scope = queue.Scope.mine
        self.kind: str | None = None
        self.channel: str | None = None
        self._kinds: list[str] = []
        self._columns: list[str] = []
        self._open_count = 0
        self._last: queue.Queue | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="queue-counts")
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="queue-error")
        yield Footer()

    def on_mount(self) -> None:
        """Columns to fit the terminal: at 80 columns the due time and reference give way to the task."""
        table = self.query_one(DataTable)
        wide = self.app.size.width >= 110
        fixed = {"When": 14, "Due": 12, "Customer": 18, "Reference": 13} if wide else {"When": 14, "Customer": 18}
        self._columns = ["When", "Due", "Task", "Customer", "Reference"] if wide else ["When", "Task", "Customer"]
        self._task_width = task_width = max(18, self.app.size.width - sum(fixed.values()) - 2 * len(self._columns) - 4)
        for label in self._columns:
            table.add_column(label, width=fixed.get(label, task_width))
        # No reload here: Textual resumes every screen it pushes, and on_screen_resume reloads.

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """The first page of tasks and the counts; further pages load as the cursor reaches the end."""
        ctx, actor = self.app.ctx, self.app.actor
        if actor is None:
            return
        mine = queue.my_queue(ctx, actor, self.scope, spec=self.kind, channel=self.channel, limit=PAGE)
        self._kinds = [count.spec for count in mine.kinds]
        self._open_count = mine.open_count
        self._last = mine
        self.query_one(DataTable).clear()
        self._add_rows(mine.items, mine.now)
        self.query_one("#queue-counts", Static).update(self._summary(mine))

    def _add_rows(self, items: list[queue.QueueItem], now) -> None:
        ctx, table = self.app.ctx, self.query_one(DataTable)
        for item in items:
            task = item.task
            if task.due_at is None:  # the guidance sets no clock and neither does the configuration
                when, due, height = Text("no time set by\nthe guidance", style="italic"), Text("—"), 2
            else:
                when = Text(_until((task.due_at - now).total_seconds()), style="bold red" if item.overdue else "")
                due, height = Text(local_time(ctx, task.due_at, style="day_time")), 1
            title = task.title if self.scope is queue.Scope.mine else f"{task.title} [{task.office}]"
            assigned = line_managers.queued_for(ctx, task, self.app.actor)  # their own line manager's, or the office's
            task_text = Text(f"{title} ({assigned})" if assigned else title)
            height = max(height, len(task_text.wrap(self.app.console, self._task_width)))  # never cut off
            cells = {
                "When": when, "Due": due,
                "Task": task_text,
                "Customer": Text(task.customer_name or "—"), "Reference": Text(task.reference or "—"),
            }
            table.add_row(*(cells[label] for label in self._columns), key=task.id, height=height)

    @on(DataTable.RowHighlighted)
    def _next_page(self, event: DataTable.RowHighlighted) -> None:
        """At the last row loaded, load the next page (the queue is paged from SQL, never all at once)."""
        table = self.query_one(DataTable)
        if event.cursor_row < table.row_count - 1 or table.row_count >= self._open_count:
            return
        page = queue.page(self.app.ctx, self.app.actor, self.scope, spec=self.kind, channel=self.channel,
                          offset=table.row_count, limit=PAGE)
        self._add_rows(page, self.app.ctx.clock.now())

    def _summary(self, mine: queue.Queue) -> Content:
        """Who and where, the counts (overdue marked), the counts by kind, and the filters in force."""
        ctx, actor = self.app.ctx, self.app.actor
        role = ctx.pack.role(actor.role).name if actor.role in {r.id for r in ctx.pack.roles} else actor.role
        overdue = f", [b $error]{mine.overdue_count} overdue[/]" if mine.overdue_count else ""
        hint = "  Enter opens the task at the cursor." if mine.items else "  Nothing is due."
        lines = [Content.from_markup(
            f"[b]Queue: $scope[/b] — $role, $office: $open open{overdue}.$hint",
            scope=queue.SCOPE_NAMES[self.scope], role=role, office=actor.office, open=str(mine.open_count), hint=hint,
        )]
        kinds = [
            Content.from_markup("$title $n" + (" [b $error]($late overdue)[/]" if count.overdue else ""),
                                title=self._kind_name(count.spec), n=str(count.open), late=str(count.overdue))
            for count in mine.kinds
        ]
        if kinds:
            lines.append(Content(" · ").join(kinds))
        mail = outbox.counts(ctx)
        if mail:
            waiting = mail.get("queued", 0) + mail.get("sending", 0)
            stuck = mail.get("failed", 0) + mail.get("held", 0)
            stuck_text = f", [b $error]{stuck} failed or held[/]" if stuck else ""
            lines.append(Content.from_markup(f"E-mail: $sent sent, $waiting waiting{stuck_text} — o opens the outbox",
                                             sent=str(mail.get("sent", 0)), waiting=str(waiting)))
        channel = CHANNEL_NAMES[Channel(self.channel)] if self.channel else "every channel"
        lines.append(Content.from_markup(
            "[dim]Showing $kind, $channel — keys: m mine · t my office · a all offices · k kind · c channel[/dim]",
            kind=self._kind_name(self.kind) if self.kind else "every kind", channel=channel,
        ))
        return Content("\n").join(lines)

    def _kind_name(self, spec: str) -> str:
        try:
            return self.app.ctx.pack.task(spec).title
        except KeyError:
            return spec

    def action_scope(self, scope: str) -> None:
        self.scope, self.kind, self.channel = queue.Scope(scope), None, None
        self.action_reload()

    def action_next_kind(self) -> None:
        """All kinds, then each kind on the queue in turn."""
        order = [None, *self._kinds]
        self.kind = order[(order.index(self.kind) + 1) % len(order)] if self.kind in order else None
        self.action_reload()

    def action_next_channel(self) -> None:
        order = [None, *(channel.value for channel in Channel)]
        self.channel = order[(order.index(self.channel) + 1) % len(order)]
        self.action_reload()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        task_id = event.row_key.value
        ctx, actor = self.app.ctx, self.app.actor
        error = self.query_one("#queue-error", Static)
        try:
            task = queue.get_task(ctx, task_id)
            if queue.spec_of(ctx, task).sign:
                from counter_tui.screens.welfare_sign import WelfareSignScreen

                queue.require_task_role(ctx, actor, task)
                self.app.push_screen(WelfareSignScreen(task_id))
                return
            if letters.opens_letter(ctx, task):
                view = letters.view(ctx, actor, task_id)
                if view.mode == "decide":  # whether to write it at all comes first (HMPO: the CSC bar)
                    from counter_tui.screens.letter_decision import LetterDecisionScreen

                    self.app.push_screen(LetterDecisionScreen(task_id))
                elif view.mode == "draft":
                    from counter_tui.screens.letter import LetterScreen

                    self.app.push_screen(LetterScreen(task_id))
                else:
                    from counter_tui.screens.letter_sign_off import LetterSignOffScreen

                    self.app.push_screen(LetterSignOffScreen(task_id))
                return
            if (rules := ctx.pack.measures) is not None and task.spec in (rules.decide_task, rules.review_task):
                self._open_measure_task(task)
                return
            if queue.spec_of(ctx, task).form is not None:
                from counter_tui.screens.incident_report import IncidentReportScreen

                queue.require_task_role(ctx, actor, task)
                self.app.push_screen(IncidentReportScreen(task_id))
                return
            if task.flow is None:
                from counter_tui.screens.task import TaskScreen

                queue.require_task_role(ctx, actor, task)
                self.app.push_screen(TaskScreen(task_id))
                return
            contact_id = queue.open_task(ctx, actor, task_id)
        except (Refused, NotFound, StoreError) as problem:
            error.update(Content(str(problem)))
            return
        error.update("")
        from counter_tui.screens.contact import open_contact

        open_contact(self.app, contact_id)

    def _open_measure_task(self, task) -> None:
        """A decision on control measures, or a measure's review (Refused/NotFound go to the caller)."""
        ctx, actor = self.app.ctx, self.app.actor
        if task.spec == ctx.pack.measures.decide_task:
            from counter_tui.screens.measure_decision import MeasureDecisionScreen

            measures.request(ctx, actor, task.id)  # refuses the wrong role before the screen opens
            self.app.push_screen(MeasureDecisionScreen(task.id))
            return
        from counter_tui.screens.measure_review import MeasureReviewScreen

        self.app.push_screen(MeasureReviewScreen(measure_review.for_task(ctx, actor, task.id).measure.id))

    def action_outbox(self) -> None:
        from counter_tui.screens.outbox import OutboxScreen

        self.app.push_screen(OutboxScreen())

    def mail_changed(self) -> None:
        """The outbox sent something: show its new state (the rows and the cursor stay)."""
        if self._last is not None:
            self.query_one("#queue-counts", Static).update(self._summary(self._last))

    def action_back(self) -> None:
        self.app.pop_screen()
