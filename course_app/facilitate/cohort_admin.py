"""Running a cohort as a whole: opening it, its settings and pacing, its state, its
enrolment key. Each action changes the data through cohorts.services and writes one audit
entry; they flush, never commit."""

from datetime import date, datetime

from ..auth.models import User
from ..cohorts import services as cohorts
from ..cohorts.models import Cohort, CohortState, StageRelease
from ..courses.models import Course
from ..discussions import services as discussions
from ..rendering import listed, plural
from ..text import is_blank, one_line
from .audit import record
from .errors import FacilitateError
from .models import AuditAction

# The moves a person would expect, and no others.
TRANSITIONS: dict[CohortState, tuple[CohortState, ...]] = {
    CohortState.OPEN: (CohortState.RUNNING, CohortState.CLOSED),
    CohortState.RUNNING: (CohortState.CLOSED,),
    CohortState.CLOSED: (CohortState.RUNNING, CohortState.ARCHIVED),
    CohortState.ARCHIVED: (CohortState.CLOSED,),
}
# Running cohorts still take learners (Cohort.accepts_enrolment); only closing stops joining.
STATE_WORDS = {state: state.words for state in CohortState}
NAME_MAX = 120
WELCOME_MAX = 5000
SILENT_DAYS = range(1, 61)
# What each setting is called in the audit log.
SETTING_WORDS = {
    "name": "the name", "starts_on": "the start date", "capacity": "the number of places",
    "silent_days": "the days before someone counts as silent", "paced": "the pacing",
}


def check_state_change(cohort: Cohort, to: CohortState) -> None:
    """Raise FacilitateError unless `to` is one of the moves TRANSITIONS allows now."""
    if to not in TRANSITIONS[cohort.state]:
        raise FacilitateError(
            f"A cohort that is {STATE_WORDS[cohort.state]} can't become {STATE_WORDS[to]}.")


def check_unchanged(cohort: Cohort, seen: CohortState | None) -> None:
    """Lock the cohort (until the commit) and read its state as it is now: FacilitateError
    when it is no longer `seen`, the state the facilitator's page showed (another facilitator
    changed it meanwhile). None: not known, nothing to compare."""
    cohorts.lock(cohort)
    if seen is not None and cohort.state != seen:
        raise FacilitateError(f"Another facilitator changed this cohort to "
                              f"{STATE_WORDS[cohort.state]} meanwhile.")


def change_state(cohort: Cohort, to: CohortState, actor: User, at: datetime,
                 seen: CohortState | None = None) -> None:
    """Move the cohort to `to`, from `seen` (the state the page showed) when given: two
    facilitators' conflicting changes can't both happen."""
    check_unchanged(cohort, seen)
    check_state_change(cohort, to)
    before = cohort.state
    cohort.state = to
    record(cohort, actor, AuditAction.STATE, f"Changed the cohort from {STATE_WORDS[before]} "
           f"to {STATE_WORDS[to]}", at, detail={"from": before.value, "to": to.value})


def _check_name(name: str) -> str:
    name = one_line(name)
    if is_blank(name):
        raise FacilitateError("Give the cohort a name.", "name")
    if len(name) > NAME_MAX:
        raise FacilitateError(f"Use at most {NAME_MAX} characters.", "name")
    return name


def _check_silent_days(days: int) -> None:
    if days not in SILENT_DAYS:
        raise FacilitateError(f"Enter a number of days from {SILENT_DAYS.start} to "
                              f"{SILENT_DAYS.stop - 1}.", "silent_days")


def _check_release_dates(release_dates: dict[int, date | None]) -> list[date]:
    """A paced cohort needs a date for every stage, none before the one before. Errors name
    the field of the first stage at fault (release_N)."""
    missing = [n for n in range(1, 6) if not release_dates.get(n)]
    if missing:
        raise FacilitateError("A paced cohort needs a release date for every stage "
                              f"(missing: stage {', '.join(map(str, missing))}).",
                              f"release_{missing[0]}")
    days = [release_dates[n] for n in range(1, 6)]
    for number in range(2, 6):
        if days[number - 1] < days[number - 2]:
            raise FacilitateError("Release dates must not go backwards: each stage opens on or "
                                  f"after the one before (stage {number} is before stage "
                                  f"{number - 1}).", f"release_{number}")
    return days


def open_cohort(course: Course, name: str, facilitator: User, at: datetime,
                starts_on: date | None, paced: bool, capacity: int | None,
                release_dates: dict[int, date | None] | None = None,
                silent_days: int = 5) -> Cohort:
    """Open a cohort with its first facilitator and its help thread. In a paced cohort, a
    stage without a given date opens the suggested days after the one before (stage 1: on
    the start date, or today)."""
    name = _check_name(name)
    if not facilitator.is_staff:
        raise FacilitateError(f"{facilitator.name} has a learner account. Only facilitators "
                              "and admins can run a cohort.")
    if capacity is not None and capacity < 1:
        raise FacilitateError("Enter a number from 1 upwards, or leave it empty.", "capacity")
    _check_silent_days(silent_days)
    dates: dict[int, date] = {}
    if paced:
        dates = cohorts.default_release_dates(course, starts_on or at.date(), release_dates)
        _check_release_dates(dates)
    cohort = cohorts.create_cohort(course, name, facilitator, at, starts_on=starts_on,
                                   paced=paced, capacity=capacity)
    cohort.silent_days = silent_days
    for release in cohort.releases:
        release.opens_on = dates[release.stage_number]
    discussions.ensure_help_thread(cohort, facilitator, at)
    record(cohort, facilitator, AuditAction.OPEN, f"Opened the cohort “{cohort.name}” of "
           f"{course.title}" + (" (paced)" if paced else " (self-paced)"), at,
           detail={"paced": paced, "capacity": capacity,
                   "releases": {str(n): d.isoformat() for n, d in sorted(dates.items())}})
    return cohort


def update_settings(cohort: Cohort, actor: User, at: datetime, *, name: str,
                    starts_on: date | None, capacity: int | None, silent_days: int,
                    welcome_message: str, paced: bool,
                    release_dates: dict[int, date | None]) -> None:
    """Change name, dates, pacing, capacity and welcome; a paced cohort needs every date.
    A changed welcome message is logged on its own, as an intervention ("welcome")."""
    name = _check_name(name)
    enrolled = cohorts.learner_count(cohort)
    if capacity is not None and capacity < max(enrolled, 1):
        raise FacilitateError(f"{plural(enrolled, 'learner is', 'learners are')} already "
                              "enrolled; places can't be "
                              "fewer than that." if enrolled else
                              "Enter a number from 1 upwards, or leave it empty.", "capacity")
    _check_silent_days(silent_days)
    if len(welcome_message.strip()) > WELCOME_MAX:
        raise FacilitateError(f"Keep the welcome under {WELCOME_MAX:,} characters.",
                              "welcome_message")
    if paced:
        _check_release_dates(release_dates)
    changes = {}
    for attr, value in (("name", name), ("starts_on", starts_on), ("capacity", capacity),
                        ("silent_days", silent_days), ("welcome_message", welcome_message.strip()),
                        ("paced", paced)):
        if getattr(cohort, attr) != value:
            changes[attr] = str(value)
            setattr(cohort, attr, value)
    existing = {r.stage_number: r for r in cohort.releases}
    for number in range(1, 6):
        day = release_dates.get(number) if paced else None
        release = existing.get(number)
        if day and release is None:
            cohort.releases.append(StageRelease(stage_number=number, opens_on=day))
            changes[f"stage {number}"] = day.isoformat()
        elif day and release.opens_on != day:
            release.opens_on = day
            changes[f"stage {number}"] = day.isoformat()
        elif not day and release is not None:
            cohort.releases.remove(release)
            changes[f"stage {number}"] = "self-paced"
    welcome = changes.pop("welcome_message", None)
    if welcome is not None:
        record(cohort, actor, AuditAction.WELCOME, "Changed the welcome message" if welcome
               else "Removed the welcome message", at, detail={"welcome_message": welcome},
               intervention=True)
    if changes:
        words = [SETTING_WORDS.get(key, f"the {key} release date") for key in changes]
        record(cohort, actor, AuditAction.SETTINGS, f"Changed {listed(words)}", at,
               detail=changes)


def regenerate_key(cohort: Cohort, actor: User, at: datetime) -> str:
    cohort.enrolment_key = cohorts.new_enrolment_key()
    record(cohort, actor, AuditAction.KEY, "Made a new enrolment key (the old one no longer "
           "works)", at)
    return cohort.enrolment_key
