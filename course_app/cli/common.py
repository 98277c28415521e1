"""What every command shares: failing with a message (exit 1), the types that refuse bad
arguments as usage errors (exit 2), the lookups of a cohort, an account or a course by what
was typed, and the database's trouble in plain words (`Command`, `Group`)."""

import re
import sys
from contextlib import suppress
from datetime import UTC, date, datetime

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..database import is_busy
from ..extensions import db
from ..inputs import DB_INT_MAX, date_problem
from ..text import control_problem, is_blank, one_line

NO_TABLES = "The database has no tables yet: run `flask --app course_app db upgrade` first."
BEHIND = ("The database is older than this version of course_app: run "
          "`flask --app course_app db upgrade` first.")
BUSY = "The database is busy (another program is writing); try again in a moment."
# PostgreSQL's undefined_table and undefined_column; SQLite says it in words.
MISSING = {"42P01": NO_TABLES, "42703": BEHIND}
SQLITE_MISSING = {"no such table": NO_TABLES, "no such column": BEHIND}


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


# ---- the database in trouble ------------------------------------------------------

def database_trouble(error: OperationalError | ProgrammingError) -> str | None:
    """What to tell the person at the terminal when the database refused a command, or None
    when it is a fault in the code (its traceback is worth more then). Busy: the rule the web
    answers 503 by (`database.is_busy`)."""
    if is_busy(error):
        return BUSY
    said = str(error.orig).strip()
    missing = MISSING.get(getattr(error.orig, "sqlstate", None) or "") or next(
        (message for words, message in SQLITE_MISSING.items() if words in said.lower()), None)
    if missing:
        return missing
    if isinstance(error, OperationalError):  # can't connect, can't open the file...
        return f"The database can't be used just now{f': {said.splitlines()[0]}' if said else ''}."
    return None


class _SaysDatabaseTrouble:
    """A command (or a group, for all of its commands) that answers a database that is not
    ready or is busy with `database_trouble`'s words and exit 1, never SQLAlchemy's
    traceback. Every command of the app is one (a test checks)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            message = database_trouble(error)
            if message is None:
                raise
            with suppress(Exception):  # the connection may be gone: the words matter
                db.session.rollback()
            _fail(message)


class Command(_SaysDatabaseTrouble, click.Command):
    pass


class Group(_SaysDatabaseTrouble, click.Group):
    pass


# ---- argument types: a bad value is a usage error (exit 2) ----------------------------

class PlainText(click.ParamType):
    """Text for the database: refused (a usage error, exit 2) when it holds a control
    character, as every form refuses it (text.control_problem)."""

    name = "text"

    def convert(self, value, param, ctx):
        problem = control_problem(value) if isinstance(value, str) else None
        if problem:
            self.fail(f"{value!r} {problem}.", param, ctx)
        return value


class EmailAddress(PlainText):
    """An email address, by the one check of its shape (`auth.services.email_address`, as
    the forms use), refused in its words: before any password is asked for."""

    name = "email"

    def convert(self, value, param, ctx):
        from ..auth.services import ENTER_AN_EMAIL, email_address

        value = super().convert(value, param, ctx)
        if email_address(value.strip()) is None:
            self.fail(f"{value!r}: {ENTER_AN_EMAIL}", param, ctx)
        return value.strip()


# What privacy.deletion.anonymise gives a deleted account: no address by shape, but it names
# the account, so `user enable` can say why it stays off.
DELETED_ACCOUNT = re.compile(r"deleted-[0-9]+@deleted\.invalid")


class AccountEmail(EmailAddress):
    """The email of an account to look up (`user disable`, `cohort create --facilitator`):
    what isn't an address is a usage error (exit 2), as `user create --email` says; an
    address nobody has is `account_or_fail`'s exit 1."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and DELETED_ACCOUNT.fullmatch(value.strip().lower()):
            return value.strip()
        return super().convert(value, param, ctx)


class Title(PlainText):
    """A name or a title: on one line (`text.one_line`), and refused when nothing in it would
    be seen (`text.is_blank`), as the forms refuse it."""

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        if is_blank(value):
            self.fail(f"{value!r} has nothing in it that would be seen; type some words.",
                      param, ctx)
        return one_line(value)


class PlainPath(click.Path):
    """A file or folder named on the command line: refused (exit 2) when its name holds a
    control character, as text is (`PlainText`), so no file is made with an escape in its
    name and none is echoed back to the terminal."""

    def convert(self, value, param, ctx):
        problem = control_problem(value) if isinstance(value, str) else None
        if problem:
            self.fail(f"{value!r} {problem}.", param, ctx)
        return super().convert(value, param, ctx)


class WholeNumber(click.IntRange):
    """A whole number from `min` to `max`, named in the help by `name` ("ID", "DAYS")."""

    def __init__(self, min: int, max: int, name: str = "number"):
        super().__init__(min, max)
        self.name = name

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            try:
                int(value)
            except ValueError:
                self.fail(f"{value!r} is not a whole number.", param, ctx)
        return super().convert(value, param, ctx)


class _OnTheCalendar(click.ParamType):
    """A value read by `kind.fromisoformat`, on a day within inputs.EARLIEST_DATE..
    LATEST_DATE (`date_problem`); `example` says what was expected."""

    kind: type[date] = date
    example = ""

    def convert(self, value, param, ctx):
        if isinstance(value, self.kind):
            return value
        try:
            read = self.settled(self.kind.fromisoformat(value))
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not {self.example}.", param, ctx)
        problem = date_problem(read.astimezone(UTC).date() if isinstance(read, datetime)
                               else read)
        if problem:
            self.fail(problem, param, ctx)
        return read

    def settled(self, read):
        return read


class Day(_OnTheCalendar):
    """A date as YYYY-MM-DD."""

    name = "YYYY-MM-DD"
    example = "a date like 2027-01-04"


class Moment(_OnTheCalendar):
    """A time in ISO 8601 (2026-11-30T08:05, UTC unless it names its offset); an aware
    datetime."""

    name = "ISO-TIME"
    kind = datetime
    example = "a time like 2026-11-30T08:05 (ISO 8601; UTC unless it says +01:00 or the like)"

    def settled(self, read):
        return read if read.tzinfo else read.replace(tzinfo=UTC)


TEXT = PlainText()
EMAIL = EmailAddress()
ACCOUNT = AccountEmail()
TITLE = Title()
ID = WholeNumber(1, DB_INT_MAX, "ID")  # an id the database can hold


# ---- what was typed, found (or exit 1) -----------------------------------------------

def cohort_or_fail(cohort_id: int):
    """The cohort with this id; else say so and exit 1 (an id out of range never gets here:
    `ID` refuses it, exit 2)."""
    from ..cohorts.models import Cohort

    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        _fail(f"No cohort {cohort_id}. `cohort create` and `demo` print the ids of the "
              "cohorts they make.")
    return cohort


def account_or_fail(email: str, acting: str | None = None):
    """The account with this email; else say so and exit 1. `acting` (what the account is
    to do, "run a cohort"): it must also be turned on, as a disabled account can't act."""
    from ..auth.services import find_by_email

    user = find_by_email(email)
    if user is None:
        _fail(f"No account has the email {email!r}. `user create` makes one.")
    if acting and user.is_deleted:
        _fail(f"The account {user.email} was deleted by its owner: it can't {acting}.")
    if acting and not user.is_active:
        _fail(f"The account {user.email} is disabled, and a disabled account can't "
              f"{acting}. `user enable {user.email}` turns it back on.")
    return user


def course_or_fail(slug: str):
    """The course with this slug; else say so and exit 1."""
    from ..courses.services import get_course

    course = get_course(slug)
    if course is None:
        _fail(f"No course {slug!r}. `course import modules/{slug}` loads one.")
    return course
