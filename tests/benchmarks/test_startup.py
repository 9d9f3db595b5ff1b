"""Cold start to the first interactive screen: a bare Textual app against `counter`.

Each run is a fresh interpreter (`python -c`), started by this process, running its app headless.
The app notes the moment its first screen has been painted (a callback after the screen's first
refresh) and exits; the time is read on the system-wide monotonic clock, so "spawn to first paint"
is measured across the two processes. Runs of the kinds are interleaved, after one warm-up each,
so a change in the machine's load falls on all alike.

- python: the interpreter alone (the floor under both); "first paint" is its first statement.
- import counter_tui.app: the interpreter importing the app module; "first paint" is the import done.
- bare Textual app: an App with one Static.
- counter: the real `counter --db FILE` path (click, settings, the policy pack loaded and linted,
  the database opened and migrated) up to the sign-in screen, on a database filled by the demo.
  `CounterApp` is subclassed in the child script only to run headless and to exit after the
  sign-in screen's first paint; the product has no hook for this.

Then `python -X importtime -c "import counter_tui.app"`: the imports that cost most, and whether
the heavy modules that should wait until first needed (reportlab, the PDF forms) are loaded by
start-up.

Prints figures; asserts nothing about time. Run:
    python -m pytest tests/benchmarks/test_startup.py -q -s -p no:cacheprovider
    python tests/benchmarks/test_startup.py [RUNS]
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RUNS = 10

HEAVY = ["reportlab", "pypdf", "counter_tui.forms", "counter_tui.policy.lint", "counter_tui.policy.render",
         "sqlite_utils", "pydantic", "click", "textual", "rich"]
"""Modules whose presence at start-up is reported (the first two should never be there)."""

PYTHON = "import json, time; print(json.dumps({'painted': time.monotonic()}))"
IMPORT_ONLY = "import json, time, counter_tui.app; print(json.dumps({'painted': time.monotonic()}))"

BARE = """
import json, sys, time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("Sign in")

    def on_mount(self):
        self.screen.call_after_refresh(self.painted)

    def painted(self):
        self.result = {"painted": time.monotonic(), "screen": type(self.screen).__name__}
        self.exit()

app = Bare()
app.run(headless=True)
print(json.dumps(app.result))
"""

COUNTER = """
import json, sys, time
from counter_tui import app as app_module

HEAVY = {heavy!r}
result = {{}}

class FirstPaint(app_module.CounterApp):
    def on_mount(self):
        super().on_mount()  # pushes the sign-in screen
        self.screen.call_after_refresh(self.painted)

    def painted(self):
        focused = self.focused.id if self.focused is not None else None
        result.update(painted=time.monotonic(), screen=type(self.screen).__name__, focused=focused,
                      loaded=sorted(m for m in HEAVY if m in sys.modules))
        self.exit()

    def run(self, **kwargs):
        return super().run(headless=True)

app_module.CounterApp = FirstPaint  # cli._run_app imports it from here when it runs the app
from counter_tui.cli import main
main(["--db", sys.argv[1]], standalone_mode=False)
print(json.dumps(result))
""".format(heavy=HEAVY)


def _env() -> dict[str, str]:
    """This environment less Textual's devtools switches and any Counter database or configuration."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "COUNTER_"))}


def _once(script: str, *args: str) -> tuple[float, float, dict]:
    """(spawn to first paint, spawn to exit) in seconds, and what the child reported."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=_env(), timeout=120)
    end = time.monotonic()
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}):\n{done.stderr[-2000:]}")
    reported = json.loads(done.stdout.strip().splitlines()[-1])
    return reported["painted"] - start, end - start, reported


def prepare_database(folder: Path) -> Path:
    """A database as an office would have it: the demo's staff, contacts, incidents and tasks."""
    from counter_tui.config import Settings
    from counter_tui.services import demo
    from counter_tui.services.context import Context

    path = folder / "counter.db"
    ctx = Context.open(path, Settings(offices=[demo.MAIN, demo.SECOND]))
    demo.fill(ctx, datetime.now(UTC))
    ctx.store.close()
    return path


def import_costs() -> tuple[float, list[tuple[float, str]], list[tuple[float, str]]]:
    """`-X importtime` of `import counter_tui.app`.

    Returns:
        the whole import's cumulative seconds; (cumulative s, name) of what counter_tui.app
        imports directly, costliest first; (self s, package) summed over each top-level package.
    """
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import counter_tui.app"],
                          capture_output=True, text=True, env=_env(), timeout=120)
    rows = []  # (self µs, cumulative µs, depth, name); depth 0 is imported by the script itself
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line)
        if found:
            rows.append((int(found[1]), int(found[2]), len(found[3]) // 2, found[4]))
    whole = next(total for _, total, depth, name in rows if depth == 0 and name == "counter_tui.app") / 1e6
    # importtime prints children before their parent: the depth-1 rows just before counter_tui.app are its imports
    direct, inside = [], False
    for own, total, depth, name in reversed(rows):
        if depth == 0:
            inside = name == "counter_tui.app"
        elif inside and depth == 1:
            direct.append((total / 1e6, name))
    by_package: dict[str, float] = {}
    for own, _, _, name in rows:
        top = name.split(".")[0]
        by_package[top] = by_package.get(top, 0.0) + own / 1e6
    return whole, sorted(direct, reverse=True), sorted(((t, n) for n, t in by_package.items()), reverse=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def run(runs: int = RUNS) -> dict[str, list[tuple[float, float]]]:
    with tempfile.TemporaryDirectory(prefix="counter-bench-") as folder:
        db = prepare_database(Path(folder))
        kinds = {
            "python (no app)": (PYTHON,),
            "import counter_tui.app": (IMPORT_ONLY,),
            "bare Textual app": (BARE,),
            "counter (sign-in screen)": (COUNTER, str(db)),
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in kinds}
        reports: dict[str, dict] = {}
        for name, args in kinds.items():  # warm-up: bytecode caches, the OS's file cache
            _once(*args)
        for _ in range(runs):
            for name, args in kinds.items():
                painted, exited, reported = _once(*args)
                times[name].append((painted, exited))
                reports[name] = reported

    base = statistics.median(p for p, _ in times["bare Textual app"])
    print(f"\nCold start, {runs} runs each (interleaved), medians; ratio = median to first paint / the bare app's")
    print("(to exit adds the interpreter's shutdown; the imports-only rows have no paint: their time is to the import done)")
    print(f"{'':26}{'to first paint ms':>18}{'min ms':>9}{'to exit ms':>11}{'ratio':>8}")
    for name, pairs in times.items():
        painted = [p for p, _ in pairs]
        exited = [e for _, e in pairs]
        ratio = statistics.median(painted) / base
        print(f"{name:26}{_ms(statistics.median(painted)):>18}{_ms(min(painted)):>9}{_ms(statistics.median(exited)):>11}{ratio:8.2f}")
    counter = reports["counter (sign-in screen)"]
    print(f"counter's first screen: {counter['screen']}, focus on #{counter['focused']}; "
          f"loaded by then: {', '.join(counter['loaded'])}")
    missing = [m for m in ("reportlab", "pypdf", "counter_tui.forms") if m in counter["loaded"]]
    print("heavy modules loaded at start-up: " + (", ".join(missing) if missing else "none (reportlab, pypdf, forms wait)"))

    whole, direct, packages = import_costs()
    print(f"\n`import counter_tui.app` under -X importtime: {whole * 1000:.0f} ms in all (importtime itself adds some)")
    print(f"{'imported directly by counter_tui.app':40}{'cumulative ms':>14}   {'self time by package':28}{'ms':>7}")
    for i in range(10):
        left = f"{direct[i][1]:40}{direct[i][0] * 1000:14.1f}" if i < len(direct) else " " * 54
        right = f"   {packages[i][1]:28}{packages[i][0] * 1000:7.1f}" if i < len(packages) else ""
        print(left + right)
    return times


def test_startup() -> None:
    """On demand only (tests/benchmarks is not collected by default); prints, never asserts timings."""
    times = run(int(os.environ.get("BENCH_RUNS", RUNS)))
    assert all(len(v) == int(os.environ.get("BENCH_RUNS", RUNS)) for v in times.values())


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
