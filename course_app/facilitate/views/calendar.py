"""The facilitator's calendar page: what to do on each day of each stage of a paced cohort."""

from dataclasses import dataclass, field
from datetime import date

from flask import render_template
from flask_login import login_required

from ...clock import utcnow
from ...courses.models import Stage
from .. import bp
from ..calendar import CalendarItem, calendar_items
from .common import facilitated


@dataclass
class StageDays:
    stage: Stage
    opens_on: date | None
    days: list[tuple[date, int, list[CalendarItem]]] = field(default_factory=list)


def by_stage(cohort, items: list[CalendarItem]) -> list[StageDays]:
    """The items grouped by stage, then by day (with its number in the stage: day 1 is the
    day the stage opens)."""
    groups = {s.number: StageDays(s, cohort.release_date(s.number)) for s in cohort.course.stages}
    for item in items:
        group = groups[item.stage]
        if not group.days or group.days[-1][0] != item.day:
            group.days.append((item.day, (item.day - group.opens_on).days + 1, []))
        group.days[-1][2].append(item)
    return list(groups.values())


@bp.get("/cohorts/<int:cohort_id>/calendar")
@login_required
def calendar(cohort_id: int):
    cohort = facilitated(cohort_id)
    items = calendar_items(cohort)
    today = utcnow().date()
    return render_template("facilitate/calendar.html", cohort=cohort,
                           stages=by_stage(cohort, items), any_items=bool(items), today=today,
                           today_count=sum(1 for i in items if i.day == today))
