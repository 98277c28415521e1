"""The facilitator's calendar: what to do on each day of each stage of a paced cohort, from
the stages' release dates and each e-tivity's suggested days (`first_post_day`,
`replies_day`) and e-moderator days (`moderator_days`).

`calendar_items` is the one function other code calls (the calendar page, today's items on
the facilitate home page, and anything that mails or exports a facilitator's day).
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..progress.rules import day_of


class CalendarKind(enum.StrEnum):
    STAGE_OPENS = "stage-opens"  # the stage's release date
    MODERATOR = "moderator"  # an e-tivity's e-moderator note for this day
    FIRST_POSTS = "first-posts"  # the day the e-tivity suggests for learners' first posts
    REPLIES = "replies"  # the day it suggests for replies


# Within a day: the stage first, then the e-moderator's notes, then the suggested days.
_ORDER = {kind: n for n, kind in enumerate(CalendarKind)}


@dataclass(frozen=True)
class CalendarItem:
    day: date
    stage: int
    etivity: Etivity | None  # None for a stage's opening
    kind: CalendarKind
    text: str  # what to do, in Markdown (render it with the `markdown` filter)


def _etivity_items(etivity: Etivity, opened: date) -> list[CalendarItem]:
    items = []
    for entry in etivity.moderator_days or []:
        day = day_of(opened, entry.get("day") if isinstance(entry, dict) else None)
        if day is not None and (entry.get("note") or "").strip():
            items.append(CalendarItem(day, etivity.stage_number, etivity, CalendarKind.MODERATOR,
                                      entry["note"].strip()))
    first = day_of(opened, etivity.first_post_day)
    if first is not None:
        items.append(CalendarItem(
            first, etivity.stage_number, etivity, CalendarKind.FIRST_POSTS,
            f"First posts are due in “{etivity.title}”: welcome each one, and write to anyone "
            "who hasn't posted yet."))
    replies = day_of(opened, etivity.replies_day)
    if replies is not None:
        items.append(CalendarItem(
            replies, etivity.stage_number, etivity, CalendarKind.REPLIES,
            f"Replies are due in “{etivity.title}”: check every first post has an answer, and "
            "draw the conversations together."))
    return items


def calendar_items(cohort: Cohort, on: date | None = None,
                   opened_on: Mapping[int, date] | None = None) -> list[CalendarItem]:
    """What the facilitator does on each day of each stage (only on `on`, when given), by day.

    Only a paced cohort has dates: day N of a stage is `progress.rules.day_of` its release
    date (`Cohort.release_date`), or of the day it opened for one learner where `opened_on`
    gives them (their own map's dates: see feeds.services). A self-paced cohort's stages
    open learner by learner, so it has no calendar (an empty list), nor has a stage with no
    date set.
    """
    if not cohort.paced:
        return []
    items: list[CalendarItem] = []
    for stage in cohort.course.stages:
        opened = (cohort.release_date(stage.number) if opened_on is None
                  else opened_on.get(stage.number))
        if opened is None:
            continue
        items.append(CalendarItem(
            opened, stage.number, None, CalendarKind.STAGE_OPENS,
            f"Stage {stage.number}, {stage.title}, opens."))
        for etivity in cohort.course.etivities_in(stage.number):
            items.extend(_etivity_items(etivity, opened))
    if on is not None:
        items = [item for item in items if item.day == on]
    return sorted(items, key=lambda i: (i.day, i.stage, _ORDER[i.kind],
                                        i.etivity.position if i.etivity else -1))
