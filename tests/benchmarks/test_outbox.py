"""The outbox: what Counter's own bookkeeping adds to sending an e-mail, against bare smtplib, both to
the same real SMTP server on loopback (aiosmtpd) in this process, timed alternately.

- bare: a plain `EmailMessage` with the same text and PDF, flattened and handed to
  `smtplib.SMTP(...).sendmail()`, one connection per message: what any sender must do.
- outbox: `outbox.send_one()` of a queued message: the claim (a durable write with its event), the
  message built and checked, the same delivery, and the durable "sent" event.

Also the sign-off itself (`letter_sign_off.approve`: the letter's PDF rendered once, the copies queued,
the follow-up tasks created, all in one transaction) against rendering that PDF alone.

Prints medians and ratios; asserts only that every message arrived, never a time. Run:
    python -m pytest tests/benchmarks/test_outbox.py -q -s -p no:cacheprovider -o addopts=""
    python tests/benchmarks/test_outbox.py [RUNS]
"""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
import os
import smtplib
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from counter_tui.clock import FixedClock  # noqa: E402
from counter_tui.services import letter_sign_off, letters, outbox  # noqa: E402
from counter_tui.store import letters as letter_store  # noqa: E402
from tests.letters_helpers import ADE, GRACE, ended_interview, letter_context, letter_settings  # noqa: E402
from tests.smtp_sink import SmtpSink  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def _median(values: list[float]) -> float:
    return statistics.median(values) * 1000


def run(runs: int = RUNS) -> dict[str, float]:
    with SmtpSink() as sink, tempfile.TemporaryDirectory() as folder:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 10}
        ctx = letter_context(Path(folder) / "bench.db",
                             FixedClock(datetime(2026, 11, 25, 9, tzinfo=UTC), tick=timedelta(seconds=1)),
                             letter_settings(smtp=smtp))
        approve, render, bare, sent = [], [], [], []
        for n in range(runs):
            view = letters.view(ctx, ADE, ended_interview(ctx, reference=f"PEX {n:04d} 0000"))
            letters.submit(ctx, ADE, view.letter.id, view.values, version=view.letter.version)
            letter = letter_store.letter(ctx.store.db, view.letter.id)
            started = time.perf_counter()
            letters.letter_pdf(ctx, letter)
            render.append(time.perf_counter() - started)
            started = time.perf_counter()
            letter_sign_off.approve(ctx, GRACE, letter.id, version=letter.version)
            approve.append(time.perf_counter() - started)
            for message in outbox.messages(ctx, letter_id=letter.id):
                name, data = letter_store.attachment(ctx.store.db, message.id)
                started = time.perf_counter()
                plain = EmailMessage()
                plain["From"], plain["To"], plain["Subject"] = "counter@example.org", message.recipients[0], message.subject
                plain.set_content(message.body)
                plain.add_attachment(data, maintype="application", subtype="pdf", filename=name)
                with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
                    client.sendmail("counter@example.org", message.recipients, plain.as_bytes(policy=email.policy.SMTP))
                bare.append(time.perf_counter() - started)
                started = time.perf_counter()
                result = outbox.send_one(ctx, message.id)
                sent.append(time.perf_counter() - started)
                assert result is not None and result.status == "sent", result
        sink.wait_for(4 * runs)
    figures = {
        "bare build and send": _median(bare), "outbox send_one": _median(sent),
        "letter PDF alone": _median(render), "letter_sign_off.approve": _median(approve),
    }
    print(f"\noutbox, {runs} letters, 2 copies each, loopback aiosmtpd (median ms)")
    print(f"  bare build and send{figures['bare build and send']:8.2f}")
    print(f"  outbox send_one     {figures['outbox send_one']:8.2f}   {figures['outbox send_one'] / figures['bare build and send']:.2f}x")
    print(f"  letter PDF alone    {figures['letter PDF alone']:8.2f}")
    print(f"  approve             {figures['letter_sign_off.approve']:8.2f}   {figures['letter_sign_off.approve'] / figures['letter PDF alone']:.2f}x")
    return figures


def test_outbox_against_bare_smtplib():
    figures = run()
    assert all(value > 0 for value in figures.values())


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
