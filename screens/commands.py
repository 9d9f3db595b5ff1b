"""The command palette's provider (ctrl+p): start a contact flow, open my queue or a task, the outbox
or the customer register, resume a contact.

Titles hold customers' names as typed, so they are shown as `Content` (text, never markup: Textual's own
`Matcher.highlight` and a plain-string hit would both parse them). Nothing is offered while the terminal is
locked (the app refuses the palette then too).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from counter_tui.policy.schema import CHANNEL_NAMES
from counter_tui.services import contacts, queue


class CounterCommands(Provider):
    """Jumps for whoever is signed in; nothing is offered before sign-in."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None or getattr(app, "locked", False):
            return []
        from counter_tui.screens.contact import open_contact
        from counter_tui.screens.find_customer import FindCustomerScreen
        from counter_tui.screens.outbox import OutboxScreen
        from counter_tui.screens.queue import QueueScreen
        from counter_tui.screens.register import RegisterScreen

        ctx = app.ctx
        found: list[tuple[str, str, Callable[[], None]]] = []

        def start(flow_id: str) -> None:
            app.push_screen(FindCustomerScreen(flow_id))

        for flow in ctx.pack.contact_flows():
            found.append((f"Start: {flow.title}", f"{CHANNEL_NAMES[flow.channel]} · {flow.section}", partial(start, flow.id)))
        found.append(("Open my queue", "What is due for my role and office", lambda: app.push_screen(QueueScreen())))
        found.append(("Open the customer register", "Find a customer: their letters, warnings and contacts",
                      lambda: app.push_screen(RegisterScreen())))
        found.append(("Open the outbox", "E-mail waiting, sent, failed or held", lambda: app.push_screen(OutboxScreen())))
        for item in queue.my_queue(ctx, actor, limit=50).items:
            task = item.task
            if task.flow is not None:
                def open_task(task_id: str = task.id) -> None:
                    open_contact(app, queue.open_task(ctx, app.actor, task_id))

                found.append((f"Task {task.id}: {task.title} — {task.customer_name or 'customer not named'}",
                              "Overdue" if item.overdue else "Due", open_task))
        for contact in contacts.interrupted(ctx, actor):
            found.append((f"Resume {contact.id}: {contact.customer_name or 'customer not named'}",
                          "An interrupted contact", partial(open_contact, app, contact.id)))
        return found

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(Content(title), run, text=title, help=_plain(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlight(matcher, title), run, text=title, help=_plain(help_text))


def _highlight(matcher, title: str) -> Content:
    """The title as text with the matched letters marked (Textual's own highlight reads markup)."""
    content = Content(title)
    score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    if score:
        for offset in offsets:
            if not title[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _plain(text: str) -> str:
    """Help text is read as markup by the palette: escape its square brackets."""
    from textual.markup import escape

    return escape(text)
