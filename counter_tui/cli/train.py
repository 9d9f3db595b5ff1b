"""`counter train`: practice on a training room of its own (`--room`), the trainer's view
(`--trainer`), `train check` for scenario authors, `train list`, `train results` and `train debrief`."""

from __future__ import annotations

from pathlib import Path

import click

from counter_tui.cli.common import fail

room_option = click.option(
    "--room", "room_path", type=click.Path(file_okay=False, path_type=Path), envvar="COUNTER_TRAINING_ROOM",
    help="The training folder, shared by the terminals in the room (default: `training` in your data directory; "
         "or COUNTER_TRAINING_ROOM). Never the live database.",
)


def _room(room_path: Path | None):
    from counter_tui.locations import default_database, default_training_room
    from counter_tui.services import training
    from counter_tui.services.errors import StoreError

    folder = room_path or default_training_room()
    if folder.resolve() == default_database().resolve() or folder.suffix == ".db":
        fail(f"{folder} looks like a database file: the training room is a folder of its own.")
    try:
        return training.Room.open(folder)
    except (OSError, StoreError) as problem:
        fail(f"the training room {folder} cannot be opened ({problem})")


class _TrainGroup(click.Group):
    """`counter train SCENARIO` runs the practice; `counter train check|list|results|debrief` the rest."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group("train", cls=_TrainGroup, invoke_without_command=True)
@room_option
@click.option("--trainer", is_flag=True, help="The trainer's view: run a scenario for a group, see scores.")
@click.pass_context
def train(click_ctx: click.Context, room_path: Path | None, trainer: bool) -> None:
    """Practise on the real procedures, on a training database that is never the live one.

    `counter train` lists the scenarios; `counter train SCENARIO` offers just that one.
    """
    click_ctx.ensure_object(dict)
    click_ctx.obj["room_path"] = room_path
    if click_ctx.invoked_subcommand is None:
        _run(_room(room_path), None, trainer)


@train.command("run", hidden=True)
@click.argument("scenario")
@room_option
@click.option("--trainer", is_flag=True)
@click.pass_context
def run(click_ctx: click.Context, scenario: str, room_path: Path | None, trainer: bool) -> None:
    from counter_tui.services import training
    from counter_tui.services.errors import NotFound

    try:
        found = training.scenario(scenario)
    except NotFound as problem:
        fail(str(problem))
    _run(_room(room_path or click_ctx.obj.get("room_path")), found.id, trainer)


def _run(room, scenario: str | None, trainer: bool) -> None:
    from counter_tui.screens.training.app import TrainingApp

    TrainingApp(room, scenario=scenario, trainer=trainer).run()


@train.command("check")
@click.argument("scenarios", nargs=-1)
def check(scenarios: tuple[str, ...]) -> None:
    """Check scenarios against their packs (ids or .toml files; all shipped ones when none given)."""
    from counter_tui.policy.scenario import ScenarioError, load_scenario, shipped_scenario_ids
    from counter_tui.policy.scenario_check import check as check_scenario

    failed = False
    names = list(scenarios) or shipped_scenario_ids()
    for name in names:
        try:
            found = load_scenario(name)
        except ScenarioError as problem:
            click.echo(str(problem), err=True)
            failed = True
            continue
        findings = check_scenario(found, name if name.endswith(".toml") else f"{name}.toml")
        for finding in findings:
            click.echo(str(finding), err=True)
        failed |= bool(findings)
    if failed:
        raise SystemExit(1)
    click.echo(f"{len(names)} scenario(s): no problems found.")


@train.command("list")
def list_scenarios() -> None:
    """The shipped scenarios: id, procedure, flow, what each practises."""
    from counter_tui.services import training

    for found in training.scenarios():
        click.echo(f"{found.id:<36} {found.pack:<15} {found.flow:<22} {found.title}")


@train.command("results")
@room_option
@click.option("--session", "session_id", help="Only this group session's attempts.")
@click.option("--trainee", help="Only this trainee's attempts.")
@click.pass_context
def results(click_ctx: click.Context, room_path: Path | None, session_id: str | None, trainee: str | None) -> None:
    """Every attempt and its score (a trainee's, or a session's), and what the group missed most."""
    from counter_tui.services import training

    room = _room(room_path or click_ctx.obj.get("room_path"))
    rows = training.attempts(room, trainee=trainee, session_id=session_id)
    for row in rows:
        score = f"{row['points']}/{row['out_of']}" if row["finished_at"] else "unfinished"
        click.echo(f"{row['id']}  {row['started_at'][:16].replace('T', ' ')}  {score:<10}  {row['scenario']:<34}  {row['trainee']}")
    missed = training.most_missed(rows)
    if missed:
        click.echo("Most often missed:")
        for title, count in missed[:8]:
            click.echo(f"  {count} × {title}")


@train.command("debrief")
@click.argument("attempt")
@room_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the PDF.")
@click.pass_context
def debrief(click_ctx: click.Context, attempt: str, room_path: Path | None, out_path: Path | None) -> None:
    """Print an attempt's debrief (PDF)."""
    from counter_tui.services import training
    from counter_tui.services.errors import NotFound

    room = _room(room_path or click_ctx.obj.get("room_path"))
    try:
        path = training.print_debrief(room, attempt, out_path)
    except NotFound as problem:
        fail(str(problem))
    except OSError as problem:
        fail(f"the debrief could not be written ({problem.strerror or problem})")
    click.echo(str(path))
