"""`course-app jobs …`: queue the digests due at a time, run what is queued."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from huey.storage import MemoryStorage
from sqlalchemy import select

from course_app import create_app, mail
from course_app.clock import utcnow
from course_app.extensions import db
from course_app.jobs import queue, sending
from course_app.mail import Outgoing
from course_app.mail.models import MailboxMessage
from course_app.rendering import exact_time
from learner_journey import start


def test_send_due_then_run_pending(runner, factory, cohort, facilitator):
    ana = factory.learner_in(cohort, name="Ana", email="ana@example.org")
    ben = factory.learner_in(cohort, name="Ben", email="ben@example.org")
    start(cohort, ben, "introduce-yourself", title="Ben says hello")
    db.session.commit()
    queue.huey.flush()
    # Monday 08:05 in London: the weekly digests (the default) and the morning email are due.
    result = runner.invoke(args=["jobs", "send-due", "--at", "2026-11-30T08:05"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Queued 3 email jobs."  # Ana's, Ben's digest; the morning
    assert sorted(t.name for t in queue.huey.pending()) == [
        "send_digest", "send_digest", "send_morning"]
    result = runner.invoke(args=["jobs", "run-pending"])
    assert result.output.strip() == "Ran 3 jobs."
    sent = {m.to: m.subject for m in db.session.scalars(select(MailboxMessage))}
    assert sent[ana.email].startswith("Your weekly course digest")  # Ben's post is news to Ana
    assert sent[facilitator.email].startswith("What needs you today")
    assert ben.email not in sent  # nothing new for Ben: no digest
    result = runner.invoke(args=["jobs", "send-due", "--at", "2026-11-30T12:05"])
    assert result.output.strip() == "Queued 0 email jobs."


def test_send_due_at_writes_each_email_as_of_then(runner, factory, cohort, facilitator):
    """`--at` says "as if it were this time": the morning email for a day three weeks on
    lists who would be silent by then, not the queue as it stands today."""
    factory.learner_in(cohort, name="Quinn Quiet")
    db.session.commit()
    queue.huey.flush()
    later = utcnow() + timedelta(days=21)
    at = later.replace(hour=8, minute=5).strftime("%Y-%m-%dT%H:%M")
    assert runner.invoke(args=["jobs", "send-due", "--at", at, "--any-hour"]).exit_code == 0
    runner.invoke(args=["jobs", "run-pending"])
    [morning] = db.session.scalars(select(MailboxMessage).where(
        MailboxMessage.to == facilitator.email)).all()
    assert "Silent learners" in morning.text and "Quinn Quiet" in morning.text


def test_the_worker_command_is_there(runner):
    result = runner.invoke(args=["jobs", "worker", "--help"])
    assert result.exit_code == 0
    assert "Run jobs as they are queued" in result.output


def test_an_app_a_test_builds_queues_in_this_process_only(tmp_path):
    """The cause of a flaky `Ran 2 jobs`: an app built with a config of its own (the migration
    and backup tests) pointed the process's queue at instance/jobs.sqlite, which the other
    xdist worker shares (Redis at REDIS_URL would be shared too); that worker's test then ran or
    flushed a job this one queued. conftest makes every test app's queue this process's."""
    before = queue.huey.storage
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.sqlite'}",
                    "TESTING": True, "SECRET_KEY": "x"})
        assert isinstance(queue.huey.storage, MemoryStorage)
    finally:
        queue.huey.storage = before


def test_every_database_but_the_default_has_a_queue_of_its_own(tmp_path):
    """A second copy of the app (DATABASE_URL=sqlite:////tmp/try/app.sqlite, or PostgreSQL
    without Redis) must not share instance/jobs.sqlite: its jobs name rows of its own
    database. Each queue is in instance/, so a mistyped database folder can't stop the app."""
    instance = tmp_path / "instance"
    instance.mkdir()

    def where(uri: str) -> Path:
        return queue.queue_file({"SQLALCHEMY_DATABASE_URI": uri}, str(instance))

    assert where(f"sqlite:///{instance / 'course_app.sqlite'}") == instance / "jobs.sqlite"
    assert where("") == instance / "jobs.sqlite"
    others = {uri: where(uri) for uri in (
        f"sqlite:///{tmp_path / 'try' / 'app.sqlite'}", f"sqlite:///{tmp_path / 'app.sqlite'}",
        "postgresql+psycopg://postgres@127.0.0.1/course",
        "postgresql+psycopg://postgres@127.0.0.1/course_ci", "sqlite://", "not a url")}
    assert len(set(others.values())) == len(others)  # one queue each
    for path in others.values():
        assert path.parent == instance and path.name.startswith("jobs-"), path
    assert others["postgresql+psycopg://postgres@127.0.0.1/course"].name == (
        "jobs-postgresql-course.sqlite")
    # The same database however its address is written: the app and its worker agree.
    assert where("postgresql+psycopg://app:secret@localhost:5432/course") == where(
        "postgresql+psycopg://postgres@127.0.0.1/course")
    assert where(f"sqlite:///{tmp_path / 'try' / '..' / 'try' / 'app.sqlite'}") == where(
        f"sqlite:///{tmp_path / 'try' / 'app.sqlite'}")
    # The queue opens whatever folder DATABASE_URL names (it made --help fail when missing).
    missing = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/x.sqlite"}
    storage = queue.storage_for(missing, str(instance))
    assert Path(storage.filename).parent == instance


# ---- run-pending: what failed, and the retries whose time has come -------------------------

MESSAGE = Outgoing(to="ana@example.org", subject="Hello", text="Words.", key="test:run-pending")


def _queue_message() -> None:
    sending.send_after_commit(MESSAGE)
    db.session.commit()


def _make_the_retries_due() -> None:
    """As if the retries' time had come: each scheduled job, due a second ago."""
    for task in queue.huey.read_schedule(datetime(9999, 1, 1)):
        task.eta = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
        queue.huey.add_schedule(task)


def test_run_pending_says_what_failed_and_runs_the_retry_once_it_is_due(mailing_app,
                                                                        smtp_server):
    runner = mailing_app.test_cli_runner()
    queue.huey.flush()
    smtp_server.down()
    _queue_message()
    result = runner.invoke(args=["jobs", "run-pending"])
    assert result.exit_code == 0, result.output  # it will be tried again: not an error
    [retry] = queue.huey.scheduled()
    assert result.stdout.startswith("Ran 1 job; 1 failed:")
    assert f"will be tried again at {exact_time(retry.eta)}" in result.stderr
    assert "ConnectionRefusedError" in result.stderr
    waiting = runner.invoke(args=["jobs", "run-pending"])  # not due yet: says it waits
    assert waiting.stdout.startswith("Ran 0 jobs.")
    assert f"1 failed job waits to be tried again, the first at {exact_time(retry.eta)}" \
        in waiting.stdout
    smtp_server.up()
    _make_the_retries_due()
    result = runner.invoke(args=["jobs", "run-pending"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Ran 1 job."
    assert [r.rcpt_tos for r in smtp_server.received] == [["ana@example.org"]]
    assert queue.huey.scheduled() == [] and queue.pending_count() == 0


def test_run_pending_exits_1_when_a_job_failed_for_good(mailing_app, smtp_server, monkeypatch):
    def fault(_outgoing):
        raise KeyError("a bug")

    runner = mailing_app.test_cli_runner()
    queue.huey.flush()
    monkeypatch.setattr(mail, "deliver", fault)
    _queue_message()
    result = runner.invoke(args=["jobs", "run-pending"])
    assert result.exit_code == 1, result.output
    assert "deliver" in result.stderr and "will not be tried again" in result.stderr
    assert queue.huey.scheduled() == []


def test_run_pending_says_its_exit_codes(runner):
    words = " ".join(runner.invoke(args=["jobs", "run-pending", "--help"]).output.split())
    assert "Exit code 1 when a job failed and will not be tried again" in words


def test_any_hour_says_it_ignores_the_weekday_too(runner):
    """As `digests.due_digests` does: a weekly digest goes out whatever the day."""
    words = " ".join(runner.invoke(args=["jobs", "send-due", "--help"]).output.split())
    assert "whatever the hour and the weekday" in words
