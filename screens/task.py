"""A task without guided steps: its instructions from the guidance, the record it follows, and Done.

A task that follows a signed-off letter (scan it, send it) prints the letter with ctrl+r; the notice
to the other offices shows its e-mail, and ctrl+s sends it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static, TextArea

from counter_tui.screens.widgets.letter_follow_up import follow_up
from counter_tui.services import deadlines, letter_notice, letters, queue
from counter_tui.services.deadlines import due_text
from counter_tui.services.errors import FieldErrors, Refused, StoreError
from counter_tui.screens.widgets.fields import LimitedTextArea
from counter_tui.screens.widgets.print_job import print_in_background
from counter_tui.screens.widgets.record_lines import record_lines, shown_settings_lines
from counter_tui.text import NOTE_LIMIT


def _clock(ctx, task, spec) -> str:
    """Where the due time comes from: the document's section, the setting, or the setting that could."""
    if task.due_at is None and spec.due.config is not None:
        return f"The guidance sets no time for this; your organisation can set [deadlines] {spec.due.config}."
    return deadlines.clock_source(spec.due, ctx.settings)


class TaskScreen(Screen):
    """Read what the guidance asks, do it, note what was done, mark it done (who and when are recorded)."""

    CSS_PATH = "task.tcss"
    BINDINGS = [
        Binding("ctrl+s", "done", "Mark done", id="done", priority=True),
        Binding("ctrl+s", "send_notice", "Send the notice", id="send_notice", priority=True),
        Binding("ctrl+r", "print_letter", "Print the letter (PDF)", id="print_letter", priority=True),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        ctx = self.app.ctx
        task = queue.get_task(ctx, self.task_id)
        spec = queue.spec_of(ctx, task)
        lines = [
            Content.from_markup("[b]$title[/b] · $id  [dim]— $section[/dim]", title=task.title, id=task.id, section=spec.section),
            Content.from_markup("Due $due · $customer $ref", due=due_text(ctx, task.due_at),
                                customer=task.customer_name, ref=task.reference),
            Content.from_markup("[dim]$clock[/dim]", clock=_clock(ctx, task, spec)),
        ]
        lines += [Content.from_markup("• $text", text=text) for text in spec.instructions]
        self.letter_id = task.letter_id
        self.notice = letter_notice.notice_step(ctx, task) is not None
        if self.notice:
            to, addresses, subject, body = letter_notice.notice_mail(ctx, task)
            lines.append(Content.from_markup(
                "\n[b]The e-mail (ctrl+s sends it, with the letter attached)[/b]\nTo: $to ($addresses)\nSubject: $subject",
                to=to, addresses=", ".join(addresses) or "no addresses configured: it will be kept in the outbox",
                subject=subject))
            lines.append(Content(body))
        if self.letter_id is not None:
            lines.append(Content.from_markup("\nLetter [b]$id[/b]: ctrl+r prints it.", id=self.letter_id))
            lines.append(follow_up(ctx, letters.view(ctx, self.app.actor, self.task_id)))
        lines += shown_settings_lines(ctx, spec.show_setting)
        lines += record_lines("The record this task follows", queue.originating_record(ctx, task))
        self.done_form = queue.done_form(ctx, task)
        with VerticalScroll(id="task-body"):
            yield Static(Content("\n").join(lines))
        for field in self.done_form.fields if self.done_form else []:  # what the task records when done
            yield Label(Content(field.label + ("" if field.required else " (optional)")), classes="done-label")
            yield LimitedTextArea(id=f"done-{field.id}", soft_wrap=True, limit=NOTE_LIMIT, classes="done-field")
            yield Static("", id=f"done-error-{field.id}", classes="done-error")
        yield Label("What you did (optional)", id="task-note-label")
        yield LimitedTextArea(id="task-note", soft_wrap=True, limit=NOTE_LIMIT)
        yield Static("", id="task-error")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        """Printing only where the task follows a letter; the notice's task sends its e-mail."""
        if action == "print_letter":
            return getattr(self, "letter_id", None) is not None
        if action in ("done", "send_notice"):
            return getattr(self, "notice", False) == (action == "send_notice")
        return True

    def on_mount(self) -> None:
        if self.notice or self.done_form:  # the e-mail, or the task's own form, is the record of what was done
            self.query_one("#task-note-label").display = False
            self.query_one("#task-note").display = False
        if self.done_form:
            self.query_one(f"#done-{self.done_form.fields[0].id}").focus()

    def action_send_notice(self) -> None:
        try:
            message_id = letter_notice.send_notice(self.app.ctx, self.app.actor, self.task_id)
        except (Refused, StoreError) as problem:
            self.query_one("#task-error", Static).update(Content(str(problem)))
            return
        self.app.send_mail_now()
        self.app.notify(f"The notice is in the outbox ({message_id}).", title="Notice sent", markup=False)
        self.app.pop_screen()

    def action_print_letter(self) -> None:
        from counter_tui.services import printing
        letter_id = self.letter_id
        status = self.query_one("#task-error", Static)
        print_in_background(self, lambda: printing.print_letter(self.app.ctx, letter_id),
                            lambda text, ok: status.update(Content(text)))

    def action_done(self) -> None:
        note = self.query_one("#task-note", TextArea).text
        fields = self.done_form.fields if self.done_form else []
        record = {f.id: self.query_one(f"#done-{f.id}", TextArea).text for f in fields}
        for field in fields:
            self.query_one(f"#done-error-{field.id}", Static).update("")
        try:
            queue.complete_task(self.app.ctx, self.app.actor, self.task_id, note, record if fields else None)
        except FieldErrors as problem:
            beside = {f.id for f in fields} & problem.errors.keys()
            for field_id in beside:  # each message beside its field; what was typed stays
                self.query_one(f"#done-error-{field_id}", Static).update(Content(problem.errors[field_id]))
            rest = [text for key, text in problem.errors.items() if key not in beside]
            self.query_one("#task-error", Static).update(Content("; ".join(rest)))
            return
        except (Refused, StoreError) as problem:
            self.query_one("#task-error", Static).update(Content(f"{problem} Your note is kept on screen."))
            return
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()
