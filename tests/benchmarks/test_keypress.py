"""A decision key's work: the step stored and the contact screen updated, against a bare Static.

In-process, inside `CounterApp.run_test()` (headless) on a real database file, without Pilot's key
pressing and idle-waiting: each sample calls `ContactScreen.action_choose(n)` directly (what the
number key's binding runs: save any typing, store the step in its own durable transaction, read
the contact back, update the step panel, the status line and the bar), then the screen's refresh
(`Screen._on_timer_update()`, what Textual's update timer and `Pilot.pause()` call: layout and the
compositor's render of the changed regions; headless, so nothing is written to a terminal).

Decisions are the HMPO telephone flow's two that stay on the screen ("warned: allow them to
improve", then "did not improve"), on many contacts, each started through the services and opened
on a fresh ContactScreen outside the timing. The last decision (end the call) opens the record
screen, a different cost, and is not sampled here.

The baseline, in the same app and run: `Static.update` of the same step's text (title, words,
choices, guidance) on a screen holding only that Static, then the same screen refresh.

Prints median and p95; asserts nothing about time. Run:
    python -m pytest tests/benchmarks/test_keypress.py -q -s -p no:cacheprovider
    python tests/benchmarks/test_keypress.py [DECISIONS]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

DECISIONS = 200
WARM_UP = 10
"""Samples of each kind taken and thrown away first (first renders build caches)."""

FLOW = "telephone"
CHOICES = (1, 2)
"""warn -> allow (1), allow -> tell_end (2): both stay on the contact screen."""


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _step_text(step) -> str:
    lines = [f"{step.title}  — {step.section}", *step.say]
    lines += [f" {n}   {choice.label}" for n, choice in enumerate(step.choices, 1)]
    lines += [f"• {text}" for text in step.guidance]
    return "\n".join(lines)


def _timed_refresh(screen, spent: list[float]) -> None:
    """Time every refresh of `screen` (its update timer's and Pilot's), adding each to `spent`.

    Set on the instance before the screen is mounted, so the update timer, made on first use,
    calls the timed one too.
    """
    refresh = screen._on_timer_update

    def timed() -> None:
        t0 = time.perf_counter()
        refresh()
        spent.append(time.perf_counter() - t0)

    screen._on_timer_update = timed


async def _measure(db: Path, decisions: int) -> dict[str, dict[str, list[float]]]:
    from textual.content import Content
    from textual.screen import Screen
    from textual.widgets import Static

    from counter_tui.app import CounterApp
    from counter_tui.models.staff import Actor
    from counter_tui.screens.contact import ContactScreen
    from counter_tui.services import contacts, staff
    from counter_tui.services.context import Context

    ctx = Context.open(db)
    staff.add_staff(ctx, number="1001", name="Sam Okafor", role="call_handler", office=ctx.settings.offices[0], pin="123427")
    actor = Actor(number="1001", name="Sam Okafor", role="call_handler", office=ctx.settings.offices[0])
    flow = ctx.pack.flow(FLOW)
    first = flow.step(flow.start)
    texts = [_step_text(flow.step(first.choices[CHOICES[0] - 1].next)),
             _step_text(flow.step(flow.step(first.choices[CHOICES[0] - 1].next).choices[CHOICES[1] - 1].next))]

    class Bare(Screen):
        def compose(self):
            yield Static(id="bare")

    # The store's share of a decision: contacts.take_step as the screen calls it, timed.
    stored: list[float] = []
    take_step = contacts.take_step

    def timed_take_step(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return take_step(*args, **kwargs)
        finally:
            stored.append(time.perf_counter() - t0)

    kinds = ("action", "render", "through")
    results = {"counter": {k: [] for k in kinds}, "bare": {k: [] for k in kinds}}
    app = CounterApp(ctx)
    contacts.take_step = timed_take_step
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.actor = actor  # signed in (the sign-in screen stays beneath, as after a real sign-in)

            async def open_screen(screen: Screen) -> list[float]:
                spent: list[float] = []
                _timed_refresh(screen, spent)
                app.push_screen(screen)
                while app.screen is not screen or not screen.is_mounted:
                    await pilot._wait_for_screen()
                return spent

            async def sample(kind: str, spent: list[float], screen: Screen, act) -> None:
                """One decision: the action, then its messages handled and the screen refreshed.

                First the app is let go idle, as it is between a person's key presses.
                """
                await pilot.pause()
                spent.clear()
                t0 = time.perf_counter()
                act()
                t1 = time.perf_counter()
                await pilot._wait_for_screen()  # the widgets' refresh requests reach the screen
                screen._on_timer_update()  # what the update timer (and Pilot.pause) calls: layout, render
                t2 = time.perf_counter()
                results[kind]["action"].append(t1 - t0)
                results[kind]["render"].append(sum(spent))
                results[kind]["through"].append(t2 - t0)

            total = decisions + WARM_UP
            while len(results["counter"]["action"]) < total:
                # Counter: a new contact on its own screen, then the decisions that stay on it.
                contact_id = contacts.start_contact(ctx, actor, FLOW)
                screen = ContactScreen(contact_id)
                spent = await open_screen(screen)
                for number in CHOICES:
                    await sample("counter", spent, screen, lambda: screen.action_choose(number))
                    if screen.current.step.id == flow.start:
                        raise AssertionError(f"choice {number} was not taken: {screen.query_one('#status', Static).render()}")
                app.pop_screen()

                # Baseline: the same step texts shown by a bare Static, in the same app.
                bare = Bare()
                spent = await open_screen(bare)
                widget = bare.query_one("#bare", Static)
                for text in texts:
                    content = Content(text)
                    await sample("bare", spent, bare, lambda: widget.update(content))
                app.pop_screen()

            steps = ctx.store.db.execute("SELECT count(*) FROM events WHERE kind = 'step.taken'").fetchone()[0]
    finally:
        contacts.take_step = take_step
        ctx.store.close()
    if steps != len(results["counter"]["action"]):
        raise AssertionError(f"{steps} steps stored for {len(results['counter']['action'])} decisions")
    results["counter"]["store"] = stored
    for kind in results.values():
        for name, samples in kind.items():
            kind[name] = samples[WARM_UP:]
    return results


def run(decisions: int = DECISIONS) -> dict[str, dict[str, list[float]]]:
    folder = os.environ.get("COUNTER_BENCH_DIR")
    with tempfile.TemporaryDirectory(prefix="counter-bench-", dir=folder) as tmp:
        results = asyncio.run(_measure(Path(tmp) / "counter.db", decisions))

    def row(label: str, samples: list[float], base: list[float] | None | str) -> str:
        """`base` None: this is the baseline; a list: the baseline's samples; "": no ratio."""
        median = statistics.median(samples)
        ratio = f"{median / statistics.median(base):8.1f}" if base else f"{'1.0' if base is None else '':>8}"
        return f"{label:44}{median * 1000:10.3f}{p95(samples) * 1000:10.3f}{ratio}"

    counter, bare = results["counter"], results["bare"]
    n = len(counter["action"])
    print(f"\nDecision key, in-process headless, {n} decisions over {n // len(CHOICES)} contacts "
          f"(baseline: {len(bare['action'])} bare Static updates); ratio = median / the bare Static's median")
    print(f"{'':44}{'median ms':>10}{'p95 ms':>10}{'ratio':>8}")
    print(row("bare: Static.update", bare["action"], None))
    print(row("bare: screen refresh (layout + render)", bare["render"], None))
    print(row("bare: through (update to refreshed)", bare["through"], None))
    print(row("counter: action_choose", counter["action"], bare["action"]))
    print(row("  of which contacts.take_step (store)", counter["store"], ""))
    print(row("counter: screen refresh (layout + render)", counter["render"], bare["render"]))
    print(row("counter: through (key action to refreshed)", counter["through"], bare["through"]))
    return results


def test_keypress() -> None:
    """On demand only (tests/benchmarks is not collected by default); prints, never asserts timings."""
    decisions = int(os.environ.get("BENCH_DECISIONS", DECISIONS))
    results = run(decisions)
    assert len(results["counter"]["action"]) >= decisions


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else DECISIONS)
