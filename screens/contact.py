"""The guided contact screen: the step to take now, one number key per decision, the customer's
details and a note saved on every pause in typing.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static, TextArea

from counter_tui.policy.schema import CHANNEL_NAMES
from counter_tui.services import contacts, letter_record, line_managers, measure_record, queue, referrals, step_rules
from counter_tui.services.contacts import ContactView, NoteConflict
from counter_tui.services.customers import CustomerConflict
from counter_tui.services.takeover import who_to_call
from counter_tui.services.errors import FieldErrors, NotFound, Refused, StoreError
from counter_tui.services.record_text import customer_history, local_time
from counter_tui.screens.widgets.autosave import Autosave, SaveJob
from counter_tui.screens.widgets.step_panel import StepPanel
from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea
from counter_tui.screens.widgets.measure_lines import measure_lines
from counter_tui.screens.widgets.record_lines import record_lines, shown_settings_lines
from counter_tui.screens.dialogs.prepare import offer_preparation
from counter_tui.text import NAME_LIMIT, NOTE_LIMIT, REFERENCE_LIMIT, SHORT_LIMIT


def contact_screen(app: App, contact_id: str) -> ContactScreen:
    """The screen for this contact's channel (interview, video, post, counter, telephone)."""
    from counter_tui.screens.channels import screen_for

    return screen_for(contacts.view(app.ctx, contact_id).flow.channel)(contact_id)


def open_contact(app: App, contact_id: str) -> None:
    """Show a contact where it stands: its next step, or its record if the flow has reached the end."""
    current = contacts.view(app.ctx, contact_id)
    if current.step.is_final:
        from counter_tui.screens.record import RecordScreen

        app.push_screen(RecordScreen(contact_id))
    else:
        app.push_screen(contact_screen(app, contact_id))


class ContactScreen(Screen):
    """One contact in progress; each channel's screen (`screens/channels/`) adds what it needs at a glance."""

    NOTE_TITLE = "Note: what the customer said or did (ctrl+n; esc back to choices)"
    """What the note holds on this channel."""

    CSS_PATH = Path(__file__).parent / "contact.tcss"
    """Absolute, so each channel's subclass in `channels/` shares it."""
    AUTO_FOCUS = "StepPanel"
    BINDINGS = [
        *[Binding(str(n), f"choose({n})", f"Choice {n}", show=False, id=f"choose_{n}") for n in range(1, 10)],
        Binding("0", "choose(0)", "Immediate risk", id="immediate_risk"),
        Binding("escape", "focus_step", "Back to choices", id="focus_step"),
        Binding("ctrl+n", "focus_note", "Note", id="focus_note"),
        Binding("ctrl+e", "focus_details", "Customer details", id="focus_details"),
    ]

    def __init__(self, contact_id: str) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.current: ContactView | None = None
        self._note_version = 0
        self._saved_note = ""
        self._saved_details: tuple[str, str, str] = ("", "", "")
        self._customer_version: int | None = None
        self._autosave = Autosave(self, self._draft, lambda text, ok: self._status(text, error=not ok))

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        yield Static(id="bar")
        yield Static(id="measures")
        yield StepPanel()
        with Vertical(id="capture"):
            with Horizontal(id="details"):
                yield LimitedInput(id="customer_name", placeholder="Who you are speaking to", limit=NAME_LIMIT)
                yield LimitedInput(id="reference", placeholder=self.app.ctx.pack.reference_label, limit=REFERENCE_LIMIT)
                yield LimitedInput(id="query", placeholder="Their query", limit=SHORT_LIMIT)
            yield Static("", id="details-error")
            yield Static("", id="history")
            yield LimitedTextArea(id="note", soft_wrap=True, show_line_numbers=False, limit=NOTE_LIMIT)
            yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._on_record: list[letter_record.OnRecord] = []
        self._measures: list[measure_record.MeasureOnRecord] = []
        self._followed: list[Content] | None = None
        """The record a follow-up's task follows, once read."""
        self.current = contacts.view(self.app.ctx, self.contact_id)
        contact = self.current.contact
        self._note_version, self._saved_note = contact.note_version, contact.note
        self._saved_details = (contact.customer_name, contact.reference, contact.query)
        self._customer_version = self.current.customer.version if self.current.customer else None
        for field, value in zip(("customer_name", "reference", "query"), self._saved_details, strict=True):
            self.query_one(f"#{field}", Input).value = value
        note = self.query_one("#note", TextArea)
        note.load_text(contact.note)
        note.border_title = self.NOTE_TITLE
        self.query_one("#details", Horizontal).border_title = "Customer (ctrl+e)"
        if self.current.flow.staff_record:  # a member of staff's HR record: no customer on it
            self.query_one("#details").display = False
            note.border_title = "Note: how they are, what you agreed (ctrl+n; esc back to choices)"
        elif referrals.decides_on_incident(self.current.flow):  # a decision on the record, not a contact
            note.border_title = "Note: your own note on this decision (ctrl+n; esc back to choices)"
        self._show()
        self._show_history()
        self.refresh_bindings()
        self.set_interval(1.0, self._tick)

    # -- showing ------------------------------------------------------------------------------
    def _extra(self) -> Content | None:
        """Below the step: what configuration (or the staff register) says beside it, and for a
        follow-up opened from a task, the record it follows (read once: it does not change while
        the follow-up is on screen)."""
        lines = shown_settings_lines(self.app.ctx, self.current.step.show_setting)
        if "line_manager" in self.current.step.show_setting:  # the customer is still here: call them now
            lines.append(Content.from_markup("[b $warning]$text[/]", text=line_managers.to_call(self.app.ctx, self.current.contact)))
        if self._followed is None:
            self._followed = self._followed_record()
        lines += self._followed
        return Content("\n").join(lines) if lines else None

    def _followed_record(self) -> list[Content]:
        """The record a follow-up's task follows: the incident as recorded, for a decision on it (the
        SEO's, the Grade 7's), else the case note of the contact it came from; nothing without a task."""
        task_id = self.current.contact.task_id
        if not task_id:
            return []
        ctx = self.app.ctx
        task = queue.get_task(ctx, task_id)
        if task.incident_id and referrals.decides_on_incident(self.current.flow):
            return record_lines("The incident, as recorded", referrals.incident_record(ctx, task.incident_id))
        return record_lines("Case note of the contact you are following up", queue.originating_record(ctx, task))

    def _show_history(self) -> None:
        """Earlier contacts, and the signed-off letters on the customer's record (a bar on this
        channel first, in red): read when the customer becomes known, not every second."""
        ctx, contact = self.app.ctx, self.current.contact
        self._on_record = letter_record.on_record_for(ctx, contact.customer_id, self.current.flow.channel.value,
                                                      contact.office)
        self._measures = measure_record.on_record(ctx, contact.customer_id, self.current.flow.channel.value,
                                                  outgoing=self.current.flow.follow_up)
        self._show_measures()
        lines = [Content.from_markup("[b $error]$text[/]" if item.barred_here else "$text", text=item.text)
                 for item in self._on_record]
        history = customer_history(ctx, contact)
        if history:
            lines.append(Content(history))
        widget = self.query_one("#history", Static)
        widget.update(Content("\n").join(lines))
        widget.display = bool(lines)
        self._tick()
        offer_preparation(self)  # an interview: the earlier case notes and incidents first

    def _show_measures(self) -> None:
        """Above the step, before the first word: the customer's live restrictions and markers, one
        paragraph each, with the words to say where one turns them away on this channel (short, so
        the step's choices still show on a small terminal; the record has the rest)."""
        actor = self.app.actor
        lines = measure_lines(self._measures, actor.name if actor else "", actor.office if actor else "")
        widget = self.query_one("#measures", Static)
        widget.update(Content("\n").join(lines))
        widget.set_class(any(item.refused_here for item in self._measures), "-refused")
        widget.display = bool(lines)

    class StepShown(Message):
        """A step is on screen: the training app shows the scenario customer's words above it."""

        def __init__(self, screen: ContactScreen, current: ContactView) -> None:
            super().__init__()
            self.screen = screen
            self.current = current

    def _show(self) -> None:
        current = self.current
        self.post_message(self.StepShown(self, current))
        self.query_one(StepPanel).show(
            current.step, [choice for _, choice in current.offered], risk=current.immediate_risk,
            extra=self._extra(), staff_name=self.app.actor.name if self.app.actor else "",
            office=self.app.actor.office if self.app.actor else "",
        )
        self._tick()

    def _tick(self) -> None:
        if self.current is None:
            return
        contact = self.current.contact
        elapsed = self.app.ctx.clock.now() - contact.started_at
        minutes, seconds = divmod(max(0, int(elapsed.total_seconds())), 60)
        warnings = self.current.state.warnings
        flow = self.current.flow
        first = Content.from_markup(
            "[b]$channel[/b] · [b]$elapsed[/b] · warnings given: $warnings",
            channel="Staff welfare (HR record)" if flow.staff_record
            else flow.title if referrals.decides_on_incident(flow) else CHANNEL_NAMES[flow.channel],
            elapsed=f"{minutes:02d}:{seconds:02d}", warnings=str(warnings),
        )
        last = Content.from_markup(
            " · $id · started $start · $who", id=contact.id, start=local_time(self.app.ctx, contact.started_at)[:5],
            who=self.app.actor.name if self.app.actor else "",
        )
        self.query_one("#bar", Static).update(first + self._facts_text() + last)

    def _facts_text(self) -> Content:
        """What this channel needs at a glance: earlier warnings, the office's post box and guards, and
        whatever the channel's own screen adds."""
        flow, facts = self.current.flow, self.current.facts
        parts = []
        if any(item.barred_here for item in self._on_record):
            parts.append(Content.from_markup("[b $error]BARRED on this channel: see below[/]"))
        if any(item.refused_here for item in self._measures):
            parts.append(Content.from_markup("[b $error]RESTRICTED on this channel: see above[/]"))
        if self.current.contact.taken_over_by:
            parts.append(Content.from_markup("[b]taken over from $name[/b]", name=self.current.contact.staff_name))
        if flow.earlier_warnings:
            parts.append(Content.from_markup("[b]earlier warnings: $n[/b]", n=str(facts.earlier_warnings)))
        asked = {c.only_if.removeprefix("office:").lstrip("!") for step in flow.steps for c in step.choices
                 if c.only_if and c.only_if.startswith("office:")}
        for facility in sorted(asked):
            parts.append(Content(f"{facility.replace('_', ' ')}: {'yes' if facility in facts.facilities else 'no'}"))
        parts.extend(self.channel_facts())
        return Content("").join(Content(" · ") + part for part in parts)

    def channel_facts(self) -> list[Content]:
        """More facts for the bar, from the channel's own screen."""
        return []

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.set_class(error, "-error")
        status.update(Content(text))

    # -- saving what is typed -------------------------------------------------------------------
    @on(TextArea.Changed, "#note")
    @on(Input.Changed, "#details Input")
    def _typed(self) -> None:
        self._autosave.typed()

    def _draft(self) -> SaveJob | None:
        """The customer's details and the note if they changed, saved on the autosave's thread (or at
        once by `save_typing`); None when nothing changed."""
        ctx, actor, contact_id = self.app.ctx, self.app.actor, self.contact_id
        details = tuple(self.query_one(f"#{f}", Input).value for f in ("customer_name", "reference", "query"))
        text = self.query_one("#note", TextArea).text
        save_details, save_note = details != self._saved_details, text != self._saved_note
        if not (save_details or save_note):
            return None
        customer_version, note_version = self._customer_version, self._note_version
        out: dict[str, object] = {}  # what the thread saved or was refused, applied on the UI thread

        def write() -> None:
            if save_details:  # a StoreError here stops before the note, as before
                try:
                    out["customer_version"] = contacts.update_details(
                        ctx, actor, contact_id, customer_name=details[0], reference=details[1], query=details[2],
                        customer_version=customer_version,
                    )
                except (FieldErrors, CustomerConflict) as problem:
                    out["details_problem"] = problem
            if save_note:
                try:
                    out["note_version"] = contacts.save_note(ctx, actor, contact_id, text, version=note_version)
                except (FieldErrors, NoteConflict) as problem:
                    out["note_problem"] = problem

        def applied(_result: object = None) -> bool:
            ok = True
            error = self.query_one("#details-error", Static)
            if "customer_version" in out:
                self._customer_version = out["customer_version"]
                self._saved_details = details
                error.remove_class("-shown")
                # Earlier warnings and history follow who the customer is.
                self.current = contacts.view(ctx, contact_id)
                self._show()
                self._show_history()
                self.refresh_bindings()
            problem = out.get("details_problem")
            if isinstance(problem, FieldErrors):
                labels = {"customer_name": "Name", "reference": "Reference", "query": "Query"}
                error.update(Content("  ".join(f"{labels.get(k, k)}: {v}" for k, v in problem.errors.items())))
                error.add_class("-shown")
                ok = False
            elif isinstance(problem, CustomerConflict):
                # Kept on screen, not saved: typing again saves over the newer record deliberately.
                self._customer_version, self._saved_details = problem.current.version, details
                now = problem.current
                error.update(Content(f"Changed elsewhere, so not saved: the record now says {now.name or 'no name'}, "
                                     f"{now.reference or 'no reference'}. Edit again to save yours."))
                error.add_class("-shown")
                ok = False
            if "note_version" in out:
                self._note_version, self._saved_note = out["note_version"], text
            problem = out.get("note_problem")
            if isinstance(problem, FieldErrors):
                self._status(f"Note not saved: {problem.errors.get('text', problem)}", error=True)
                return False
            if isinstance(problem, NoteConflict):
                self._status("The note was changed elsewhere; your text is kept here: copy what you need.", error=True)
                self._note_version, self._saved_note = problem.version, problem.current
                return False
            return ok

        def failed(_error: BaseException) -> bool:
            applied()  # what was saved before the database refused (the details, say) is kept as saved
            return False  # the autosave says the database is busy (and retries) or why it was not saved

        return SaveJob(write, applied, failed)

    def save_typing(self) -> bool:
        """Save the note and the customer's details now if they changed (before a step, signing out,
        locking). Returns False if something failed."""
        return self._autosave.save_now()

    # -- decisions --------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        """Only the numbers of the choices on screen are keys (the others are hidden from the footer and the keys panel)."""
        if action == "choose":
            return self._pack_number(int(parameters[0])) is not None
        if action == "focus_details":
            return self.current is None or not self.current.flow.staff_record
        return True

    def _pack_number(self, key: int) -> int | None:
        """The pack's number of the choice shown under `key` (0: immediate risk), or None."""
        if self.current is None:
            return None
        if key == 0:
            return 0 if self.current.immediate_risk is not None else None
        offered = self.current.offered
        return offered[key - 1][0] if 1 <= key <= len(offered) else None

    def action_choose(self, key: int) -> None:
        number = self._pack_number(key)
        if number is None:
            return
        self.save_typing()
        try:
            self.current = contacts.take_step(
                self.app.ctx, self.app.actor, self.contact_id, number, at_step=self.current.step.id,
                handler=self.current.contact.handler_number,
            )
        except StoreError as problem:
            self._status(f"{problem} The step is still on screen: press {key} again.", error=True)
            return
        except contacts.TakenOver as taken:
            self._taken_over(taken)
            return
        except (contacts.NotYourDecision, step_rules.NotTheirOwn, step_rules.NotAskedFor) as refused:
            hint = who_to_call(self.app.ctx, refused) if isinstance(refused, contacts.NotYourDecision) else ""
            self.query_one(StepPanel).refuse(f"{refused} {hint}".rstrip())
            return
        except (Refused, NotFound) as problem:
            self._status(str(problem), error=True)
            return
        self._status(f"Recorded {local_time(self.app.ctx, self.current.taken[-1].at)}: {self.current.taken[-1].label}")
        if self.current.step.is_final:
            from counter_tui.screens.record import RecordScreen

            self.app.switch_screen(RecordScreen(self.contact_id))
        else:
            self._show()
        self.refresh_bindings()

    def _taken_over(self, taken: contacts.TakenOver) -> None:
        """A manager took this contact over at another terminal (ICO 14.2): back to the start, the note
        saved; unless the note could not be saved, which stays on screen to be copied."""
        if self.query_one("#note", TextArea).text != self._saved_note:
            self._status(f"{taken} Your note is not saved: copy what you need.", error=True)
            return
        self.app.notify(f"{taken} Your note is saved.", title="Taken over", markup=False, timeout=20)
        self.app.go_home()

    def action_focus_step(self) -> None:
        self.save_typing()  # at once: what was refused shows beside the fields before the step has focus
        self.query_one(StepPanel).focus()

    def action_focus_note(self) -> None:
        self.query_one("#note", TextArea).focus()

    def action_focus_details(self) -> None:
        self.query_one("#customer_name", Input).focus()

    def on_unmount(self) -> None:
        self._autosave.cancel()
