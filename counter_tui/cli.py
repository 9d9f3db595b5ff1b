"""The `counter` command: the app, the demo, policy packs, staff, the queue, printing, export, the outbox,
the audit check and retention.

Errors are one clear line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import getpass
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import click

from counter_tui.startup import StartupProblem, load_settings_or_fail, open_context

db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), envvar="COUNTER_DB",
    help="The database file (default: your data directory; or COUNTER_DB).",
)
config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), envvar="COUNTER_CONFIG",
    help="The organisation's configuration file (TOML).",
)
policy_option = click.option("--policy", "policy", help="Policy pack id or file, overriding the configuration.")


def _fail(message: str) -> None:
    click.echo(f"counter: {message}", err=True)
    sys.exit(1)


def _settings(config_path: Path | None, policy: str | None = None):
    try:
        return load_settings_or_fail(config_path, policy)
    except StartupProblem as problem:
        _fail(str(problem))


def _context(db_path: Path | None, config_path: Path | None, policy: str | None = None, settings=None):
    try:
        return open_context(db_path, config_path, policy, settings)
    except StartupProblem as problem:
        _fail(str(problem))


def _run_app(ctx=None, *, open_later=None, demo_logins=None) -> None:
    """Run the app on an open context, or on one it opens itself after painting its first screen."""
    from counter_tui.app import CounterApp

    app = CounterApp(ctx, open_context=open_later, demo_logins=demo_logins)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


@click.group(invoke_without_command=True)
@db_option
@config_option
@policy_option
@click.pass_context
def main(click_ctx: click.Context, db_path: Path | None, config_path: Path | None, policy: str | None) -> None:
    """Counter: guided handling of abusive, threatening or unreasonably persistent customers.

    With no command, runs the app on your database (the same as `counter run`).
    """
    click_ctx.ensure_object(dict)
    click_ctx.obj.update(db_path=db_path, config_path=config_path, policy=policy)
    if click_ctx.invoked_subcommand is None:
        _run_app(open_later=partial(open_context, db_path, config_path, policy))


def _pick(click_ctx: click.Context, db_path: Path | None, config_path: Path | None = None):
    obj = click_ctx.obj or {}
    return db_path or obj.get("db_path"), config_path or obj.get("config_path"), obj.get("policy")


@main.command()
@db_option
@config_option
@policy_option
@click.pass_context
def run(click_ctx: click.Context, db_path: Path | None, config_path: Path | None, policy: str | None) -> None:
    """Run the app on your database."""
    db, config, outer_policy = _pick(click_ctx, db_path, config_path)
    _run_app(open_later=partial(open_context, db, config, policy or outer_policy))


@main.command()
@db_option
@config_option
@click.option("--policy", "policy", type=click.Choice(["hmpo", "dwp", "council"]),
              help="The procedure to try (default hmpo; dwp: markers, restrictions; council: restrictions).")
@click.pass_context
def demo(click_ctx: click.Context, db_path: Path | None, config_path: Path | None, policy: str | None) -> None:
    """Run the app on a throwaway database filled with sample data (--db keeps it).

    --config adds your settings (a mail server to try the letters' e-mail, say); the demo's offices
    and staff stay the demo's.
    """
    from counter_tui.services import demo as demo_data
    from counter_tui.services import staff as staff_service

    db_path, config_path, outer_policy = _pick(click_ctx, db_path, config_path)
    base = _settings(config_path) if config_path else None
    try:
        settings = demo_data.settings(base, policy or outer_policy)
    except ValueError as problem:
        raise click.UsageError(str(problem)) from None
    workdir = None
    if db_path is None:
        workdir = Path(tempfile.mkdtemp(prefix="counter-demo-"))
        db_path = workdir / "demo.db"
    try:
        ctx = _context(db_path, None, settings=settings)
        if not staff_service.list_staff(ctx):
            demo_data.fill(ctx, datetime.now(UTC))
        _run_app(ctx, demo_logins=demo_data.logins(settings.policy))
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
        _fail(str(error))


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
        _fail(str(error))
    try:
        click.echo(render_pack(loaded, channel))
    except ValueError as error:
        _fail(str(error))


@main.group()
def staff() -> None:
    """Staff and roles: add, list, disable, reset a PIN."""


def _read_pin(pin_stdin: bool, prompt: str = "PIN") -> str:
    """A PIN from standard input's first line, or typed twice without echo."""
    if pin_stdin:
        return sys.stdin.readline().strip()
    pin = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} again: ") != pin:
        _fail("the two PINs differ; nothing was saved")
    return pin


def _staff_change(change, ctx, **arguments):
    """Run a staff service call; its refusal is one line and a non-zero exit."""
    from counter_tui.services.errors import FieldErrors, StoreError

    try:
        return change(ctx, **arguments)
    except FieldErrors as error:
        _fail("; ".join(f"{field}: {message}" for field, message in error.errors.items()))
    except StoreError as error:
        _fail(str(error))


@staff.command("add")
@click.option("--number", required=True, help="Staff number (typed at sign-in).")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, help="A role id from the policy pack (`counter policy show PACK`).")
@click.option("--office", help="The office (default: the first configured).")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input instead of prompting.")
@db_option
@config_option
@click.pass_context
def staff_add(click_ctx, number, name, role, office, pin_stdin, db_path, config_path) -> None:
    """Add a member of staff. The PIN is read without echo and stored only as a scrypt hash; they
    choose their own PIN at their first sign-in."""
    from counter_tui.services import staff as staff_service

    db, config, policy_id = _pick(click_ctx, db_path, config_path)
    ctx = _context(db, config, policy_id)
    pin = _read_pin(pin_stdin)
    member = _staff_change(staff_service.add_staff, ctx, number=number, name=name, role=role,
                           office=office or ctx.settings.offices[0], pin=pin, must_change_pin=True)
    click.echo(f"added {member.number} {member.name} ({member.role}, {member.office})")


@staff.command("list")
@db_option
@config_option
@click.pass_context
def staff_list(click_ctx, db_path, config_path) -> None:
    """List staff: number, name, role, office, account (active or disabled) and PIN (chosen, or must change)."""
    from counter_tui.services import staff as staff_service

    db, config, policy_id = _pick(click_ctx, db_path, config_path)
    ctx = _context(db, config, policy_id)
    members = staff_service.list_staff(ctx)
    if members:
        click.echo(f"{'NUMBER':<8} {'NAME':<30} {'ROLE':<22} {'OFFICE':<20} {'ACCOUNT':<9} PIN")
    for member in members:
        account = "active" if member.active else "disabled"
        pin = "must change" if member.must_change_pin else "chosen"
        click.echo(f"{member.number:<8} {member.name:<30} {member.role:<22} {member.office:<20} {account:<9} {pin}")


@staff.command("disable")
@click.argument("number")
@db_option
@config_option
@click.pass_context
def staff_disable(click_ctx, number, db_path, config_path) -> None:
    """Disable a member of staff: they can no longer sign in. Their records stay theirs."""
    from counter_tui.services import staff as staff_service

    db, config, policy_id = _pick(click_ctx, db_path, config_path)
    ctx = _context(db, config, policy_id)
    member = _staff_change(staff_service.disable_staff, ctx, number=number)
    click.echo(f"disabled {member.number} {member.name}")


@staff.command("reset-pin")
@click.argument("number")
@click.option("--pin-stdin", is_flag=True, help="Read the new PIN from standard input instead of prompting.")
@db_option
@config_option
@click.pass_context
def staff_reset_pin(click_ctx, number, pin_stdin, db_path, config_path) -> None:
    """Give a member of staff a new PIN (read without echo): they choose their own at their next
    sign-in, and any wait after wrong PINs is lifted."""
    from counter_tui.services import staff as staff_service

    db, config, policy_id = _pick(click_ctx, db_path, config_path)
    ctx = _context(db, config, policy_id)
    pin = _read_pin(pin_stdin, "New PIN")
    member = _staff_change(staff_service.reset_pin, ctx, number=number, pin=pin)
    click.echo(f"PIN reset for {member.number} {member.name}: they choose their own at their next sign-in")


@main.command("queue")
@click.option("--role", help="Only tasks for this role id.")
@click.option("--office", help="Only tasks for this office.")
@click.option("--kind", help="Only tasks of this kind (the pack's task id, e.g. incident_report).")
@click.option("--channel", type=click.Choice(["telephone", "face_to_face", "video", "written", "counter"]),
              help="Only tasks from contacts on this channel.")
@db_option
@config_option
@click.pass_context
def queue_command(click_ctx, role, office, kind, channel, db_path, config_path) -> None:
    """Print what is due, overdue first, with counts by kind, as text (for a line manager's morning)."""
    from counter_tui.services.queue import all_open
    from counter_tui.services.record_text import local_time

    db, config, policy_id = _pick(click_ctx, db_path, config_path)
    ctx = _context(db, config, policy_id)
    result = all_open(ctx, role=role, office=office, spec=kind, channel=channel)
    click.echo(f"{result.open_count} open, {result.overdue_count} overdue")
    for count in result.kinds:
        overdue = f", {count.overdue} overdue" if count.overdue else ""
        click.echo(f"  {count.open:>4} {count.spec}{overdue}")
    for item in result.items:
        task = item.task
        mark = "OVERDUE" if item.overdue else "due"
        click.echo(
            f"{mark:<8}{local_time(ctx, task.due_at, with_date=True):<19}{task.id:<10}{task.title:<52}"
            f"{task.customer_name} {task.reference}  [{task.role}, {task.office}]".rstrip()
        )


@main.command("print")
@click.argument("incident_id")
@click.option("--form", "form", type=click.Choice(["incident", "call-log", "case-note", "letter"]), default="incident",
              show_default=True, help="Which record of the incident (letter: its newest letter).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write the PDF here.")
@db_option
@config_option
@click.pass_context
def print_command(click_ctx, incident_id, form, out, db_path, config_path) -> None:
    """Print an incident's record as a PDF (and to the configured printer, if any)."""
    from counter_tui.services.errors import NotFound, StoreError
    from counter_tui.services.printing import print_incident

    db, config, policy_id = _pick(click_ctx, db_path, config_path)
    ctx = _context(db, config, policy_id)
    try:
        printed = print_incident(ctx, incident_id.strip().upper(), form=form, out=out)
    except (NotFound, StoreError, OSError) as problem:
        _fail(str(problem))
    click.echo(printed.message)


@main.command("outbox")
@click.option("--retry", is_flag=True, help="Send the failed and held messages again (addresses read again from the configuration).")
@click.option("--send", is_flag=True, help="Send what is due now, without waiting for the app.")
@db_option
@config_option
@click.pass_context
def outbox_command(click_ctx, retry, send, db_path, config_path) -> None:
    """List the e-mail Counter sends (letters' copies, notices) with each message's state; retry or send."""
    from counter_tui.services import outbox
    from counter_tui.services.errors import StoreError
    from counter_tui.services.record_text import local_time

    db, config, policy_id = _pick(click_ctx, db_path, config_path)
    ctx = _context(db, config, policy_id)

    def local(moment) -> str:
        return local_time(ctx, moment, with_date=True) if moment else "-"

    try:
        if retry:
            again = outbox.retry(ctx, outbox.SENDER.model_copy(update={"number": "cli", "role": "administrator"}))
            click.echo(f"{len(again)} message(s) to send again")
        if retry or send:
            if ctx.settings.smtp is None:
                click.echo("no mail server is configured ([smtp] in the configuration): messages are kept ready", err=True)
            for result in outbox.send_due(ctx, limit=1000):
                click.echo(f"{result.message_id}: {result.status}{': ' + result.reason if result.reason else ''}")
        messages = outbox.messages(ctx, limit=1000)
    except StoreError as problem:
        _fail(str(problem))
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
@db_option
@config_option
@click.pass_context
def export_incidents(click_ctx, fmt, out, db_path, config_path) -> None:
    """Every incident with every column (CSV cells are safe against formula injection)."""
    from counter_tui.services import export as exporting
    from counter_tui.services.errors import StoreError

    db, config, policy_id = _pick(click_ctx, db_path, config_path)
    ctx = _context(db, config, policy_id)
    write = exporting.write_csv if fmt == "csv" else exporting.write_jsonl
    try:
        if out is None:
            count = write(ctx, sys.stdout)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = write(ctx, handle)
    except (StoreError, OSError) as problem:
        _fail(str(problem))
    click.echo(f"{count} incidents exported", err=True)


@main.group()
def audit() -> None:
    """The tamper-evident record: check the hash chain, print its anchor."""


def _store(click_ctx: click.Context, db_path: Path | None, config_path: Path | None):
    """The database alone (no pack needed) and the settings; a missing file is one line."""
    from counter_tui.locations import default_database
    from counter_tui.store.connection import Store

    db, config, _ = _pick(click_ctx, db_path, config_path)
    path = db or default_database()
    if not path.exists():
        _fail(f"no database at {path}")
    settings = _settings(config)
    return Store(path, settings.busy_timeout_ms), settings


def _anchor(ctx, param, values: tuple[str, ...]):
    from counter_tui.store.events import parse_anchor

    try:
        return [parse_anchor(value) for value in values]
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@audit.command("verify")
@click.option("--anchor", "anchors", multiple=True, callback=_anchor, metavar="SEQ:HASH",
              help="An anchor kept apart from the database (`counter audit head`, or printed on an incident "
                   "report form): the chain must still contain that event with that hash. Repeatable.")
@db_option
@config_option
@click.pass_context
def audit_verify(click_ctx, anchors, db_path, config_path) -> None:
    """Check the event hash chain end to end; non-zero exit naming the first broken event.

    Catches an altered, deleted, inserted or reordered event, and details removed other than by a
    retention run. Events deleted from the end leave a shorter chain that holds: give an --anchor
    taken earlier to catch that.
    """
    from counter_tui.services.audit import verify
    from counter_tui.services.errors import StoreError

    store, _ = _store(click_ctx, db_path, config_path)
    try:
        result = verify(store, anchors)
    except StoreError as error:
        _fail(str(error))
    if result.problem:
        _fail(f"the record has been tampered with: {result.problem} ({result.checked} events read)")
    held = f", and {len(anchors)} anchor(s) match" if anchors else ""
    click.echo(f"ok: {result.checked} events, the hash chain holds{held}")


@audit.command("head")
@db_option
@config_option
@click.pass_context
def audit_head(click_ctx, db_path, config_path) -> None:
    """Print the chain's newest event as an anchor (SEQ:HASH) to keep apart from the database."""
    from counter_tui.services.audit import head
    from counter_tui.services.errors import StoreError

    store, _ = _store(click_ctx, db_path, config_path)
    try:
        anchor = head(store)
    except StoreError as error:
        _fail(str(error))
    if anchor is None:
        click.echo("The record is empty: there is no anchor yet.")
        return
    click.echo(f"Record anchor: event {anchor.seq}, {anchor.short}…")
    click.echo(str(anchor))


@main.group()
def retention() -> None:
    """Removing personal data past the retention schedule ([retention] in the configuration)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@db_option
@config_option
@click.pass_context
def retention_run(click_ctx, dry_run, db_path, config_path) -> None:
    """Remove the personal data of records past the retention schedule; the hash chain still verifies.

    A record (a contact with its incident, tasks, letters, e-mail and follow-up contacts) is closed
    when its contacts are finished and its tasks done; it is kept `incident_years` after that if it
    opened an incident, else `contact_years`. Without those settings nothing is removed.
    """
    from counter_tui.services import retention as retaining
    from counter_tui.services.errors import StoreError

    store, settings = _store(click_ctx, db_path, config_path)
    schedule = settings.retention
    for key, what in retaining.SCHEDULES.items():
        years = getattr(schedule, key)
        click.echo(f"{what}: " + (f"kept {years} years after closure" if years else f"kept (no {key} in [retention])"))
    now = datetime.now(UTC)
    try:
        plan = retaining.plan(store, schedule, now) if dry_run else None
        outcome = None if dry_run else retaining.run(store, schedule, now, actor="cli", role="administrator")
    except StoreError as error:
        _fail(str(error))
    plan = plan or outcome.plan
    verb = "would remove" if dry_run else "removed"
    zone = settings.zone
    for due in plan.cases:
        case = due.case
        incident = f" incident {', '.join(case.incidents)}" if case.incidents else ""
        click.echo(f"  {', '.join(case.contacts)}{incident}: closed {due.closed_at.astimezone(zone):%d %b %Y}, "
                   f"past {due.years} years ({due.schedule}) since {due.due_since.astimezone(zone):%d %b %Y}; "
                   f"{len(case.tasks)} task(s), {len(case.letters)} letter(s), {len(case.messages)} e-mail(s)")
    if plan.customers:
        click.echo(f"  customers on no live record: {', '.join(plan.customers)}")
    if plan.empty:
        click.echo("Nothing is past the retention schedule.")
    elif dry_run:
        click.echo(f"Dry run: {verb} the personal data of {len(plan.cases)} record(s) and {len(plan.customers)} "
                   f"customer(s) ({plan.events} event payloads). Nothing was changed.")
    else:
        click.echo(f"{verb.capitalize()} the personal data of {len(plan.cases)} record(s) and {len(plan.customers)} "
                   f"customer(s) ({outcome.purged_events} event payloads; recorded by event "
                   f"{', '.join(map(str, outcome.event_seqs))}).")
        if not outcome.compacted:
            click.echo("The database is open elsewhere: removed text may stay in its write-ahead log until "
                       "every user has closed Counter. Run this again then.", err=True)
