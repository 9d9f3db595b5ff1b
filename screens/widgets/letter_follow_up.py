"""What a letter's sign-off set going, as one block of text: each step the guidance lists with what
was done, and every e-mail with its state (waiting, sent, failed and why). Before sign-off, what
the sign-off will do."""

from __future__ import annotations

from textual.content import Content

from counter_tui.services import letter_sign_off, outbox
from counter_tui.services.context import Context
from counter_tui.services.letters import LetterView
from counter_tui.services.record_text import local_time


def follow_up(ctx: Context, current: LetterView) -> Content:
    """The follow-up of the letter on screen."""
    letter = current.letter

    def local(moment) -> str:
        return local_time(ctx, moment, with_date=True) if moment else "—"

    if letter.status != "approved":
        lines = [Content.from_markup("[b]Once the $role signs it off, Counter will:[/b]", role=current.approver_role)]
        for title, why_not in letter_sign_off.planned(ctx, letter):
            mark = f" [dim]({why_not})[/dim]" if why_not else ""
            lines.append(Content.from_markup(f"• $title{mark}", title=title))
        return Content("\n").join(lines)
    lines = [Content.from_markup("[b]Signed off[/b] by $who on $when. What followed:", who=letter.approved_name or "—",
                                 when=local(letter.approved_at))]
    for action in letter.actions:
        ref = f" ({action['ref']})" if action.get("ref") else ""
        lines.append(Content.from_markup("• $title — $state$ref", title=action["title"], state=action["state"], ref=ref))
    if current.messages:
        lines.append(Content.from_markup("\n[b]E-mail[/b]"))
        for message in sorted(current.messages, key=lambda m: m.id):
            state = outbox.describe(ctx, message, local=local)
            style = "$error" if message.status in ("failed", "held") else ("$success" if message.status == "sent" else "")
            lines.append(Content.from_markup(
                f"• $id to $to: [{style}]$state[/]" if style else "• $id to $to: $state",
                id=message.id, to=message.list_name, state=state,
            ))
    return Content("\n").join(lines)
