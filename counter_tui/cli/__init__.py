"""The `counter` command: the app, the demo, policy packs, the queue, printing, export and the outbox;
staff (`cli.staff`), and the audit check and retention (`cli.trust`), are groups of their own.

Errors are one clear line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import click

from counter_tui.cli.common import (config_option, context_for, db_option, fail, pick, policy_option, run_app, settings_from,
                                    signed_in)
from counter_tui.private_files import keep_private
from counter_tui.startup import open_context

@click.group(invoke_without_command=True)
@db_option
@config_option
@policy_option
@click.pass_context
def main(click_ctx: click.Context, db_path: Path | None, config_path: Path | None, policy: str | None) -> None:
    """Counter: guided handling of abusive, threatening or unreasonably persistent customers.

    With no command, runs the app on your database (the same as `counter run`).
    """
    keep_private()  # the record, printed forms, the log: readable by this user only
    click_ctx.ensure_object(dict)
    click_ctx.obj.update(db_path=db_path, config_path=config_path, policy=policy)
    if click_ctx.invoked_subcommand is None:
        run_app(open_later=partial(open_context, db_path, config_path, policy))


@main.command()
@db_option
@config_option
@policy_option
@click.pass_context
def run(click_ctx: click.Context, db_path: Path | None, config_path: Path | None, policy: str | None) -> None:
    """Run the app on your database."""
    db, config, outer_policy = pick(click_ctx, db_path, config_path)
    run_app(open_later=partial(open_context, db, config, policy or outer_policy))


@main.command()
@db_option
@config_option
@click.option("--policy", "policy", type=click.Choice(["hmpo", "dwp", "council", "ico", "north_tyneside"]),
              help="The procedure to try (default hmpo; dwp: markers, restrictions; council: restrictions; "
                   "ico: behaviour levels, restricted contact; north_tyneside: risk assessment, police, welfare 121).")
@click.pass_context
def demo(click_ctx: click.Context, db_path: Path | None, config_path: Path | None, policy: str | None) -> None:
    """Run the app on a throwaway database filled with sample data (--db keeps it).

    --config adds your settings (a mail server to try the letters' e-mail, say); the demo's offices
    and staff stay the demo's.
    """
    from counter_tui.services import demo as demo_data
    from counter_tui.services import staff as staff_service

    db_path, config_path, outer_policy = pick(click_ctx, db_path, config_path)
    base = settings_from(config_path) if config_path else None
    try:
        settings = demo_data.settings(base, policy or outer_policy)
    except ValueError as problem:
        raise click.UsageError(str(problem)) from None
    workdir = None
    if db_path is None:
        workdir = Path(tempfile.mkdtemp(prefix="counter-demo-"))
        db_path = workdir / "demo.db"
    try:
        ctx = context_for(db_path, None, settings=settings)
        if not staff_service.list_staff(ctx):
            demo_data.fill(ctx, datetime.now(UTC))
        run_app(ctx, demo_logins=demo_data.logins(settings.policy))
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


@main.group()
def policy() -> None:
    """Policy packs: list, check (lint), show."""


@policy.command("list")
def policy_list() -> None:
    """List the shipped policy packs."""
    from counter_tui.policy.loader import PackError, load_pack, shipped_pack_ids

    for pack_id in shipped_pack_ids():
        try:
            pack = load_pack(pack_id)
            flows = ", ".join(sorted({f.channel.value for f in pack.contact_flows()}))
            click.echo(f"{pack.id:<8} {pack.organisation} — {pack.name} [{flows}]")
        except PackError as error:
            click.echo(f"{pack_id:<8} (malformed: {error})")


@policy.command("check")
@click.argument("pack", required=False)
def policy_check(pack: str | None) -> None:
    """Lint a pack (an id or a .toml file; all shipped packs when omitted). Non-zero exit on any finding."""
    from counter_tui.policy.lint import lint
    from counter_tui.policy.loader import PackError, load_pack, shipped_pack_ids

    failed = False
    for pack_id in [pack] if pack else shipped_pack_ids():
        try:
            loaded = load_pack(pack_id)
        except PackError as error:
            click.echo(str(error), err=True)
            failed = True
            continue
        findings = lint(loaded)
        name = pack_id if pack_id.endswith(".toml") else f"{pack_id}.toml"
        for finding in findings:
            click.echo(f"{name}: {finding}", err=True)
        if findings:
            failed = True
        else:
            steps = sum(len(f.steps) for f in loaded.flows)
            click.echo(f"{name}: ok ({len(loaded.flows)} flows, {steps} steps)")
    if failed:
        sys.exit(1)


@policy.command("coverage")
@click.argument("pack")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def policy_coverage(pack: str, fmt: str) -> None:
    """Each section of the pack's source document and what cites it (steps, choices, tasks, forms,
    letters, rules), or UNCOVERED / its review note; then the counts. Non-zero exit where `policy
    check` would fail on coverage (an uncited section without a note, a citation to no listed section)."""
    import json

    from counter_tui.policy import coverage
    from counter_tui.policy.loader import PackError, load_pack

    try:
        loaded = load_pack(pack)
    except PackError as error:
        fail(str(error))
    if not loaded.sections:
        fail(f"{pack}: the pack lists no sections of its source document ([[sections]])")
    result = coverage.coverage(loaded)
    if fmt == "json":
        click.echo(json.dumps(coverage.render_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(coverage.render_text(result), nl=False)
    if coverage.problems(loaded):
        sys.exit(1)


@policy.command("graph")
@click.argument("pack")
@click.argument("channel", type=click.Choice(["telephone", "face_to_face", "video", "written", "counter"]))
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
def policy_graph(pack: str, channel: str, fmt: str) -> None:
    """Draw a channel's flows from the pack staff follow: Mermaid (paste into a Markdown file) or
    Graphviz dot (`| dot -Tsvg > flow.svg`)."""
    from counter_tui.policy import graph
    from counter_tui.policy.loader import PackError, load_pack

    try:
        loaded = load_pack(pack)
        click.echo(graph.mermaid(loaded, channel) if fmt == "mermaid" else graph.dot(loaded, channel), nl=False)
    except (PackError, ValueError) as error:
        fail(str(error))


@policy.command("show")
@click.argument("pack")
@click.argument("channel", required=False)
def policy_show(pack: str, channel: str | None) -> None:
    """Print a pack's flows as text: each step's words, guidance, choices and citation."""
    from counter_tui.policy.loader import PackError, load_pack
    from counter_tui.policy.render import render_pack

    try:
        loaded = load_pack(pack)
    except PackError as error:
        fail(str(error))
    try:
        click.echo(render_pack(loaded, channel))
    except ValueError as error:
        fail(str(error))


@main.command("queue")
@click.option("--role", help="Only tasks for this role id.")
@click.option("--office", help="Only tasks for this office.")
@click.option("--kind", help="Only tasks of this kind (the pack's task id, e.g. incident_report).")
@click.option("--channel", type=click.Choice(["telephone", "face_to_face", "video", "written", "counter"]),
              help="Only tasks from contacts on this channel.")
@signed_in("queue")
def queue_command(ctx, who, role, office, kind, channel) -> None:
    """Print what is due, overdue first, with counts by kind, as text (for a line manager's morning)."""
    from counter_tui.services.deadlines import due_text
    from counter_tui.services.queue import all_open

    result = all_open(ctx, role=role, office=office, spec=kind, channel=channel)
    click.echo(f"{result.open_count} open, {result.overdue_count} overdue")
    for count in result.kinds:
        overdue = f", {count.overdue} overdue" if count.overdue else ""
        click.echo(f"  {count.open:>4} {count.spec}{overdue}")
    whens = [due_text(ctx, item.task.due_at) for item in result.items]
    width = max([19, *(len(when) + 2 for when in whens)])  # "no time set by the guidance" keeps the columns
    for item, when in zip(result.items, whens):
        task = item.task
        mark = "OVERDUE" if item.overdue else "due" if task.due_at is not None else "-"
        click.echo(
            f"{mark:<8}{when:<{width}}{task.id:<10}{task.title:<52} "
            f"{task.customer_name} {task.reference}  [{task.role}, {task.office}]".rstrip()
        )


@main.command("print")
@click.argument("incident_id")
@click.option("--form", "form", type=click.Choice(["incident", "call-log", "case-note", "letter"]), default="incident",
              show_default=True, help="Which record of the incident (letter: its newest letter).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write the PDF here.")
@signed_in("print")
def print_command(ctx, who, incident_id, form, out) -> None:
    """Print an incident's record as a PDF (and to the configured printer, if any)."""
    from counter_tui.services.errors import NotFound, StoreError
    from counter_tui.services.printing import print_incident

    try:
        printed = print_incident(ctx, incident_id.strip().upper(), form=form, out=out)
    except (NotFound, StoreError, OSError) as problem:
        fail(str(problem))
    click.echo(printed.message)


@main.command("outbox")
@click.option("--retry", is_flag=True, help="Send the failed and held messages again (addresses read again from the configuration).")
@click.option("--send", is_flag=True, help="Send what is due now, without waiting for the app.")
@signed_in("outbox")
def outbox_command(ctx, who, retry, send) -> None:
    """List the e-mail Counter sends (letters' copies, notices) with each message's state; retry or send."""
    from counter_tui.services import outbox
    from counter_tui.services.errors import StoreError
    from counter_tui.services.record_text import local_time

    def local(moment) -> str:
        return local_time(ctx, moment, with_date=True) if moment else "-"

    try:
        if retry:
            again = outbox.retry(ctx, who)
            click.echo(f"{len(again)} message(s) to send again")
        if retry or send:
            if ctx.settings.smtp is None:
                click.echo("no mail server is configured ([smtp] in the configuration): messages are kept ready", err=True)
            for result in outbox.send_due(ctx, limit=1000):
                click.echo(f"{result.message_id}: {result.status}{': ' + result.reason if result.reason else ''}")
        messages = outbox.messages(ctx, limit=1000)
    except StoreError as problem:
        fail(str(problem))
    if not messages:
        click.echo("The outbox is empty.")
        return
    for message in messages:
        click.echo(f"{message.id:<10}{outbox.STATE_NAMES[message.status]:<17}{message.list_name:<28}{message.purpose}")
        click.echo(f"{'':<10}{', '.join(message.recipients) or 'no addresses'} — {outbox.describe(ctx, message, local=local)}")
    stuck = [m for m in messages if m.status in ("failed", "held")]
    if stuck:
        sys.exit(2)


@main.group()
def export() -> None:
    """Records out of Counter, for other systems."""


@export.command("incidents")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: standard output).")
@signed_in("export incidents")
def export_incidents(ctx, who, fmt, out) -> None:
    """Every incident with every column (CSV cells are safe against formula injection)."""
    from counter_tui.services import export as exporting
    from counter_tui.services.errors import StoreError

    write = exporting.write_csv if fmt == "csv" else exporting.write_jsonl
    try:
        if out is None:
            count = write(ctx, sys.stdout)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = write(ctx, handle)
    except (StoreError, OSError) as problem:
        fail(str(problem))
    click.echo(f"{count} incidents exported", err=True)


def _add_groups() -> None:
    from counter_tui.cli.staff import staff
    from counter_tui.cli.train import train
    from counter_tui.cli.trust import audit, retention

    for group in (staff, audit, retention, train):
        main.add_command(group)


_add_groups()
