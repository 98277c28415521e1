"""The `flask --app course_app …` commands (also `course-app …` and `python -m course_app …`,
both from __main__.py): parse, call a service, print.

Exit codes: 0 done, 1 the input was wrong (nothing was changed) or the database can't be
used now (common.database_trouble), 2 a usage error (common.py's types). `jobs run-pending`:
1 when a job failed and will not be tried again.
"""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..clock import utcnow
from ..extensions import db
from ..rendering import plural
from .common import (
    ACCOUNT,
    EMAIL,
    ID,
    TEXT,
    Command,
    Day,
    Group,
    WholeNumber,
    _fail,
    account_or_fail,
    cohort_or_fail,
    course_or_fail,
)

# ---- user -------------------------------------------------------------------

@click.group("user", cls=Group, help="Manage accounts.")
def user_group():
    pass


@user_group.command("create")
@click.option("--email", required=True, type=EMAIL)
@click.option("--name", required=True, type=TEXT)
@click.option("--role", type=click.Choice(["learner", "facilitator", "admin"]), default="learner",
              show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
@with_appcontext
def user_create(email, name, role, password):
    """Create an account."""
    from ..auth.models import Role
    from ..auth.services import ACCOUNT_EXISTS, AccountError, create_user

    try:
        user = create_user(email, name, password, at=utcnow(), role=Role(role))
    except AccountError as e:
        if str(e) == ACCOUNT_EXISTS:  # the web's words offer a login; here, only the fact
            _fail(f"An account with that email exists: {email}.")
        _fail(f"{e.field or 'error'}: {e}")
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.name} <{user.email}> (id {user.id}).")


@user_group.command("disable")
@click.argument("email", type=ACCOUNT)
@with_appcontext
def user_disable(email):
    """Turn an account off: it is logged out everywhere at its next request, can't log in,
    and its API tokens are revoked. Its posts stay."""
    from ..auth.services import disable
    from ..security_log import record

    user = account_or_fail(email)
    if not user.is_active:
        click.echo(f"{user.name} <{user.email}> is already disabled: nothing changed.")
        return
    revoked = disable(user, utcnow())
    db.session.commit()
    record("account.disabled", user=user, via="cli", tokens_revoked=revoked)
    click.echo(f"Disabled {user.name} <{user.email}>: logged out everywhere, "
               f"{plural(revoked, 'API token', 'API tokens')} revoked. `user enable` turns the "
               "account back on.")


@user_group.command("enable")
@click.argument("email", type=ACCOUNT)
@with_appcontext
def user_enable(email):
    """Turn a disabled account back on (its old logins and tokens stay ended)."""
    from ..auth.services import AccountError, enable
    from ..security_log import record

    user = account_or_fail(email)
    if user.is_active:
        click.echo(f"{user.name} <{user.email}> is already enabled: nothing changed.")
        return
    try:
        enable(user)
    except AccountError as e:
        _fail(str(e))
    db.session.commit()
    record("account.enabled", user=user, via="cli")
    click.echo(f"Enabled {user.name} <{user.email}>: they can log in again.")


# ---- cohort -----------------------------------------------------------------

@click.group("cohort", cls=Group, help="Open cohorts: one run of a course.")
def cohort_group():
    pass


@cohort_group.command("create")
@click.option("--course", "course_slug", required=True, type=TEXT, help="The course's slug.")
@click.option("--name", required=True, type=TEXT)
@click.option("--facilitator", required=True, type=ACCOUNT, help="The facilitator's email.")
@click.option("--starts", type=Day(), help="The day it starts; a paced cohort opens stage 1 "
              "then (without it: today).")
@click.option("--paced", is_flag=True, help="Release each stage on a date (from --starts).")
@click.option("--capacity", type=WholeNumber(1, 10_000, "N"))
@with_appcontext
def cohort_create(course_slug, name, facilitator, starts, paced, capacity):
    """Open a cohort; prints its id and enrolment key."""
    from ..facilitate.cohort_admin import open_cohort
    from ..facilitate.errors import FacilitateError

    course = course_or_fail(course_slug)
    user = account_or_fail(facilitator, acting="run a cohort")
    if not user.is_staff:
        _fail(f"{facilitator} is a learner. Only facilitators and admins can run a cohort.")
    try:
        cohort = open_cohort(course, name, user, utcnow(), starts_on=starts, paced=paced,
                             capacity=capacity)
    except FacilitateError as e:
        db.session.rollback()
        _fail(str(e))
    db.session.commit()
    click.echo(f"Created cohort {cohort.id} {cohort.name!r} of {course.slug}.")
    click.echo(f"cohort id: {cohort.id}")
    click.echo(f"enrolment key: {cohort.enrolment_key}")
    if paced:
        for release in cohort.releases:
            click.echo(f"  stage {release.stage_number} opens {release.opens_on.isoformat()}")


@cohort_group.command("state")
@click.argument("cohort_id", type=ID)
@click.argument("state", type=click.Choice(["open", "running", "closed", "archived"]))
@click.option("--as", "actor_email", required=True, metavar="EMAIL", type=ACCOUNT,
              help="Who does it (for the audit log): a facilitator of the cohort or an admin.")
@with_appcontext
def cohort_state(cohort_id, state, actor_email):
    """Move a cohort to another state: open, running, closed or archived."""
    from ..cohorts.models import CohortState, MemberRole
    from ..cohorts.services import membership_of
    from ..facilitate.cohort_admin import STATE_WORDS, TRANSITIONS, change_state
    from ..facilitate.errors import FacilitateError

    cohort = cohort_or_fail(cohort_id)
    actor = account_or_fail(actor_email, acting="change a cohort")
    membership = membership_of(cohort.id, actor.id)
    if not actor.is_admin and not (membership is not None and membership.active
                                   and membership.role == MemberRole.FACILITATOR):
        _fail(f"{actor_email} doesn't facilitate cohort {cohort.id}; use one of its "
              "facilitators or an admin.")
    to, before = CohortState(state), cohort.state
    if to == before:
        click.echo(f"Cohort {cohort.id} {cohort.name!r} is {STATE_WORDS[to]} already: "
                   "nothing changed.")
        return
    try:
        change_state(cohort, to, actor, utcnow())
    except FacilitateError as e:
        db.session.rollback()
        allowed = ", ".join(s.value for s in TRANSITIONS[before])
        _fail(f"{e} From {before.value} it can become: {allowed}. Nothing was changed.")
    db.session.commit()
    click.echo(f"Cohort {cohort.id} {cohort.name!r}: {STATE_WORDS[before]} → {STATE_WORDS[to]}.")


# ---- demo -------------------------------------------------------------------

@click.command("demo", cls=Command)
@click.option("--if-empty", is_flag=True,
              help="Only when the database has no cohorts but the demo's (used by make run).")
@with_appcontext
def demo_command(if_empty):
    """Load the demo cohort (once; running it again changes nothing)."""
    from ..demo import demo_loaded, has_cohorts_of_its_own, load_demo

    if if_empty and has_cohorts_of_its_own():
        click.echo("The database has cohorts of its own: demo data not loaded.")
        return
    slug = current_app.config["DEFAULT_COURSE"]
    course = course_or_fail(slug)
    already = demo_loaded(course)
    with click.progressbar(length=len(course.active_etivities), label="Loading demo",
                           file=sys.stderr) as bar:
        result = load_demo(course, progress=lambda _: bar.update(1))
    db.session.commit()
    if already:
        click.echo("The demo is already loaded.")
    cohort = result["cohort"]
    click.echo(f"Demo cohort {cohort.id} {cohort.name!r}, enrolment key {cohort.enrolment_key}")
    click.echo(f"Demo logins (password for all: {result['password']}):")
    for person in result["people"]:
        stage = result["stages"].get(person.email)
        where = f", now in stage {stage}" if stage else ""
        click.echo(f"  {person.label:<12} {person.email}{where}")


# ---- report -----------------------------------------------------------------

@click.command("report", cls=Command)
@click.argument("cohort_id", type=ID)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="json",
              show_default=True, help="CSV: one row per learner and e-tivity. JSON: as the API.")
@with_appcontext
def report_command(cohort_id, fmt):
    """Print a cohort's progress report on stdout (the same figures as the dashboard)."""
    import json

    from ..reports import exports, queries
    from ..security_log import record

    cohort = cohort_or_fail(cohort_id)
    record("export", cohort_id=cohort.id, format=fmt, via="cli")
    board = queries.dashboard(cohort, utcnow())
    if fmt == "csv":
        # As bytes: UTF-8 and the CSV's own CRLF line ends, whatever the terminal's settings.
        click.echo(exports.as_csv(board).encode("utf-8"), nl=False)
    else:
        click.echo(json.dumps(exports.as_json(board), indent=2))


def register(app) -> None:
    from .courses import course_group
    from .jobs import jobs_group
    from .maintenance import (
        backup_command,
        progress_group,
        purge_withdrawn_command,
        restore_command,
    )

    for command in (course_group, user_group, cohort_group, demo_command, report_command,
                    backup_command, restore_command, purge_withdrawn_command,
                    progress_group, jobs_group):
        app.cli.add_command(command)

