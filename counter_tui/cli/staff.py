"""`counter staff`: add, list, disable members of staff and reset a PIN (read without echo)."""

from __future__ import annotations

import sys

import click

from counter_tui.cli.common import fail, read_secret, signed_in

@click.group()
def staff() -> None:
    """Staff and roles: add, list, set a line manager, disable, reset a PIN."""


def _read_pin(pin_stdin: bool, prompt: str = "PIN") -> str:
    """A PIN from standard input's next line (after the signing-in PIN, if that was read there too),
    or typed twice without echo."""
    if pin_stdin:
        return sys.stdin.readline().strip()
    pin = read_secret(prompt)
    if read_secret(f"{prompt} again") != pin:
        fail("the two PINs differ; nothing was saved")
    return pin


def _staff_change(change, ctx, **arguments):
    """Run a staff service call; its refusal is one line and a non-zero exit."""
    from counter_tui.services.errors import FieldErrors, StoreError

    try:
        return change(ctx, **arguments)
    except FieldErrors as error:
        fail("; ".join(f"{field}: {message}" for field, message in error.errors.items()))
    except StoreError as error:
        fail(str(error))


@staff.command("add")
@click.option("--number", required=True, help="Staff number (typed at sign-in).")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, help="A role id from the policy pack (`counter policy show PACK`).")
@click.option("--office", help="The office (default: the first configured).")
@click.option("--line-manager", metavar="NUMBER", help="Their own line manager's staff number (on the register).")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input instead of prompting.")
@signed_in("staff add")
def staff_add(ctx, who, number, name, role, office, line_manager, pin_stdin) -> None:
    """Add a member of staff. The PIN is read without echo and stored only as a scrypt hash; they
    choose their own PIN at their first sign-in."""
    from counter_tui.services import staff as staff_service

    pin = _read_pin(pin_stdin)
    member = _staff_change(staff_service.add_staff, ctx, number=number, name=name, role=role,
                           office=office or ctx.settings.offices[0], pin=pin, must_change_pin=True, actor=who,
                           line_manager=line_manager)
    managed = f", line manager {member.line_manager}" if member.line_manager else ""
    click.echo(f"added {member.number} {member.name} ({member.role}, {member.office}{managed})")


@staff.command("set")
@click.argument("number")
@click.option("--line-manager", metavar="NUMBER", help="Their own line manager's staff number (on the register).")
@click.option("--no-line-manager", is_flag=True, help="Forget their line manager (their welfare tasks go to the office's line managers).")
@signed_in("staff set")
def staff_set(ctx, who, number, line_manager, no_line_manager) -> None:
    """Change what the register records about a member of staff: their own line manager, who is given
    their welfare tasks and whom they call when they refuse to serve a customer face to face."""
    from counter_tui.services import line_managers

    if bool(line_manager) == no_line_manager:
        fail("say what to change: --line-manager NUMBER, or --no-line-manager")
    member = _staff_change(line_managers.set_line_manager, ctx, number=number,
                           line_manager=None if no_line_manager else line_manager, actor=who)
    click.echo(f"{member.number} {member.name}: line manager {member.line_manager or 'none recorded'}")


@staff.command("list")
@signed_in("staff list")
def staff_list(ctx, who) -> None:
    """List staff: number, name, role, office, account (active or disabled), PIN (chosen, or must change)
    and their own line manager's staff number."""
    from counter_tui.services import staff as staff_service

    members = staff_service.list_staff(ctx)
    if members:
        click.echo(f"{'NUMBER':<8} {'NAME':<30} {'ROLE':<22} {'OFFICE':<20} {'ACCOUNT':<9} {'PIN':<12} LINE MANAGER")
    for member in members:
        account = "active" if member.active else "disabled"
        pin = "must change" if member.must_change_pin else "chosen"
        click.echo(f"{member.number:<8} {member.name:<30} {member.role:<22} {member.office:<20} {account:<9} {pin:<12} "
                   f"{member.line_manager or '—'}")


@staff.command("disable")
@click.argument("number")
@signed_in("staff disable")
def staff_disable(ctx, who, number) -> None:
    """Disable a member of staff: they can no longer sign in. Their records stay theirs."""
    from counter_tui.services import staff as staff_service

    member = _staff_change(staff_service.disable_staff, ctx, number=number, actor=who)
    click.echo(f"disabled {member.number} {member.name}")


@staff.command("reset-pin")
@click.argument("number")
@click.option("--pin-stdin", is_flag=True, help="Read the new PIN from standard input instead of prompting.")
@signed_in("staff reset-pin")
def staff_reset_pin(ctx, who, number, pin_stdin) -> None:
    """Give a member of staff a new PIN (read without echo): they choose their own at their next
    sign-in, and any wait after wrong PINs is lifted."""
    from counter_tui.services import staff as staff_service

    pin = _read_pin(pin_stdin, "New PIN")
    member = _staff_change(staff_service.reset_pin, ctx, number=number, pin=pin, actor=who)
    click.echo(f"PIN reset for {member.number} {member.name}: they choose their own at their next sign-in")
