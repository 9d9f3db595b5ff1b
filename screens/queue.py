"""The queue: my role's tasks in my office by due time, overdue first and marked; Enter opens one."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from counter_tui.services import queue
from counter_tui.services.errors import NotFound, Refused, StoreError
from counter_tui.services.record_text import local_time


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
        Binding("f5", "reload", "Refresh", id="reload"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="queue-counts")
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static(id="queue-error")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        fixed = {"When": 14, "Due": 12, "Customer": 16, "Reference": 13}
        task_width = max(18, self.app.size.width - sum(fixed.values()) - 2 * (len(fixed) + 1) - 6)
        for label in ("When", "Due", "Task", "Customer", "Reference"):
            table.add_column(label, width=fixed.get(label, task_width))
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        ctx, actor = self.app.ctx, self.app.actor
        if actor is None:
            return
        mine = queue.my_queue(ctx, actor)
        table = self.query_one(DataTable)
        table.clear()
        for item in mine.items:
            task = item.task
            seconds = (task.due_at - mine.now).total_seconds()
            when = Text(_until(seconds), style="bold red" if item.overdue else "")
            table.add_row(
                when, Text(local_time(ctx, task.due_at, style="day_time")),
                Text(task.title),
                Text(task.customer_name or "—"), Text(task.reference or "—"), key=task.id,
            )
        role = ctx.pack.role(actor.role).name if actor.role in {r.id for r in ctx.pack.roles} else actor.role
        overdue = f", [b $error]{mine.overdue_count} overdue[/]" if mine.overdue_count else ""
        hint = "  Enter opens the task at the cursor." if mine.items else "  Nothing is due."
        self.query_one("#queue-counts", Static).update(Content.from_markup(
            f"[b]My queue[/b] — $role, $office: $open open{overdue}.$hint",
            role=role, office=actor.office, open=str(mine.open_count), hint=hint,
        ))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        task_id = event.row_key.value
        ctx, actor = self.app.ctx, self.app.actor
        error = self.query_one("#queue-error", Static)
        try:
            task = queue.get_task(ctx, task_id)
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

    def action_back(self) -> None:
        self.app.pop_screen()
