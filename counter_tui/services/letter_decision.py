"""Whether to write a letter at all, where the guidance leaves it to the drafter (HMPO "How to bar a
customer from a CSC": the HEO counter manager "may consider writing to the customer"): a recorded
decision — write it, or not, with a reason — before any text is drafted.

Enforced here, not on a screen: only whoever holds the drafting task decides; "do not write" needs a
reason and closes the task with no letter and nothing of what follows a sign-off.
"""

from __future__ import annotations

from counter_tui.models.letter import Letter
from counter_tui.models.staff import Actor
from counter_tui.services import queue
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.services.letters import _drafting_task, _letter, _spec
from counter_tui.store import letters as letter_store
from counter_tui.store import projections
from counter_tui.store.connection import write
from counter_tui.text import TextProblem, clean_text


def decide(ctx: Context, actor: Actor, letter_id: str, *, write_it: bool, reason: str = "") -> Letter:
    """Record the drafter's decision: write the letter (it then opens for drafting; the reason is
    optional), or do not (the reason is required; the drafting task is done, no letter).

    Raises:
        FieldErrors: "do not write" without a reason, or a reason that cannot be accepted.
        Refused: the actor does not hold the drafting task (recorded), or the letter does not wait
            for this decision.
    """
    letter = _letter(ctx, letter_id)
    spec = _spec(ctx, letter)
    task = _drafting_task(ctx, letter)
    if spec.decide_first is None or letter.status != "deciding" or task is None:
        raise Refused("This letter does not wait for a decision whether to write it.")
    queue.require_task_role(ctx, actor, task)
    try:
        why = clean_text(reason, max_length=2000, multiline=True, required=not write_it)
    except TextProblem as problem:
        raise FieldErrors({"reason": str(problem)}) from None
    choice = spec.decide_first.write if write_it else spec.decide_first.decline
    db = ctx.store.db
    with write(db):
        current = letter_store.letter(db, letter_id)
        if current.status != "deciding":
            raise Refused("This was decided elsewhere since you opened it.")
        base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
        projections.record(db, **base, kind="letter.decided", stream=f"letter:{letter_id}",
                           payload={"letter_id": letter_id, "write": write_it, "choice": choice, "reason": why,
                                    "section": spec.decide_first.section})
        if not write_it:
            projections.record(db, **base, kind="task.done", stream=f"task:{task.id}",
                               payload={"task_id": task.id, "contact_id": None, "note": f"{choice}: {why}"})
    return letter_store.letter(db, letter_id)
