"""`flask outbox deliver [--loop]`: send pending email once, or keep sending as a worker."""

import logging
import signal
import threading

import click
from flask.cli import AppGroup

from app.db import OUTAGE_ERRORS, forget_transaction
from app.outbox.delivery import deliver_pending, reschedule_deferred, seconds_until_next_due
from app.outbox.schedule import run_due_jobs, seconds_until_next_job

outbox = AppGroup("outbox", help="The email outbox.")
log = logging.getLogger("northlight.mail")


@outbox.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running: send new mail as it arrives.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="With --loop, the longest pause between looks at the outbox (seconds).",
)
@click.option(
    "--retry-now",
    is_flag=True,
    help="First make messages that are waiting to retry due now (after fixing an outage).",
)
def deliver_command(loop: bool, interval: float, retry_now: bool) -> None:
    """Send the outbox's due messages (held, if no MAIL_SERVER is set)."""
    if retry_now:
        click.echo(f"{reschedule_deferred()} waiting messages made due now.")
    if not loop:
        click.echo(f"Outbox: {deliver_pending()}.")
        return
    stopping = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def stop(signum, frame):
        # Finish the message in hand, then leave: nothing is half-recorded.
        stopping.set()

    for sig in previous:
        signal.signal(sig, stop)
    click.echo("Delivering the outbox until stopped (SIGTERM or Ctrl-C).")
    try:
        while not stopping.is_set():
            try:
                stopping.wait(deliver_and_run_jobs(interval, stopping))
            except OUTAGE_ERRORS as error:
                # The database is away (a restart, a failover): wait it out, as the web does.
                # A message claimed before it went keeps its lease and is retried after it.
                forget_transaction()
                detail = getattr(error, "orig", None) or error
                log.warning("database unavailable, retrying in %s s: %s", interval, detail)
                stopping.wait(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Stopped.")


def deliver_and_run_jobs(interval: float, stopping: threading.Event) -> float:
    """One pass of the worker; returns how long it may sleep before the next."""
    report = deliver_pending(stopping=stopping)
    if report.attempted or report.held:
        click.echo(f"Outbox: {report}.")
    for name in run_due_jobs():
        click.echo(f"Ran scheduled job {name}.")
    # After a lost connection wait the full interval; otherwise until the next is due.
    due = min(seconds_until_next_due(interval), seconds_until_next_job(interval))
    return interval if report.interrupted else due
