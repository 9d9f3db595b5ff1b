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
    staff.add_staff(ctx, number="1001", name="Sam Okafor", role="call_handler", office=ctx.settings.offices[0], pin="1234")
    actor = Actor(number="1001", name="Sam Okafor", role="call_handler", office=ctx.settings.offices[0])
    flow = ctx.pack.flow(FLOW)
    texts = [_step_text(flow.step(flow.start))]
    texts.append(_step_text(flow.step(flow.step(flow.start).choices[CHOICES[0] - 1].next)))

    class Bare(Screen):
        def compose(self):
            yield Static(id="bare")

    results = {"counter": {"action": [], "refresh": []}, "bare": {"action": [], "refresh": []}}
    app = CounterApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.actor = actor  # signed in (the sign-in screen stays beneath, as after a real sign-in)

        async def settle(screen_type: type) -> Screen:
            while not isinstance(app.screen, screen_type) or not app.screen.is_mounted:
                await pilot.pause()
            await pilot.pause()
            return app.screen

        total = decisions + WARM_UP
        while len(results["counter"]["action"]) < total:
            # Counter: a new contact on its own screen, then the decisions that stay on it.
            contact_id = contacts.start_contact(ctx, actor, FLOW)
            app.push_screen(ContactScreen(contact_id))
            screen = await settle(ContactScreen)
            for number in CHOICES:
                t0 = time.perf_counter()
                screen.action_choose(number)
                t1 = time.perf_counter()
                screen._on_timer_update()
                t2 = time.perf_counter()
                results["counter"]["action"].append(t1 - t0)
                results["counter"]["refresh"].append(t2 - t1)
                await pilot.pause()  # let timers and messages run between keys, as between real presses
            app.pop_screen()
            await pilot.pause()

            # Baseline: the same step texts shown by a bare Static, in the same app.
            app.push_screen(Bare())
            bare = await settle(Bare)
            widget = bare.query_one("#bare", Static)
            for text in texts:
                content = Content(text)
                t0 = time.perf_counter()
                widget.update(content)
                t1 = time.perf_counter()
                bare._on_timer_update()
                t2 = time.perf_counter()
                results["bare"]["action"].append(t1 - t0)
                results["bare"]["refresh"].append(t2 - t1)
                await pilot.pause()
            app.pop_screen()
            await pilot.pause()

        steps = ctx.store.db.execute("SELECT count(*) FROM events WHERE kind = 'step.taken'").fetchone()[0]
    ctx.store.close()
    for kind in results.values():
        for name, samples in kind.items():
            kind[name] = samples[WARM_UP:]
    if steps != len(results["counter"]["action"]) + WARM_UP:
        raise AssertionError(f"{steps} steps stored for {len(results['counter']['action']) + WARM_UP} decisions")
    return results


def run(decisions: int = DECISIONS) -> dict[str, dict[str, list[float]]]:
    folder = os.environ.get("COUNTER_BENCH_DIR")
    with tempfile.TemporaryDirectory(prefix="counter-bench-", dir=folder) as tmp:
        results = asyncio.run(_measure(Path(tmp) / "counter.db", decisions))

    def row(label: str, samples: list[float], base: list[float] | None) -> str:
        median = statistics.median(samples)
        ratio = f"{median / statistics.median(base):8.1f}" if base else f"{'1.0':>8}"
        return f"{label:40}{median * 1000:10.3f}{p95(samples) * 1000:10.3f}{ratio}"

    counter, bare = results["counter"], results["bare"]
    both_counter = [a + r for a, r in zip(counter["action"], counter["refresh"], strict=True)]
    both_bare = [a + r for a, r in zip(bare["action"], bare["refresh"], strict=True)]
    n = len(counter["action"])
    print(f"\nDecision key, in-process headless, {n} decisions over {n // len(CHOICES)} contacts "
          f"(baseline: {len(bare['action'])} bare Static updates); ratio of medians to the bare Static's")
    print(f"{'':40}{'median ms':>10}{'p95 ms':>10}{'ratio':>8}")
    print(row("bare Static.update", bare["action"], None))
    print(row("bare screen refresh", bare["refresh"], None))
    print(row("bare: update + refresh", both_bare, None))
    print(row("action_choose (store + widgets)", counter["action"], bare["action"]))
    print(row("contact screen refresh", counter["refresh"], bare["refresh"]))
    print(row("counter: choose + refresh", both_counter, both_bare))
    return results


def test_keypress() -> None:
    """On demand only (tests/benchmarks is not collected by default); prints, never asserts timings."""
    decisions = int(os.environ.get("BENCH_DECISIONS", DECISIONS))
    results = run(decisions)
    assert len(results["counter"]["action"]) >= decisions


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else DECISIONS)
