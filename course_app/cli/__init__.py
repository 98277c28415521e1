"""The `flask --app course_app …` commands (also `course-app …` and `python -m course_app …`,
both from __main__.py): parse, call a service, print.

Exit codes: 0 done, 1 the input was wrong (nothing was changed), 2 a usage error.
"""

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from ..clock import utcnow
from ..extensions import db
from ..inputs import DB_INT_MAX, date_problem
from ..rendering import plural
from ..text import control_problem


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


class PlainText(click.ParamType):
    """Text for the database: refused (a usage error, exit 2) when it holds a control
    character, as every form refuses it (text.control_problem)."""

    name = "text"

    def convert(self, value, param, ctx):
        problem = control_problem(value) if isinstance(value, str) else None
        if problem:
            self.fail(f"{value!r} {problem}.", param, ctx)
        return value


class Day(click.ParamType):
    """A date as YYYY-MM-DD, within inputs.EARLIEST_DATE..LATEST_DATE."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a date like 2027-01-04.", param, ctx)
        problem = date_problem(day)
        if problem:
            self.fail(problem, param, ctx)
        return day


TEXT = PlainText()
ID = click.IntRange(1, DB_INT_MAX)  # an id the database can hold


# ---- user -------------------------------------------------------------------

@click.group("user", help="Manage accounts.")
def user_group():
    pass


@user_group.command("create")
@click.option("--email", required=True, type=TEXT)
@click.option("--name", required=True, type=TEXT)
@click.option("--role", type=click.Choice(["learner", "facilitator", "admin"]), default="learner",
              show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
@with_appcontext
def user_create(email, name, role, password):
    """Create an account."""
    from ..auth.models import Role
    from ..auth.services import AccountError, create_user

    try:
        user = create_user(email, name, password, at=utcnow(), role=Role(role))
    except AccountError as e:
        _fail(f"{e.field or 'error'}: {e}")
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.name} <{user.email}> (id {user.id}).")


def _account(email: str):
    from ..auth.services import find_by_email

    user = find_by_email(email)
    if user is None:
        _fail(f"No account has the email {email!r}.")
    return user


@user_group.command("disable")
@click.argument("email", type=TEXT)
@with_appcontext
def user_disable(email):
    """Turn an account off: it is logged out everywhere at its next request, can't log in,
    and its API tokens are revoked. Its posts stay."""
    from ..auth.services import disable
    from ..security_log import record

    user = _account(email)
    revoked = disable(user, utcnow())
    db.session.commit()
    record("account.disabled", user=user, via="cli", tokens_revoked=revoked)
    click.echo(f"Disabled {user.name} <{user.email}>: logged out everywhere, "
               f"{plural(revoked, 'API token', 'API tokens')} revoked. `user enable` turns the "
               "account back on.")


@user_group.command("enable")
@click.argument("email", type=TEXT)
@with_appcontext
def user_enable(email):
    """Turn a disabled account back on (its old logins and tokens stay ended)."""
    from ..auth.services import AccountError, enable
    from ..security_log import record

    user = _account(email)
    try:
        enable(user)
    except AccountError as e:
        _fail(str(e))
    db.session.commit()
    record("account.enabled", user=user, via="cli")
    click.echo(f"Enabled {user.name} <{user.email}>: they can log in again.")


# ---- cohort -----------------------------------------------------------------

@click.group("cohort", help="Open cohorts: one run of a course.")
def cohort_group():
    pass


@cohort_group.command("create")
@click.option("--course", "course_slug", required=True, type=TEXT, help="The course's slug.")
@click.option("--name", required=True, type=TEXT)
@click.option("--facilitator", required=True, type=TEXT, help="The facilitator's email.")
@click.option("--starts", type=Day(), help="YYYY-MM-DD")
@click.option("--paced", is_flag=True, help="Release each stage on a date (from --starts).")
@click.option("--capacity", type=click.IntRange(1, 10_000))
@with_appcontext
def cohort_create(course_slug, name, facilitator, starts, paced, capacity):
    """Open a cohort; prints its id and enrolment key."""
    from ..auth.services import find_by_email
    from ..courses.services import get_course
    from ..facilitate.cohort_admin import open_cohort
    from ..facilitate.errors import FacilitateError

    course = get_course(course_slug)
    if course is None:
        _fail(f"No course {course_slug!r}. Import it first: course import modules/{course_slug}")
    user = find_by_email(facilitator)
    if user is None:
        _fail(f"No account for {facilitator}. Create it: user create --role facilitator …")
    if not user.is_staff:
        _fail(f"{facilitator} is a learner. Only facilitators and admins can run a cohort.")
    starts_on: date | None = starts
    try:
        cohort = open_cohort(course, name, user, utcnow(), starts_on=starts_on, paced=paced,
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
@click.option("--as", "actor_email", required=True, metavar="EMAIL", type=TEXT,
              help="Who does it (for the audit log): a facilitator of the cohort or an admin.")
@with_appcontext
def cohort_state(cohort_id, state, actor_email):
    """Move a cohort to another state: open, running, closed or archived."""
    from ..auth.services import find_by_email
    from ..cohorts.models import Cohort, CohortState, MemberRole
    from ..cohorts.services import membership_of
    from ..facilitate.cohort_admin import STATE_WORDS, TRANSITIONS, change_state
    from ..facilitate.errors import FacilitateError

    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        _fail(f"No cohort {cohort_id}.")
    actor = find_by_email(actor_email)
    if actor is None:
        _fail(f"No account for {actor_email}.")
    membership = membership_of(cohort.id, actor.id)
    if not actor.is_admin and not (membership is not None and membership.active
                                   and membership.role == MemberRole.FACILITATOR):
        _fail(f"{actor_email} doesn't facilitate cohort {cohort.id}; use one of its "
              "facilitators or an admin.")
    to, before = CohortState(state), cohort.state
    try:
        change_state(cohort, to, actor, utcnow())
    except FacilitateError as e:
        db.session.rollback()
        allowed = ", ".join(s.value for s in TRANSITIONS[before])
        _fail(f"{e} From {before.value} it can become: {allowed}. Nothing was changed.")
    db.session.commit()
    click.echo(f"Cohort {cohort.id} {cohort.name!r}: {STATE_WORDS[before]} → {STATE_WORDS[to]}.")


# ---- demo -------------------------------------------------------------------

@click.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Only when the database has no cohorts of its own (used by make run).")
@with_appcontext
def demo_command(if_empty):
    """Load the demo cohort (once; running it again changes nothing)."""
    from ..cohorts.models import Cohort
    from ..courses.services import get_course
    from ..demo import DEMO_COHORT, load_demo

    if if_empty and db.session.scalar(db.select(Cohort.id).where(Cohort.name != DEMO_COHORT)):
        click.echo("The database has cohorts of its own: demo data not loaded.")
        return

    course = get_course(current_app.config["DEFAULT_COURSE"])
    if course is None:
        _fail("Import the default course first: "
              f"course import modules/{current_app.config['DEFAULT_COURSE']}")
    with click.progressbar(length=len(course.active_etivities), label="Loading demo",
                           file=sys.stderr) as bar:
        result = load_demo(course, progress=lambda _: bar.update(1))
    db.session.commit()
    cohort = result["cohort"]
    click.echo(f"Demo cohort {cohort.id} {cohort.name!r}, enrolment key {cohort.enrolment_key}")
    click.echo(f"Demo logins (password for all: {result['password']}):")
    for person in result["people"]:
        stage = result["stages"].get(person.email)
        where = f", now in stage {stage}" if stage else ""
        click.echo(f"  {person.label:<12} {person.email}{where}")


# ---- report -----------------------------------------------------------------

@click.command("report")
@click.argument("cohort_id", type=ID)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="json",
              show_default=True, help="CSV: one row per learner and e-tivity. JSON: as the API.")
@with_appcontext
def report_command(cohort_id, fmt):
    """Print a cohort's progress report on stdout (the same figures as the dashboard)."""
    import json

    from ..cohorts.models import Cohort
    from ..reports import exports, queries

    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        _fail(f"No cohort {cohort_id}. `cohort create` and `demo` print the ids of the "
              "cohorts they make.")
    from ..security_log import record

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

