"""The reports pages (/reports): the cohorts someone reviews, a cohort's dashboard with its
charts, printable view and downloads, one learner's and one e-tivity's report, and a course's
cohorts side by side.

Every figure comes from reports.queries (the code behind the API and the CLI too); views
parse the query string, authorise and render. Nothing here writes.
"""

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, make_response, render_template, request
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from .. import security_log
from ..auth.models import User
from ..clock import utcnow
from ..cohorts.models import Cohort, Membership
from ..courses.models import Course
from ..extensions import db
from ..inputs import downloaded_as_page, page_arg
from ..paging import ListPagination, paginate
from ..permissions import can_review, can_see_learner_report, cohort_or_404
from ..progress import rules
from ..progress.charts import for_every_screen
from ..progress.standing import learner_ids
from ..rendering import plural
from . import bp, charts, exports, queries
from .interactions import interaction_map

PAGE_SIZE = 25  # learners per page of the dashboard's grid (a page of 300 stays under 200 kB)
# Cohorts per page of the reports' list and of a course's comparison: each one's figures come
# from its whole dashboard, so a page of them costs the same however many cohorts there are.
COHORTS_PER_PAGE = 10
UNANSWERED_PER_PAGE = 25  # of an e-tivity report's conversations nobody has answered
# A learner's report: their newest posts with excerpts (every post is also in the timeline),
# and the timeline a page at a time.
POSTS_SHOWN = 10
TIMELINE_PER_PAGE = 50
MAP_PAIRS = 60  # pairs the dashboard's interaction map draws; the rest are in the download
ORDERS = {"asc": "A to Z, lowest or oldest first", "desc": "Z to A, highest or newest first"}
LEVELS = [SelectChoice(level.value, level.value.capitalize()) for level in rules.Level]


class FilterForm(FlaskForm):
    """The dashboard's filters and sort, read from the query string (GET: no CSRF token)."""

    class Meta:
        csrf = False

    stage = SelectField("Current stage", default="")
    status = SelectField("Status", default="",
                         choices=[SelectChoice("", "Anyone")] + [
                             SelectChoice(k, v.capitalize())
                             for k, v in queries.STATUS_FILTERS.items()])
    level = SelectField("Participation level", default="",
                        choices=[SelectChoice("", "Any level")] + LEVELS)
    inactive = IntegerField("Inactive for at least (days)", validators=[
        Optional(), NumberRange(min=0, max=3650, message="Enter a number of days from 0 to 3650.")])
    sort = SelectField("Sort by", default="name",
                       choices=[SelectChoice(k, v.capitalize()) for k, v in queries.SORTS.items()])
    order = SelectField("Order", default="asc",
                        choices=[SelectChoice(k, v) for k, v in ORDERS.items()])


@dataclass
class Filters:
    """What the form chose, ready for queries.filter_rows and sort_rows, and as URL args."""

    stage: int | None = None
    status: str | None = None
    level: str | None = None
    inactive_days: int | None = None
    sort: str = "name"
    descending: bool = False
    show: int | None = None  # the grid shows only this stage's e-tivities (not a filter)

    @property
    def narrowing(self) -> dict:
        return {"stage": self.stage, "status": self.status, "level": self.level,
                "inactive_days": self.inactive_days}

    @property
    def any(self) -> bool:
        return any(v is not None for v in self.narrowing.values())

    @property
    def changed(self) -> bool:
        """A filter or a sort other than the default is chosen (which stage's e-tivities the
        grid shows is not one): the form offers to clear them, and stays open on a phone."""
        return any(k != "show" for k in self.args)

    @property
    def args(self) -> dict:
        """The query string that brings the same view back (page links, print, clear)."""
        pairs = (("stage", self.stage), ("status", self.status), ("level", self.level),
                 ("inactive", self.inactive_days),
                 ("sort", self.sort if self.sort != "name" else None),
                 ("order", "desc" if self.descending else None), ("show", self.show))
        return {k: v for k, v in pairs if v is not None}


def _filters(stages) -> tuple[FilterForm, Filters]:
    form = FilterForm(formdata=request.args)
    form.stage.choices = [SelectChoice("", "Any stage")] + [
        SelectChoice(str(s.number), f"Stage {s.number}: {s.title}") for s in stages]
    form.validate()
    if form.inactive.errors and form.inactive.data is None:  # not a number at all
        form.inactive.errors = ["Enter a whole number of days, e.g. 7."]
    for select_field in (form.stage, form.status, form.level, form.sort, form.order):
        if select_field.errors:  # a hand-edited address: ignore the value, say so
            select_field.errors = ["That choice isn't on the list, so it was left out."]
    chosen = Filters()
    if form.stage.data and not form.stage.errors:
        chosen.stage = int(form.stage.data)
    if form.status.data and not form.status.errors:
        chosen.status = form.status.data
    if form.level.data and not form.level.errors:
        chosen.level = form.level.data
    if form.inactive.data is not None and not form.inactive.errors:
        chosen.inactive_days = form.inactive.data
    if form.sort.data in queries.SORTS:
        chosen.sort = form.sort.data
    chosen.descending = form.order.data == "desc"
    show = request.args.get("show", type=int)
    chosen.show = show if show in {s.number for s in stages} else None
    return form, chosen


def in_words(delta: timedelta | None) -> str:
    """A duration as people say it: "under a minute", "40 minutes", "3 hours", "2 days"."""
    if delta is None:
        return ""
    seconds = delta.total_seconds()
    for size, unit, up_to in ((60, "minute", 3600), (3600, "hour", 48 * 3600),
                              (86400, "day", math.inf)):
        if seconds < 60:
            return "under a minute"
        if seconds < up_to:
            n = max(1, round(seconds / size))
            return plural(n, unit, f"{unit}s")
    return ""


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _private(response):
    """Reports name people: no shared cache may keep them."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _stage_titles(cohort) -> dict[int, str]:
    return {s.number: s.title for s in cohort.course.stages}


# ---- the cohorts this person reviews -----------------------------------------------------

@bp.get("/")
@login_required
def index():
    now = utcnow()
    page = paginate(queries.reviewable(current_user), page_arg(), COHORTS_PER_PAGE)
    by_course: dict[int, list] = {}
    for cohort in page.items:
        by_course.setdefault(cohort.course_id, []).append(cohort)
    groups = [(cohorts[0].course, queries.across_cohorts(cohorts[0].course, cohorts, now))
              for cohorts in by_course.values()]
    groups.sort(key=lambda g: g[0].title.lower())
    return _private(make_response(render_template("reports/index.html", groups=groups,
                                                  page=page)))


# ---- one cohort ----------------------------------------------------------------------------

def _board(cohort_id: int):
    cohort = cohort_or_404(cohort_id, can_review)
    board = queries.dashboard(cohort, utcnow())
    form, chosen = _filters(board.stages)
    rows = queries.sort_rows(queries.filter_rows(board.rows, **chosen.narrowing),
                             chosen.sort, chosen.descending)
    return cohort, board, form, chosen, rows


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def dashboard(cohort_id: int):
    cohort, board, form, chosen, rows = _board(cohort_id)
    page = ListPagination(rows, page_arg(), PAGE_SIZE)
    weeks = [w.as_tuple() for w in queries.weekly(cohort, board.generated_at.date())]
    imap = interaction_map(cohort, top=MAP_PAIRS)
    funnel = queries.funnel(board.rows)
    titles = _stage_titles(cohort)
    edges = sorted(imap.edges.items(), key=lambda item: (-item[1], item[0]))
    names = {user.id: user.name for user, _ in imap.people}
    return _private(make_response(render_template(
        "reports/dashboard.html", cohort=cohort, board=board, form=form, chosen=chosen,
        page=page, funnel=funnel,
        funnel_chart=for_every_screen(charts.funnel_svg, "funnel", funnel=funnel, titles=titles),
        weeks=weeks, weekly_chart=for_every_screen(charts.weekly_svg, "cohort-weekly",
                                                   weeks=weeks),
        active=any(o or i or n for _, o, i, n in weeks),
        imap=imap, map_chart=for_every_screen(charts.interaction_map_svg, "interaction-map",
                                              imap=imap),
        edges=edges, names=names,
        roles={user.id: role for user, role in imap.people},
    )))


@bp.get("/cohorts/<int:cohort_id>/print")
@login_required
def printable(cohort_id: int):
    cohort, board, form, chosen, rows = _board(cohort_id)
    funnel = queries.funnel(board.rows)
    return _private(make_response(render_template(
        "reports/print.html", cohort=cohort, board=board, chosen=chosen, rows=rows,
        statuses=queries.STATUS_FILTERS, per_page=PAGE_SIZE,
        funnel=funnel, funnel_chart=for_every_screen(
            charts.funnel_svg, "print-funnel", funnel=funnel, titles=_stage_titles(cohort)),
    )))


@bp.get("/cohorts/<int:cohort_id>/progress.<any(csv, json):fmt>")
@login_required
@downloaded_as_page
def download(cohort_id: int, fmt: str):
    """The whole cohort's report: CSV (with a BOM, so spreadsheets read it as UTF-8) or JSON,
    the same payload as the API."""
    cohort = cohort_or_404(cohort_id, can_review)
    security_log.record("export", cohort_id=cohort.id, format=fmt, via="download")
    board = queries.dashboard(cohort, utcnow())
    name = f"{_slug(cohort.name) or f'cohort-{cohort.id}'}-progress-{board.generated_at:%Y-%m-%d}"
    if fmt == "csv":
        response = make_response("\ufeff" + exports.as_csv(board))
        response.mimetype = "text/csv"
        response.charset = "utf-8"
    else:
        response = make_response(json.dumps(exports.as_json(board), ensure_ascii=False, indent=2))
        response.mimetype = "application/json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return _private(response)


@bp.get("/cohorts/<int:cohort_id>/interactions.csv")
@login_required
@downloaded_as_page
def interactions(cohort_id: int):
    """Every pair of the interaction map (who replied to whom, how often) as CSV."""
    cohort = cohort_or_404(cohort_id, can_review)
    security_log.record("export", cohort_id=cohort.id, format="csv", via="interactions")
    name = f"{_slug(cohort.name) or f'cohort-{cohort.id}'}-interactions-{utcnow():%Y-%m-%d}"
    response = make_response("\ufeff" + exports.pairs_csv(interaction_map(cohort)))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return _private(response)


@bp.get("/cohorts/<int:cohort_id>/learners/<int:user_id>")
@login_required
def learner(cohort_id: int, user_id: int):
    """One learner's report: for the learner themself and the cohort's reviewers; anyone else
    in the cohort is told it does not exist."""
    cohort = cohort_or_404(cohort_id)
    if not can_see_learner_report(current_user, cohort, user_id):
        abort(404)
    user = db.session.get(User, user_id)
    report = queries.learner_report(cohort, user, utcnow()) if user else None
    if report is None:
        abort(404)
    return _private(make_response(render_template(
        "reports/learner.html", cohort=cohort, report=report, row=report.row,
        posts_shown=POSTS_SHOWN,
        timeline=ListPagination(report.timeline, page_arg(), TIMELINE_PER_PAGE),
        own=user.id == current_user.id, reviewing=can_review(current_user, cohort),
        titles=_stage_titles(cohort),
    )))


@bp.get("/cohorts/<int:cohort_id>/e/<slug>")
@login_required
def etivity(cohort_id: int, slug: str):
    cohort = cohort_or_404(cohort_id, can_review)
    found = next((e for e in cohort.course.etivities if e.slug == slug), None)
    if found is None:
        abort(404)
    report = queries.etivity_report(cohort, found)
    return _private(make_response(render_template(
        "reports/etivity.html", cohort=cohort, report=report, etivity=found,
        unanswered=ListPagination(report.unanswered, page_arg(), UNANSWERED_PER_PAGE),
        learners=len(learner_ids(cohort.id)), median=in_words(report.median_first_reply),
    )))


# ---- a course's cohorts side by side -------------------------------------------------------

@bp.get("/courses/<slug>/compare")
@login_required
def compare(slug: str):
    """404 for someone with no cohort of the course at all; 403 for its learners."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    page = paginate(queries.reviewable(current_user, course), page_arg(), COHORTS_PER_PAGE)
    cohorts = page.items
    if not cohorts:
        member_of_one = db.session.scalar(
            select(Membership.id).join(Cohort, Cohort.id == Membership.cohort_id).where(
                Cohort.course_id == course.id, Membership.user_id == current_user.id,
                Membership.removed_at.is_(None)).limit(1)) is not None
        abort(403 if member_of_one else 404)
    figures = queries.across_cohorts(course, cohorts, utcnow())
    small = [(f, charts.funnel_svg(f.funnel, chart_id=f"funnel-{f.cohort.id}",
                                   title=f"{f.cohort.name}: learners who reached each stage",
                                   small=True)) for f in figures]
    return _private(make_response(render_template(
        "reports/compare.html", course=course, figures=figures, small=small, page=page,
        titles={s.number: s.title for s in course.stages},
    )))
