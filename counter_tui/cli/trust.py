"""`counter audit` (verify the hash chain, with printed anchors; the chain's head) and `counter
retention run` (remove the personal data of records past the schedule)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from counter_tui.cli.common import config_option, db_option, fail, pick, settings_from, signed_in

@click.group()
def audit() -> None:
    """The tamper-evident record: check the hash chain, print its anchor."""


def _store(click_ctx: click.Context, db_path: Path | None, config_path: Path | None):
    """The database alone (no pack needed) and the settings; a missing file is one line."""
    from counter_tui.locations import default_database
    from counter_tui.store.connection import Store

    db, config, _ = pick(click_ctx, db_path, config_path)
    path = db or default_database()
    if not path.exists():
        fail(f"no database at {path}")
    settings = settings_from(config)
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

    store, settings = _store(click_ctx, db_path, config_path)
    try:
        scheduled = any(getattr(settings.retention, key) for key in ("incident_years", "contact_years"))
        result = verify(store, anchors, schedule=settings.retention if scheduled else None,
                        head_file=_head_file(settings), now=datetime.now(UTC))  # no run is dated after today
    except StoreError as error:
        fail(str(error))
    if result.problem:
        fail(f"the record has been tampered with: {result.problem} ({result.checked} events read)")
    held = f", and {len(anchors)} anchor(s) match" if anchors else ""
    click.echo(f"ok: {result.checked} events, the hash chain holds{held}")


def _head_file(settings) -> Path | None:
    """The published head (`[audit] head_file`), if configured."""
    return Path(settings.audit.head_file).expanduser() if settings.audit.head_file else None


@audit.command("head")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the anchor to this file (kept apart from the database: another disk or machine).")
@db_option
@config_option
@click.pass_context
def audit_head(click_ctx, out, db_path, config_path) -> None:
    """Print the chain's newest event as an anchor (SEQ:HASH) to keep apart from the database."""
    from counter_tui.services.audit import head
    from counter_tui.services.errors import StoreError

    store, _ = _store(click_ctx, db_path, config_path)
    try:
        anchor = head(store)
    except StoreError as error:
        fail(str(error))
    if anchor is None:
        click.echo("The record is empty: there is no anchor yet.")
        return
    click.echo(f"Record anchor: event {anchor.seq}, {anchor.short}…")
    click.echo(str(anchor))
    if out is not None:
        from counter_tui.store import head_file

        try:
            head_file.write(out, anchor)
        except OSError as error:
            fail(f"could not write {out}: {error.strerror or error}")
        click.echo(f"Written to {out}.")


@click.group()
def retention() -> None:
    """Removing personal data past the retention schedule ([retention] in the configuration)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@signed_in("retention run")
def retention_run(ctx, who, dry_run) -> None:
    """Remove the personal data of records past the retention schedule; the hash chain still verifies.

    A record (a contact with its incident, tasks, letters, e-mail and follow-up contacts) is closed
    when its contacts are finished and its tasks done; it is kept `incident_years` after that if it
    opened an incident, else `contact_years`. Without those settings nothing is removed.
    """
    from counter_tui.services import retention as retaining
    from counter_tui.services.errors import StoreError

    store, settings = ctx.store, ctx.settings
    schedule = settings.retention
    for key, what in retaining.SCHEDULES.items():
        years = getattr(schedule, key)
        click.echo(f"{what}: " + (f"kept {years} years after closure" if years else f"kept (no {key} in [retention])"))
    now = datetime.now(UTC)
    try:
        plan = retaining.plan(store, schedule, now) if dry_run else None
        outcome = None if dry_run else retaining.run(store, schedule, now, actor=who.number, role=who.role)
    except StoreError as error:
        fail(str(error))
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
