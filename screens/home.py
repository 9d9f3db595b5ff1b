"""The start screen: start a guided contact with one key, see what is due, resume what was left open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from counter_tui.policy.schema import CHANNEL_NAMES
from counter_tui.services import contacts, queue
from counter_tui.services.record_text import local_time


class HomeScreen(Screen):
    """One key per contact flow of the pack; the queue and interrupted contacts beside them."""

    CSS_PATH = "home.tcss"
    BINDINGS = [
        *[Binding(str(n), f"start({n})", show=False, id=f"start_{n}") for n in range(1, 10)],
        Binding("q", "queue", "My queue", id="queue"),
        Binding("r", "resume", "Resume", id="resume"),
        Binding("c", "register", "Customers", id="register"),
        Binding("l", "live_contacts", "Live contacts", id="live_contacts"),
        Binding("i", "procedure", "Procedure", show=False, id="procedure"),  # listed on the screen itself
    ]

    def __init__(self, *, offer_resume: bool = False) -> None:
        """Args:
        offer_resume: ask at once whether to resume a contact this member of staff left open.
        """
        super().__init__()
        self.offer_resume = offer_resume

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(id="who")
            yield Static(id="flows")
            yield Static(id="queue-summary")
            yield Static(id="interrupted")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()
        if self.offer_resume:
            self._offer_resume()

    def _offer_resume(self) -> None:
        """The terminal died or they moved away mid-contact: offer to carry on where it stopped."""
        from counter_tui.screens.contact import open_contact
        from counter_tui.screens.dialogs.resume import ResumeDialog

        ctx = self.app.ctx
        left = contacts.interrupted(ctx, self.app.actor)
        if not left:
            return
        first = left[0]
        current = contacts.view(ctx, first.id)

        def answered(resume: bool | None) -> None:
            if resume:
                open_contact(self.app, first.id)

        started = local_time(ctx, first.started_at, with_date=True)
        self.app.push_screen(ResumeDialog(first, current.step.title, started, len(left)), answered)

    def on_screen_resume(self) -> None:
        self.refresh_view()

    @property
    def _flows(self):
        return self.app.ctx.pack.contact_flows()

    def refresh_view(self) -> None:
        actor = self.app.actor
        if actor is None:
            return
        ctx = self.app.ctx
        role = ctx.pack.role(actor.role).name if actor.role in {r.id for r in ctx.pack.roles} else actor.role
        self.query_one("#who", Static).update(
            Content.from_markup("Signed in as [b]$name[/b], $role, $office", name=actor.name, role=role, office=actor.office)
        )
        lines = [Content.from_markup("[b]Start a contact[/b]  (press its number when the customer's behaviour becomes a problem)")]
        for number, flow in enumerate(self._flows, 1):
            lines.append(Content.from_markup(
                "  [b reverse] $n [/]  $title  [dim]$channel[/dim]", n=str(number), title=flow.title,
                channel=CHANNEL_NAMES[flow.channel],
            ))
        self.query_one("#flows", Static).update(Content("\n").join(lines))
        open_count, overdue_count = queue.my_counts(ctx, actor)
        overdue = f", [b $error]{overdue_count} overdue[/]" if overdue_count else ""
        self.query_one("#queue-summary", Static).update(Content.from_markup(
            f"[b reverse] q [/]  My queue: $open open{overdue}\n[b reverse] c [/]  Customers: find one, see their letters, "
            "warnings and contacts\n[b reverse] i [/]  Procedure: every step and its words, with the review notes",
            open=str(open_count)
        ))
        left = contacts.interrupted(ctx, actor)
        interrupted = self.query_one("#interrupted", Static)
        if left:
            first = left[0]
            interrupted.update(Content.from_markup(
                "[b reverse] r [/]  Resume an interrupted contact: $id $customer ($count open)",
                id=first.id, customer=first.customer_name or "customer not named", count=str(len(left)),
            ))
        else:
            interrupted.update(Content.from_markup("[dim]No interrupted contacts.[/dim]"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        """Number keys only for the flows listed; Resume only when something was left open; Live
        contacts only for the roles the pack lets take one over."""
        if action == "start":
            return bool(parameters) and 1 <= int(parameters[0]) <= len(self._flows)
        if action == "resume" and self.app.actor is not None:
            return bool(contacts.interrupted(self.app.ctx, self.app.actor))
        if action == "live_contacts":  # the pack's managers, who may take over a contact (ICO 14.2)
            rules = self.app.ctx.pack.take_over
            return rules is not None and self.app.actor is not None and self.app.actor.role in rules.roles
        return True

    def action_start(self, number: int) -> None:
        """Every contact begins by finding (or adding) the customer."""
        flows = self._flows
        if not 1 <= number <= len(flows):
            return
        from counter_tui.screens.find_customer import FindCustomerScreen

        self.app.push_screen(FindCustomerScreen(flows[number - 1].id))

    def action_queue(self) -> None:
        from counter_tui.screens.queue import QueueScreen

        self.app.push_screen(QueueScreen())

    def action_live_contacts(self) -> None:
        from counter_tui.screens.live_contacts import LiveContactsScreen

        self.app.push_screen(LiveContactsScreen())

    def action_register(self) -> None:
        from counter_tui.screens.register import RegisterScreen

        self.app.push_screen(RegisterScreen())

    def action_procedure(self) -> None:
        """The procedure in force, step by step, with its review notes (every role may read it)."""
        from counter_tui.screens.procedure import ProcedureScreen

        self.app.push_screen(ProcedureScreen())

    def action_resume(self) -> None:
        left = contacts.interrupted(self.app.ctx, self.app.actor)
        if left:
            from counter_tui.screens.contact import open_contact

            open_contact(self.app, left[0].id)
