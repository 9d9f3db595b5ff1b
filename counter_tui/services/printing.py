"""Printing an incident's records as PDFs: the incident report form, the case note, ICO's
terminated call log, and its letters. Written to the configured folder (or a file named on the command line) and,
where a printer is configured, sent to it with `lp`. A missing printer says so and keeps the PDF.
The incident report form carries the event log's anchor at the time of printing (`audit.head`).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from counter_tui.services import audit, contacts, incident_report, letters, records
from counter_tui.services.context import Context
from counter_tui.services.errors import NotFound
from counter_tui.services.record_text import local_time
from counter_tui.store import queries

PRINTER_TIMEOUT_S = 30.0
"""How long `lp` may take to accept a job before staff are told the printer did not answer (the PDF is kept)."""

FORMS = ("incident", "case-note", "call-log", "letter")
"""What `counter print --form` accepts."""


@dataclass(frozen=True)
class Printed:
    path: Path
    sent_to_printer: bool
    message: str
    """One line for staff: where the PDF is, and whether it went to the printer."""


def printable(ctx: Context, incident_id: str, form: str):
    """The record to print, as a `printing.pdf.Printable`.

    Raises:
        NotFound: no such incident, or it has no record of this kind.
    """
    from counter_tui.printing.pdf import Printable

    incident = queries.incident(ctx.store.db, incident_id)
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    now = local_time(ctx, ctx.clock.now(), with_date=True)
    if form == "incident":
        if ctx.pack.incident_report is None:
            raise NotFound(f"The {ctx.pack.name} pack has no incident report form.")
        title = ctx.pack.form(ctx.pack.incident_report.form).title
        if incident.reported_at is None:
            title += " (DRAFT: not yet complete)"
        footer = "Sent to: " + ("; ".join(incident.distribution) if incident.distribution else "not sent yet")
        anchor = audit.head(ctx.store)
        return Printable(title=title, organisation=ctx.settings.organisation, reference=incident.id, printed_at=now,
                         fields=incident_report.completed(ctx, incident_id), footer_note=footer,
                         anchor=(anchor.seq, anchor.hash) if anchor else None)
    current_form = records.form_for(ctx, contacts.view(ctx, incident.contact_id))
    if form == "call-log" and current_form is not None and "call_log" not in current_form.id:
        raise NotFound(f"Incident {incident_id} has no terminated call log (its record is the {current_form.title.lower()}).")
    return contact_printable(ctx, incident.contact_id, reference=f"{incident.id} · {incident.contact_id}")


def contact_printable(ctx: Context, contact_id: str, *, reference: str = ""):
    """The record a contact's flow required (case note, call log, welfare record) as a Printable;
    a record the member of staff signed says so at the foot.

    Raises:
        NotFound: the contact has no record.
    """
    from counter_tui.printing.pdf import Printable

    current = contacts.view(ctx, contact_id)
    form = records.form_for(ctx, current)
    if form is None or current.contact.status != "finished":
        raise NotFound(f"Contact {contact_id} has no finished record to print.")
    footer = ""
    if (signed := queries.signature(ctx.store.db, contact_id)) is not None:
        verdict = "signed as agreed" if signed["agreed"] else f"not agreed: {signed['comment']}"
        footer = f"Read by staff number {signed['staff_number']} on {local_time(ctx, signed['at'], with_date=True)}: {verdict}"
    return Printable(title=form.title, organisation=ctx.settings.organisation, reference=reference or contact_id,
                     printed_at=local_time(ctx, ctx.clock.now(), with_date=True),
                     fields=records.finished_record(ctx, contact_id), footer_note=footer)


def print_incident(ctx: Context, incident_id: str, *, form: str = "incident", out: Path | None = None) -> Printed:
    """Write the incident's record as a PDF (to `out`, or the print folder) and send it to the
    configured printer, if any. `letter` prints the incident's newest letter."""
    if form == "letter":
        if queries.incident(ctx.store.db, incident_id) is None:
            raise NotFound(f"No incident {incident_id}.")
        found = letters.letters_for_incident(ctx, incident_id)
        if not found:
            raise NotFound(f"Incident {incident_id} has no letter.")
        return print_letter(ctx, found[-1].id, out=out)
    return _print(ctx, printable(ctx, incident_id, form), out or _folder(ctx) / f"{incident_id}-{form}.pdf")


def print_letter(ctx: Context, letter_id: str, *, out: Path | None = None) -> Printed:
    """Write a letter as a PDF (signed off, or marked DRAFT) and send it to the printer, if any."""
    from counter_tui.printing.letter import write_letter
    from counter_tui.store import letters as letter_store

    letter = letter_store.letter(ctx.store.db, letter_id)
    if letter is None:
        raise NotFound(f"No letter {letter_id}.")
    path = out or _folder(ctx) / f"{letter_id}-letter.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_letter(letters.printable(ctx, letter), path)
    return _send_to_printer(ctx, path)


def print_contact(ctx: Context, contact_id: str, *, out: Path | None = None) -> Printed:
    """Write a finished contact's own record (a welfare record, a call-back note) as a PDF and print it."""
    return _print(ctx, contact_printable(ctx, contact_id), out or _folder(ctx) / f"{contact_id}-record.pdf")


def _folder(ctx: Context) -> Path:
    return Path(ctx.settings.print_folder) if ctx.settings.print_folder else ctx.store.path.parent / "prints"


def _print(ctx: Context, document, path: Path) -> Printed:
    from counter_tui.printing.pdf import write

    path.parent.mkdir(parents=True, exist_ok=True)
    write(document, path)
    return _send_to_printer(ctx, path)


def _send_to_printer(ctx: Context, path: Path) -> Printed:
    printer = ctx.settings.printer
    if not printer:
        return Printed(path, False, f"PDF written: {path}")
    if shutil.which("lp") is None:
        return Printed(path, False, f"No printing system here (lp is missing); the PDF is kept: {path}")
    try:
        result = subprocess.run(["lp", "-d", printer, "--", str(path)], capture_output=True, text=True,
                                timeout=PRINTER_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return Printed(path, False, f"The printer {printer!r} did not answer within {PRINTER_TIMEOUT_S:g} s; "
                                    f"the PDF is kept: {path}")
    except OSError as problem:  # lp found but could not be run (removed since, not runnable, a bad interpreter)
        return Printed(path, False, f"The printing system could not be started ({problem.strerror or problem}); "
                                    f"the PDF is kept: {path}")
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()[:1]
        return Printed(path, False, f"The printer {printer!r} refused it ({reason[0] if reason else 'no reason given'}); the PDF is kept: {path}")
    return Printed(path, True, f"Sent to {printer}; the PDF is kept: {path}")
