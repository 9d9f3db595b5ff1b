"""A printer that does not answer, or a printing system that cannot be started, comes back as a
message for staff with the PDF kept, never as an exception (issue 17, item 14).

GIVEN a configured printer and a fake `lp` on PATH that hangs (or cannot be run), WHEN a record is
printed, THEN the service returns `Printed` saying what happened and where the PDF is, and the PDF
exists. The timeout is shrunk to 0.2 s so no test waits for the real 30 s.
"""

from __future__ import annotations

import dataclasses
import shutil
import time

import pytest

from counter_tui.services import printing
from tests.test_incident_report import ended_call, report_task


@pytest.fixture
def printing_ctx(ctx):
    return dataclasses.replace(ctx, settings=ctx.settings.model_copy(update={"printer": "counter-office"}))


def fake_lp(tmp_path, monkeypatch, script: str, *, mode: int = 0o755):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    lp = bin_dir / "lp"
    lp.write_text(script)
    lp.chmod(mode)
    monkeypatch.setenv("PATH", str(bin_dir))
    return lp


def test_the_timeout_is_a_named_constant_of_thirty_seconds():
    assert printing.PRINTER_TIMEOUT_S == 30


def test_a_printer_that_does_not_answer_says_so_and_keeps_the_pdf(printing_ctx, handler, tmp_path, monkeypatch):
    incident_id = report_task(printing_ctx, ended_call(printing_ctx, handler)).incident_id
    fake_lp(tmp_path, monkeypatch, f"#!/bin/sh\nexec {shutil.which('sleep')} 10\n")  # PATH holds only the fake
    monkeypatch.setattr(printing, "PRINTER_TIMEOUT_S", 0.2)
    started = time.monotonic()
    printed = printing.print_incident(printing_ctx, incident_id, form="case-note")
    assert time.monotonic() - started < 5, "waited for the fake printer instead of giving up"
    assert not printed.sent_to_printer
    assert "did not answer within 0.2 s" in printed.message and "counter-office" in printed.message
    assert str(printed.path) in printed.message
    assert printed.path.exists() and printed.path.read_bytes().startswith(b"%PDF")
    assert "\n" not in printed.message, "one line for staff"


def test_a_printer_that_refuses_still_says_why(printing_ctx, handler, tmp_path, monkeypatch):
    incident_id = report_task(printing_ctx, ended_call(printing_ctx, handler)).incident_id
    fake_lp(tmp_path, monkeypatch, "#!/bin/sh\necho 'lp: Unable to connect to server' >&2\nexit 1\n")
    monkeypatch.setattr(printing, "PRINTER_TIMEOUT_S", 0.2)
    printed = printing.print_incident(printing_ctx, incident_id, form="case-note")
    assert not printed.sent_to_printer and "Unable to connect" in printed.message
    assert str(printed.path) in printed.message and printed.path.exists()


def test_an_lp_that_cannot_be_started_says_so_and_keeps_the_pdf(printing_ctx, handler, tmp_path, monkeypatch):
    """`shutil.which` finds it, but running it fails (here: its interpreter does not exist)."""
    incident_id = report_task(printing_ctx, ended_call(printing_ctx, handler)).incident_id
    fake_lp(tmp_path, monkeypatch, "#!/nonexistent/interpreter\n")
    printed = printing.print_incident(printing_ctx, incident_id, form="case-note")
    assert not printed.sent_to_printer and "could not be started" in printed.message
    assert str(printed.path) in printed.message and printed.path.exists()
