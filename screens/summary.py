"""What a finished contact produced: the record as saved, the incident, the hand-offs and when they are due."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from counter_tui.services import contacts, queue, records
from counter_tui.services.records import Finished
from counter_tui.services.deadlines import due_phrase
from counter_tui.screens.widgets.print_job import print_in_background


class SummaryScreen(Screen):
    """Shown once a contact is finished; Enter goes back."""

    CSS_PATH = "summary.tcss"
    BINDINGS = [
        Binding("enter", "done", "Done", id="done"),
        Binding("escape", "done", "Done", show=False, id="done_escape"),
        Binding("ctrl+r", "print", "Print the record (PDF)", id="print"),
    ]

    def __init__(self, finished: Finished) -> None:
        super().__init__()
        self.finished = finished

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        with VerticalScroll(id="summary"):
            yield Static(self._text(), id="summary-text")
        yield Static("", id="summary-status")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        """Printing needs a record (a flow that ended without a form has nothing to print)."""
        return action != "print" or bool(records.finished_record(self.app.ctx, self.finished.contact_id))

    def action_print(self) -> None:
        from counter_tui.services import printing
        contact_id = self.finished.contact_id
        status = self.query_one("#summary-status", Static)
        print_in_background(self, lambda: printing.print_contact(self.app.ctx, contact_id),
                            lambda text, ok: status.update(Content(text)))

    def _text(self) -> Content:
        ctx = self.app.ctx
        current = contacts.view(ctx, self.finished.contact_id)
        contact = current.contact
        outcome = {
            "improved": "finished: the customer's behaviour improved",
            "ended": "ended",
            "call_back_arranged": "paused: call-back arranged",
            "referred": "referred on",
            "completed": "completed",
        }[contact.outcome or "completed"]
        lines = [Content.from_markup("[b]$title $outcome[/b] · $id", title=current.flow.title, outcome=outcome, id=contact.id)]
        record = records.finished_record(ctx, contact.id)
        if record:
            form = records.form_for(ctx, current)
            lines.append(Content.from_markup("\n[b]$form saved[/b]", form=form.title if form else "Record"))
            for label, text in record:
                lines.append(Content.from_markup("[b]$label[/b]\n$text", label=label, text=text or "—"))
        if self.finished.incident_id:
            lines.append(Content.from_markup("\nIncident [b]$id[/b] is on the record.", id=self.finished.incident_id))
        if self.finished.task_ids:
            lines.append(Content.from_markup("\n[b]Handed off[/b]"))
            for task_id in self.finished.task_ids:
                task = queue.get_task(ctx, task_id)
                role = ctx.pack.role(task.role).name
                lines.append(Content.from_markup(
                    "• $title — $role, $due ($id)", title=task.title, role=role,
                    due=due_phrase(ctx, task.due_at), id=task.id,
                ))
        lines.append(Content.from_markup("\nPress [b]Enter[/b] to go back."))
        return Content("\n").join(lines)

    def action_done(self) -> None:
        self.app.pop_screen()
