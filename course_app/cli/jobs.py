"""`course-app jobs …`: run the job queue's worker, or the queued jobs once."""

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..clock import utcnow
from ..rendering import plural


@click.group("jobs", help="The background job queue (emails, digests).")
def jobs_group():
    pass


def _tasks():
    from ..jobs import queue, retention  # noqa: F401  (retention: the daily purge)
    from ..mailings import tasks  # noqa: F401  (registers the mailing jobs)

    return queue


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
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


@jobs_group.command("run-pending")
@with_appcontext
def run_pending_command():
    """Run the jobs waiting in the queue now, here, then stop."""
    ran = _tasks().run_pending()
    click.echo(f"Ran {plural(ran, 'job', 'jobs')}.")


@jobs_group.command("send-due")
@click.option("--at", "at", default=None, help="As if it were this UTC time (ISO 8601).")
@click.option("--any-hour", is_flag=True,
              help="Today's for everyone, whatever the hour (make run: the demo's day). Each "
                   "person's email for a day still goes only once.")
@with_appcontext
def send_due_command(at, any_hour):
    """Queue the digests and morning emails due now (the worker does this every 15 minutes)."""
    from ..mailings.tasks import queue_due

    when = datetime.fromisoformat(at) if at else utcnow()
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    click.echo(f"Queued {plural(queue_due(when, any_hour=any_hour), 'email job', 'email jobs')}.")
