"""Design checks on a valid course: things that load fine but make a course hard to run.

Each check returns warnings, never problems: `course validate` prints them and still exits 0,
and the course designer shows them beside the fields. modules/README.md ("Design warnings")
says what each one means to an author.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .specs import CourseSpec, EtivitySpec, StageSpec

# A stage's minutes a week may differ from the course's weekly_minutes by this share either way.
WEEKLY_TOLERANCE = 0.25


@dataclass(frozen=True)
class DesignWarning:
    """One design weakness, pointing where an author should look (path and line may be None
    for a course that was not read from files)."""

    stage: int | None
    etivity_slug: str | None
    field: str
    message: str
    path: str | None  # as Problem.file, e.g. "engaging-online/etivities/2-02-listen-first.md"
    line: int | None

    def __str__(self) -> str:
        where = self.path or (self.etivity_slug or "course")
        where = where if self.line is None else f"{where}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


def design_warnings(course: CourseSpec) -> list[DesignWarning]:
    """Every design warning for the course, course.yaml's first, then stage by stage."""
    warnings = list(_summary_time(course))
    for stage in course.stages:
        etivities = course.etivities_in(stage.number)
        warnings += _stage_time(course, stage, etivities)
        warnings += _days(course, stage, etivities)
        warnings += _initiating(course, stage, etivities)
        warnings += [w for e in etivities if (w := _spark(course, e)) is not None]
    return warnings


# --- where a warning points ---------------------------------------------------------------------

def _on_course(course: CourseSpec, field: str, message: str,
               stage: StageSpec | None = None) -> DesignWarning:
    lines = stage.lines if stage is not None else course.lines
    line = lines.get(field) or (lines.get(stage.where) if stage is not None else None)
    return DesignWarning(stage and stage.number, None, field, message,
                         f"{course.slug}/course.yaml", line)


def _on_etivity(course: CourseSpec, etivity: EtivitySpec, field: str,
                message: str) -> DesignWarning:
    return DesignWarning(etivity.stage, etivity.slug, field, message,
                         f"{course.slug}/{etivity.source}", etivity.lines.get(field))


# --- time a week --------------------------------------------------------------------------------

_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12}
_AMOUNT = r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
_WEEKLY = re.compile(
    rf"\b(?:{_AMOUNT}\s*(?:to|-|–)\s*)?{_AMOUNT}(\s+and\s+a\s+half)?\s+"
    r"(minutes?|mins?|hours?|hrs?)(\s+and\s+a\s+half)?\s+(?:a|per|each|every)\s+week\b",
    re.IGNORECASE,
)


def stated_weekly_minutes(text: str) -> tuple[int, int] | None:
    """The time a week a text promises, as (fewest, most) minutes: "about 90 minutes a week",
    "an hour and a half a week", "one to two hours a week"; None when it names none."""
    match = _WEEKLY.search(text.replace("\n", " "))
    if match is None:
        return None
    low, high, half, unit, half_after = match.groups()
    scale = 60 if unit.lower().startswith("h") else 1
    extra = 30 if (half or half_after) and scale == 60 else 0

    def minutes(amount: str) -> int:
        number = int(amount) if amount.isdigit() else _NUMBERS[amount.lower()]
        return number * scale + extra

    most = minutes(high)
    return (minutes(low) if low else most), most


def _summary_time(course: CourseSpec) -> Iterator[DesignWarning]:
    """The summary learners read and weekly_minutes must tell the same story."""
    stated = stated_weekly_minutes(course.summary)
    if stated is None:
        return
    low, high = stated
    said = f"{low}" if low == high else f"{low} to {high}"
    if course.weekly_minutes is None:
        yield _on_course(course, "summary", (
            f"says {said} minutes a week, but course.yaml has no weekly_minutes; add "
            f"'weekly_minutes: {high}' so each stage's minutes can be checked against it"))
    elif not low <= course.weekly_minutes <= high:
        yield _on_course(course, "summary", (
            f"says {said} minutes a week, but weekly_minutes is {course.weekly_minutes}; "
            "make them agree"))


def _stage_time(course: CourseSpec, stage: StageSpec,
                etivities: tuple[EtivitySpec, ...]) -> Iterator[DesignWarning]:
    """A stage's e-tivity minutes, spread over its suggested days, against the weekly time."""
    if course.weekly_minutes is None or not etivities:
        return
    total = sum(e.minutes for e in etivities)
    weekly = round(total * 7 / stage.suggested_days)
    low = round(course.weekly_minutes * (1 - WEEKLY_TOLERANCE))
    high = round(course.weekly_minutes * (1 + WEEKLY_TOLERANCE))
    if not low <= weekly <= high:
        how = "trim the e-tivities' minutes" if weekly > high else "give the e-tivities more to do"
        yield _on_course(course, stage.where, (
            f"stage {stage.number}'s e-tivities take {total} minutes over {stage.suggested_days} "
            f"days, about {weekly} a week, but the course asks for {course.weekly_minutes} "
            f"(weekly_minutes; {low} to {high} is close enough); {how}, or change "
            "suggested_days"), stage)


# --- suggested days -----------------------------------------------------------------------------

def _suggested_days(etivity: EtivitySpec) -> Iterator[tuple[str, int, int | None]]:
    """(field, day, line) for every day an e-tivity suggests."""
    lines = etivity.lines
    if etivity.first_post_day is not None:
        yield "first_post_day", etivity.first_post_day, lines.get("first_post_day")
    if etivity.replies_day is not None:
        yield "replies_day", etivity.replies_day, lines.get("replies_day")
    for note in etivity.moderator_days:
        yield "moderator_days", note.day, note.line


_WHAT = {"first_post_day": "first posts", "replies_day": "replies",
         "moderator_days": "an e-moderator note"}


def _days(course: CourseSpec, stage: StageSpec,
          etivities: tuple[EtivitySpec, ...]) -> Iterator[DesignWarning]:
    """Every suggested day inside the stage, and no two e-tivities of a stage asking for the same
    kind of thing (first posts, replies, the e-moderator's note) on the same day."""
    taken: dict[tuple[str, int], str] = {}  # (field, day) -> slug of the e-tivity that has it
    for etivity in etivities:
        for field, day, line in _suggested_days(etivity):
            path = f"{course.slug}/{etivity.source}"
            if day > stage.suggested_days:
                yield DesignWarning(etivity.stage, etivity.slug, field, (
                    f"day {day} falls after stage {stage.number}'s {stage.suggested_days} "
                    "suggested days; move it inside the stage or lengthen the stage's "
                    "suggested_days"), path, line)
            other = taken.setdefault((field, day), etivity.slug)
            if other != etivity.slug:
                yield DesignWarning(etivity.stage, etivity.slug, field, (
                    f"day {day} is also the day for {_WHAT[field]} in {other!r}; stagger the "
                    "e-tivities of a stage so each day asks one thing of learners and of "
                    "the e-moderator"), path, line)


# --- who starts threads -------------------------------------------------------------------------

def _initiating(course: CourseSpec, stage: StageSpec,
                etivities: tuple[EtivitySpec, ...]) -> Iterator[DesignWarning]:
    """Stage 1 asks for one new thread at most (an optional e-tivity offers, it doesn't ask);
    stages 4 and 5 are led by learners, so at least one of their e-tivities asks learners to
    start a thread."""
    starting = [e for e in etivities if e.complete_when.initiate > 0]
    asking = [e for e in starting if e.required]
    if stage.number == 1 and sum(e.complete_when.initiate for e in asking) > 1:
        names = ", ".join(f"{e.slug!r} ({e.complete_when.initiate})" for e in asking)
        for etivity in asking[1:] if len(asking) > 1 else asking:
            yield _on_etivity(course, etivity, "complete_when.initiate", (
                f"stage 1's required e-tivities ask learners to start conversations in {names}; "
                "in the first stage ask for one at most (say hello by replying, ask for help "
                "in the map's Ask for help conversation, or make the others optional)"))
    if stage.number in (4, 5) and not starting:
        yield _on_course(course, stage.where, (
            f"no e-tivity of stage {stage.number} asks learners to start a conversation "
            "(complete_when.initiate); at this stage learners lead, so let them start the "
            "conversations"), stage)


# --- the spark ----------------------------------------------------------------------------------

# A scenario is marked by a line that starts with the word, e.g. "**Scenario:**" or "## Scenario".
_SCENARIO = re.compile(r"^[\s>#*_]*scenario\b", re.IGNORECASE | re.MULTILINE)
# Link targets, autolinks, bare web addresses and code: a '?' in them asks nothing.
_NOT_PROSE = re.compile(r"\]\([^)]*\)|<[^>\s]+>|https?://\S+|`[^`]*`")


def _spark(course: CourseSpec, etivity: EtivitySpec) -> DesignWarning | None:
    """A spark provokes: it asks a question or sets out a scenario."""
    prose = _NOT_PROSE.sub("", etivity.spark)
    if "?" in prose or _SCENARIO.search(prose):
        return None
    return _on_etivity(course, etivity, "body", (
        "the spark asks no question and sets out no scenario; end it with the question the "
        "conversation should answer, or mark a scenario with a line starting 'Scenario'"))
