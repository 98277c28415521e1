"""Commands that look after the data: backups, restores, purging withdrawn text, and
rebuilding the counts the pages read."""

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..clock import utcnow
from ..extensions import db
from ..rendering import plural
from .common import ID, Command, Group, PlainPath, WholeNumber, _fail, cohort_or_fail

# ---- backup, restore, purge-withdrawn -------------------------------------------

@click.command("backup", cls=Command)
@click.argument("path", type=PlainPath(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path, yes):
    """Copy the SQLite database to PATH while the app runs: a consistent snapshot that
    includes the write-ahead log. (PostgreSQL: pg_dump; the message says how.)"""
    from ..backup import BackupError, backup
    from ..security_log import record

    try:
        summary = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path, replace=yes)
    except BackupError as e:
        _fail(str(e))
    record("backup", via="cli", file=str(path))
    click.echo(f"Backed up to {path}: {summary.describe()}.")


@click.command("restore", cls=Command)
@click.argument("path", type=PlainPath(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the data the database holds now.")
@with_appcontext
def restore_command(path, yes):
    """Put a backup made by `backup` in place of the database's data. Refuses a file that
    isn't a course_app database at this version's migration, and asks for --yes before
    replacing data. Stop the app first, or expect it to see the restored data at once."""
    from ..backup import BackupError, migration_heads, restore
    from ..security_log import record

    heads = migration_heads(current_app.extensions["migrate"].directory)
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds the old data open
    try:
        summary = restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path, heads,
                          replace=yes)
    except BackupError as e:
        _fail(str(e))
    record("restore", via="cli", file=str(path))
    click.echo(f"Restored {path}: {summary.describe()}.")


@click.command("purge-withdrawn", cls=Command)
@click.option("--days", type=WholeNumber(0, 36_500, "DAYS"), default=None,
              help="Keep withdrawn posts' text this many days (default WITHDRAWN_POST_DAYS, 30).")
@with_appcontext
def purge_withdrawn_command(days):
    """Blank the text of posts withdrawn more than WITHDRAWN_POST_DAYS days ago, with their
    earlier versions and quotes. Safe to run again (daily, from cron)."""
    from ..discussions.retention import purge_withdrawn

    keep = current_app.config["WITHDRAWN_POST_DAYS"] if days is None else days
    blanked, revisions = purge_withdrawn(utcnow(), keep)
    db.session.commit()
    versions = plural(revisions, "earlier version", "earlier versions")
    click.echo(f"Blanked {plural(blanked, 'post', 'posts')} withdrawn more than "
               f"{plural(keep, 'day', 'days')} ago ({versions} removed).")


# ---- progress ---------------------------------------------------------------

@click.group("progress", cls=Group, help="Progress records: the counts pages read.")
def progress_group():
    pass


@progress_group.command("rebuild-counts")
@click.option("--cohort", "cohort_id", type=ID, help="Only this cohort (default: all).")
@with_appcontext
def progress_rebuild_counts(cohort_id):
    """Count again what pages read instead of the activity log, posts and reads: activity
    per learner and e-tivity and per week, who replied to whom, reads per thread. The app
    keeps them as it goes; this is for after loading data by hand. One transaction a cohort."""
    from ..cohorts.models import Cohort
    from ..discussions import counts as discussion_counts
    from ..progress import counts as progress_counts

    if cohort_id is not None:
        ids = [cohort_or_fail(cohort_id).id]
    else:
        ids = list(db.session.scalars(db.select(Cohort.id).order_by(Cohort.id)))
    with click.progressbar(ids, label="Counting", file=sys.stderr) as bar:
        for cohort in bar:
            progress_counts.rebuild_cohort(cohort)
            discussion_counts.rebuild_cohort(cohort)
            db.session.commit()
    click.echo(f"Counts rebuilt for {plural(len(ids), 'cohort', 'cohorts')}.")
