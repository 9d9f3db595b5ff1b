"""The start of every contact: find the customer (or add them, or go on without a name) and see their
earlier warnings before the first word is said.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from counter_tui.models.customer import CustomerSummary
from counter_tui.policy.schema import CHANNEL_NAMES, Channel
from counter_tui.services import contacts, customers, letter_record, measure_record
from counter_tui.services.errors import FieldErrors, NotFound, Refused, StoreError
from counter_tui.services.record_text import local_time
from counter_tui.screens.widgets.fields import LimitedInput
from counter_tui.text import NAME_LIMIT, REFERENCE_LIMIT


class FindCustomerScreen(Screen):
    """Name and reference typed once: they find the customer or add them."""

    CSS_PATH = "find_customer.tcss"
    AUTO_FOCUS = "#find-name"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("down", "to_matches", "Matches", show=False, id="to_matches"),
    ]

    def __init__(self, flow_id: str) -> None:
        super().__init__()
        self.flow_id = flow_id

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        yield Static(id="bar")
        with Vertical(id="find"):
            with Horizontal(id="find-fields"):
                with Vertical(classes="field"):
                    yield Static("Name", classes="label")
                    yield LimitedInput(id="find-name", placeholder="As the customer gives it", limit=NAME_LIMIT)
                    yield Static("", id="error-name", classes="error")
                with Vertical(classes="field"):
                    yield Static(self.app.ctx.pack.reference_label, classes="label")
                    yield LimitedInput(id="find-reference", placeholder="If they have one", limit=REFERENCE_LIMIT)
                    yield Static("", id="error-reference", classes="error")
            yield Static(id="find-hint")
            yield OptionList(id="matches")
            yield Static(id="find-status")
        yield Footer()

    def on_mount(self) -> None:
        flow = self.app.ctx.pack.flow(self.flow_id)
        self.query_one("#bar", Static).update(Content.from_markup("[b]$title[/b] · who is the customer?", title=flow.title))
        self.query_one("#matches", OptionList).border_title = "On record (↓ to choose one, enter to start with them)"
        self._refresh()

    # -- looking up as they type ------------------------------------------------------------------
    def _typed(self) -> tuple[str, str]:
        return self.query_one("#find-name", Input).value, self.query_one("#find-reference", Input).value

    @on(Input.Changed)
    def _refresh(self) -> None:
        name, reference = self._typed()
        ctx = self.app.ctx
        found = customers.find(ctx, name=name, reference=reference)
        matches = self.query_one("#matches", OptionList)
        matches.clear_options()
        matches.add_options([Option(self._describe(summary), id=summary.customer.id) for summary in found])
        matches.display = bool(found)
        same = customers.matching(ctx, name=name, reference=reference)
        if same is not None:
            hint = Content.from_markup("[b]enter[/b]: start with $name, on record", name=same.name or same.reference)
        elif name.strip() or reference.strip():
            hint = Content.from_markup("[b]enter[/b]: start, adding them as a new customer")
        else:
            hint = Content.from_markup(
                "[b]enter[/b]: start now; the customer is not known yet (their details can be typed during the contact)"
            )
        self.query_one("#find-hint", Static).update(hint)

    def _describe(self, summary: CustomerSummary) -> Content:
        """One line per customer: name, reference, signed-off letters (a bar on this channel in bold red),
        earlier warnings (this channel's in bold), contacts."""
        ctx = self.app.ctx
        channel = ctx.pack.flow(self.flow_id).channel
        customer = summary.customer
        parts = [Content.from_markup("[b]$name[/b]  $reference", name=customer.name or "(no name)",
                                     reference=customer.reference or "no reference")]
        for measure in measure_record.on_record(ctx, customer.id, channel.value):
            style = "b $error" if measure.refused_here else "b $warning"
            note = ": not on this channel" if measure.refused_here else ""
            parts.append(Content.from_markup(f"[{style}]$text[/]", text=f"{measure.spec.name}{note}"))
        office = self.app.actor.office if self.app.actor else ""
        for item in letter_record.on_record(ctx, summary.letters, channel.value, office):
            parts.append(Content.from_markup("[b $error]$text[/]" if item.barred_here else "[$warning]$text[/]",
                                             text=item.text))
        for other, count in sorted(summary.warnings.items(), key=lambda item: item[0] != channel.value):
            plural = "s" if count != 1 else ""
            text = f"{count} earlier warning{plural} ({CHANNEL_NAMES[Channel(other)].lower()})"
            style = "b $error" if other == channel.value else "$warning"
            parts.append(Content.from_markup(f"[{style}]$text[/]", text=text))
        if summary.contacts:
            last = local_time(ctx, summary.last_contact, style="day") if summary.last_contact else ""
            parts.append(Content(f"{summary.contacts} contact{'s' if summary.contacts != 1 else ''}, last {last}"))
        return Content(" · ").join(parts)

    # -- starting ---------------------------------------------------------------------------------
    @on(Input.Submitted)
    def _start_typed(self) -> None:
        name, reference = self._typed()
        self._start(customer_name=name, reference=reference)

    @on(OptionList.OptionSelected, "#matches")
    def _start_chosen(self, event: OptionList.OptionSelected) -> None:
        self._start(customer_id=event.option.id)

    def _start(self, **customer: str | None) -> None:
        for field in ("name", "reference"):
            self.query_one(f"#error-{field}", Static).update("")
        try:
            contact_id = contacts.start_contact(self.app.ctx, self.app.actor, self.flow_id, **customer)
        except FieldErrors as problem:
            for field, message in problem.errors.items():
                target = {"customer_name": "name"}.get(field, field)
                if target in ("name", "reference"):
                    self.query_one(f"#error-{target}", Static).update(Content(message))
            return
        except (StoreError, Refused, NotFound) as problem:
            self.query_one("#find-status", Static).update(Content.from_markup("[b $error]Not started:[/] $why", why=str(problem)))
            return
        from counter_tui.screens.contact import contact_screen

        self.app.switch_screen(contact_screen(self.app, contact_id))

    def action_to_matches(self) -> None:
        matches = self.query_one("#matches", OptionList)
        if matches.display and not matches.has_focus:
            matches.focus()
            if matches.highlighted is None:
                matches.highlighted = 0

    def action_back(self) -> None:
        self.dismiss()
