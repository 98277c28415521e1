"""`course-app jobs …`: run the job queue's worker, or the queued jobs once."""

from contextlib import contextmanager
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import with_appcontext
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_EXECUTING, SIGNAL_RETRYING

from ..clock import utcnow
from ..rendering import exact_time, plural
from .common import Group, Moment, WholeNumber


@click.group("jobs", cls=Group, help="The background job queue (emails, digests).")
def jobs_group():
    pass


def _tasks():
    from ..jobs import queue, retention  # noqa: F401  (retention: the daily purge)
    from ..mailings import tasks  # noqa: F401  (registers the mailing jobs)

    return queue


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, type=WholeNumber(1, 32, "N"),
              help="Jobs run at once (threads).")
@with_appcontext
def worker_command(workers):
    """Run jobs as they are queued, and the periodic ones (digests every 15 minutes), until
    stopped (Ctrl-C or SIGTERM: running jobs finish first)."""
    queue = _tasks()
    queue.bind(current_app._get_current_object())
    where = current_app.config.get("JOBS_URL") or queue.queue_file(current_app.config,
                                                                   current_app.instance_path)
    click.echo(f"Jobs worker: {plural(workers, 'thread', 'threads')}, queue in {where}")
    # An idle worker looks at the queue at least every 2 s (huey's default backs off to 10).
    queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                               max_delay=2.0).run()


@dataclass
class _Outcome:
    """What became of one job this run: done, or failed (with why, when huey said), and
    when it will be tried again if it will."""

    name: str
    done: bool = False
    error: BaseException | None = None
    retrying: bool = False


@contextmanager
def _watching(huey):
    """The outcome of each job huey runs meanwhile, by task id (huey's signals)."""
    outcomes: dict[str, tuple[object, _Outcome]] = {}

    def note(signal, task, *args):
        if signal == SIGNAL_EXECUTING:  # (again, for a job retried within this run)
            outcomes[task.id] = (task, _Outcome(task.name))
            return
        _, outcome = outcomes.setdefault(task.id, (task, _Outcome(task.name)))
        if signal == SIGNAL_COMPLETE:
            outcome.done = True
        elif signal == SIGNAL_ERROR:
            outcome.error = args[0] if args else None
        elif signal == SIGNAL_RETRYING:
            outcome.retrying = True

    signals = (SIGNAL_EXECUTING, SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_RETRYING)
    huey.signal(*signals)(note)
    try:
        yield outcomes
    finally:
        huey.disconnect_signal(note, *signals)


def _why(error: BaseException | None) -> str:
    return f" ({type(error).__name__}: {error})" if error is not None else ""


@jobs_group.command("run-pending")
@with_appcontext
def run_pending_command():
    """Run the jobs waiting in the queue now, here, then stop: those queued, and the retries
    of failed ones whose time has come. Says which failed and whether each will be tried
    again (and when). Exit code 1 when a job failed and will not be tried again; 0 otherwise
    (a job to be tried again is the worker's, or the next run-pending's, once its time
    comes)."""
    queue = _tasks()
    huey = queue.huey
    for task in huey.read_schedule():  # the retries due now (huey's time: naive UTC)
        huey.enqueue(task)
    with _watching(huey) as outcomes:
        ran = queue.run_pending()
    failed = [(task, o) for task, o in outcomes.values() if not o.done]
    click.echo(f"Ran {plural(ran, 'job', 'jobs')}" + (f"; {len(failed)} failed:" if failed
                                                       else "."))
    for task, outcome in failed:
        if outcome.retrying and task.eta is not None:
            click.secho(f"  {outcome.name}{_why(outcome.error)}: will be tried again at "
                        f"{exact_time(task.eta)}.", fg="yellow", err=True)
        else:
            click.secho(f"  {outcome.name}{_why(outcome.error)}: will not be tried again "
                        "(the log says what went wrong).", fg="red", err=True)
    later = [t.eta for t in huey.scheduled() if t.eta is not None
             and t.id not in outcomes]
    if later:
        click.echo(f"{plural(len(later), 'failed job waits', 'failed jobs wait')} to be tried "
                   f"again, the first at {exact_time(min(later))}.")
    if any(not o.retrying for _, o in failed):
        raise SystemExit(1)


@jobs_group.command("send-due")
@click.option("--at", "at", type=Moment(), default=None,
              help="As if it were this time (ISO 8601, like 2026-11-30T08:05; UTC unless it "
                   "names its offset).")
@click.option("--any-hour", is_flag=True,
              help="Today's for everyone, whatever the hour and the weekday (make run: the "
                   "demo's day). Each person's email for a day still goes only once.")
@with_appcontext
def send_due_command(at, any_hour):
    """Queue the digests and morning emails due now (the worker does this every 15 minutes)."""
    from ..mailings.tasks import queue_due

    when = at or utcnow()
    click.echo(f"Queued {plural(queue_due(when, any_hour=any_hour), 'email job', 'email jobs')}.")
