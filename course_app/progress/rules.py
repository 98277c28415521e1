"""The progress rules, each defined once: what completes an e-tivity, when a stage is
finished, which stages are open, the date of a suggested day.

Pure functions over plain values, so views, reports, the CLI and tests all agree.
"""

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from ..content import CompletionRule
from ..content.fields import DAY_MAX
from ..rendering import long_date, plural

STAGES = (1, 2, 3, 4, 5)


class EtivityState(enum.StrEnum):
    LOCKED = "locked"
    OPEN = "open"
    COMPLETE = "complete"


class LockReason(enum.StrEnum):
    PREVIOUS_STAGE = "previous_stage"  # the stage before is not complete yet
    DATE = "date"  # the cohort's release date has not come


# What a rule asks and what a learner did are the same three numbers.
Counts = CompletionRule


def meets(rule: CompletionRule, counts: Counts) -> bool:
    return (
        counts.observe >= rule.observe
        and counts.interact >= rule.interact
        and counts.initiate >= rule.initiate
    )


def still_needed(rule: CompletionRule, counts: Counts) -> Counts:
    """What is left to do; all zeros when the rule is met."""
    return Counts(
        max(rule.observe - counts.observe, 0),
        max(rule.interact - counts.interact, 0),
        max(rule.initiate - counts.initiate, 0),
    )


@dataclass(frozen=True)
class StageStatus:
    number: int
    open: bool
    reason: LockReason | None = None  # why it is locked
    opens_on: date | None = None  # the release date, where the cohort is paced
    early: bool = False  # open only because a facilitator opened it early


def stage_statuses(
    required: Mapping[int, Iterable[int]],
    completed: set[int],
    release_dates: Mapping[int, date | None],
    today: date,
    overridden: set[int] = frozenset(),
) -> dict[int, StageStatus]:
    """Which of the five stages are open for one learner.

    `required` maps a stage number to the ids of its required e-tivities; `completed` holds
    the ids the learner has completed; `release_dates` the cohort's dates where it is paced;
    `overridden` the stages a facilitator opened early for this learner (or everyone).
    A stage opens when the stage before it is finished (`stage_finished`) and its release
    date (if any) has come; an override opens it whatever else holds (`early` where nothing
    else would have).
    """
    statuses: dict[int, StageStatus] = {}
    previous_done = True  # nothing comes before stage 1
    for number in STAGES:
        opens_on = release_dates.get(number)
        if not previous_done:
            reason = LockReason.PREVIOUS_STAGE
        elif opens_on is not None and opens_on > today:
            reason = LockReason.DATE
        else:
            reason = None
        if reason is None:
            status = StageStatus(number, True, None, opens_on)
        elif number in overridden:
            status = StageStatus(number, True, None, opens_on, early=True)
        else:
            status = StageStatus(number, False, reason, opens_on)
        statuses[number] = status
        previous_done = stage_finished(status, required.get(number, ()), completed)
    return statuses


def stage_finished(status: StageStatus, required: Iterable[int], completed: set[int]) -> bool:
    """A stage is finished when it is open and every required e-tivity in it is complete
    (a stage with none is finished as soon as it opens). This is what opens the next stage."""
    return status.open and set(required) <= completed


def etivity_state(complete: bool, stage_open: bool, overridden: bool) -> EtivityState:
    if complete:
        return EtivityState.COMPLETE
    if stage_open or overridden:
        return EtivityState.OPEN
    return EtivityState.LOCKED


def current_stage(statuses: Mapping[int, StageStatus]) -> int:
    """The highest open stage: where the learner stands now."""
    return max((n for n, s in statuses.items() if s.open), default=1)


def describe(rule, more: bool = False, any_post: bool | None = None) -> str:
    """A rule or what is still needed, in plain words: "read 3 peers' posts, reply to 1 peer".

    With more=True it reads as what is left: "reply to 1 more peer". Where facilitators'
    posts count too (`any_post`, else the rule's own), reads are of posts, not peers' posts.
    """
    extra = "more " if more else ""
    if any_post is None:
        any_post = getattr(rule, "any_post", False)
    one, many = ("post", "posts") if any_post else ("peer’s post", "peers’ posts")
    parts = []
    if rule.observe:
        parts.append(f"read {plural(rule.observe, extra + one, extra + many)}")
    if rule.interact:
        parts.append(
            f"reply to {plural(rule.interact, f'{extra}peer', f'{extra}different peers')}")
    if rule.initiate:
        parts.append(
            f"start {plural(rule.initiate, f'{extra}conversation', f'{extra}conversations')}")
    return ", ".join(parts)


def describe_left(rule, counts: Counts) -> str:
    """What is still needed, in words: "more" only where something is done already, so a
    fresh e-tivity reads "start 1 conversation" and a half-done one "reply to 1 more peer"."""
    needed = still_needed(rule, counts)
    parts = []
    for mode in ("observe", "interact", "initiate"):
        left = getattr(needed, mode)
        if left:
            parts.append(describe(Counts(**{mode: left}), more=getattr(counts, mode) > 0,
                                  any_post=getattr(rule, "any_post", False)))
    return ", ".join(parts)


def day_of(opened_on: date | None, day: int | None) -> date | None:
    """The date of a suggested day: day 1 is the day the stage opened. None when either is
    unknown (the stage has not opened, or the e-tivity suggests no day). Content allows days
    up to DAY_MAX; a larger one from the database (stored before that bound, or by hand)
    counts as DAY_MAX, and a date past the calendar's end as its last day, so no stored
    number makes a page fail."""
    if opened_on is None or not day or not isinstance(day, int):
        return None
    offset = timedelta(days=min(max(day, 1), DAY_MAX) - 1)
    return opened_on + offset if date.max - opened_on >= offset else date.max


@dataclass(frozen=True)
class Suggested:
    """A suggested day as one learner meets it: its date, whether they have done what it
    suggests, and whether the day went by before they did (the e-tivity stays open: a
    passed day is a nudge, not a deadline)."""

    on: date
    done: bool = False
    passed: bool = False


def suggested(opened_on: date | None, day: int | None, done: bool, today: date
              ) -> Suggested | None:
    """The `day_of` a suggested day, with where the learner stands against it."""
    on = day_of(opened_on, day)
    if on is None:
        return None
    return Suggested(on, done, not done and on < today)


def suggested_days(rule: CompletionRule, first_post_day: int | None, replies_day: int | None,
                   opened_on: date | None, counts: Counts, today: date
                   ) -> tuple[Suggested | None, Suggested | None]:
    """An e-tivity's suggested first post and replies days for one learner, from the day
    its stage opened for them and what they have done there."""
    return (suggested(opened_on, first_post_day, first_post_done(counts), today),
            suggested(opened_on, replies_day, replies_done(rule, counts), today))


def first_post_done(counts: Counts) -> bool:
    """What a suggested first post asks: a conversation started, or a reply to a peer (some
    e-tivities begin with a reply)."""
    return counts.initiate > 0 or counts.interact > 0


def replies_done(rule: CompletionRule, counts: Counts) -> bool:
    """What a suggested replies day asks: the replies the rule needs (one, where it needs
    none but suggests a day for them)."""
    return counts.interact >= max(rule.interact, 1)


def describe_lock(status: StageStatus, today: date) -> str:
    """Why a stage is locked, in words: "opens when you finish stage 1", "opens on 12 January
    2027"."""
    if status.open:
        return ""
    if status.reason == LockReason.DATE and status.opens_on is not None:
        return f"opens on {long_date(status.opens_on)}"
    words = f"opens when you finish stage {status.number - 1}"
    if status.opens_on is not None and status.opens_on > today:
        words += f", and not before {long_date(status.opens_on)}"
    return words


class Level(enum.StrEnum):
    """Salmon's ladder, as one word for where a learner stands."""

    OBSERVER = "observer"
    INTERACTOR = "interactor"
    INITIATOR = "initiator"


# Stage 1 alone asks for two new threads (an introduction, a note on your time), so a
# learner counts as an initiator only once they start conversations beyond those.
INITIATOR_THREADS = 3


def participation_level(counts: Counts) -> Level:
    """Where a learner stands on observe → interact → initiate, from their totals.

    Everyone starts as an observer (reading first is how newcomers learn a place); replying
    to a peer makes you an interactor; replying and starting INITIATOR_THREADS
    conversations of your own makes you an initiator.
    """
    if counts.interact >= 1 and counts.initiate >= INITIATOR_THREADS:
        return Level.INITIATOR
    if counts.interact >= 1:
        return Level.INTERACTOR
    return Level.OBSERVER


def is_stuck(opened_on: date | None, suggested_days: int, today: date, stage_done: bool) -> bool:
    """Stuck: the stage has been open for longer than the course suggests, and its required
    e-tivities are not all complete. Days count as `day_of` counts them (the opening day is
    day 1), so seven suggested days run to day 7 and on day 8 the learner is stuck: the day a
    paced cohort's next stage opens by default (`cohorts.services.default_release_dates`)."""
    return (opened_on is not None and not stage_done
            and today > day_of(opened_on, max(suggested_days, 1)))
