"""The home page, the public course page, the glossary, the health check, and the addresses
people guess (/login)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select, text

from . import database
from .auth.models import User
from .clock import utcnow
from .cohorts.models import MemberRole, course_on_offer
from .cohorts.services import cohorts_of
from .courses import bp as courses_bp
from .courses.models import Course
from .extensions import db
from .permissions import can_author
from .progress.rules import INITIATOR_THREADS
from .progress.standing import LearnerProgress, standings_in
from .redirects import JUST_LOGGED_IN

bp = Blueprint("main", __name__)


def landing(user: User, my_cohorts) -> str | None:
    """Where someone's work is, if not on this page: Facilitate for facilitators and admins;
    for people who only review (a sponsor, say), the dashboard of their one cohort or the
    list of reports. Learners' home is this page, with their cohorts."""
    if user.is_staff:
        return url_for("facilitate.home")
    roles = {m.role for _c, m in my_cohorts}
    if roles != {MemberRole.REVIEWER}:
        return None
    if len(my_cohorts) == 1:
        return url_for("reports.dashboard", cohort_id=my_cohorts[0][0].id)
    return url_for("reports.index")


@bp.before_app_request
def _landing_only_at_once() -> None:
    """The flag counts for the request right after the login, nothing later: someone who
    went elsewhere first finds the home page as usual when they come to it."""
    if JUST_LOGGED_IN in session and request.endpoint not in ("main.index", "static"):
        session.pop(JUST_LOGGED_IN)


@bp.get("/")
def index():
    my_cohorts = cohorts_of(current_user) if current_user.is_authenticated else []
    if current_user.is_authenticated and session.pop(JUST_LOGGED_IN, False):  # once, at login
        target = landing(current_user, my_cohorts)
        if target is not None:
            return redirect(target)
    courses = db.session.scalars(
        select(Course).where(course_on_offer()).order_by(Course.title)).all()
    today = utcnow().date()
    return render_template("main/index.html", courses=courses, my_cohorts=my_cohorts,
                           standings=_standings(my_cohorts, today), today=today)


def _standings(my_cohorts, today) -> dict[int, LearnerProgress]:
    """A learner's standing in each live cohort they learn in, for its card: where they are
    and what is next (the same few queries however many cohorts: `standings_in`)."""
    mine = [cohort for cohort, membership in my_cohorts
            if membership.role == MemberRole.LEARNER and cohort.accepts_posts]
    return standings_in(mine, current_user.id, today) if mine else {}


@courses_bp.get("/<slug>")
def course(slug: str):
    """The course at a glance, readable without logging in, once it is on offer (a cohort of
    it opened); before that, only to those who may design it. (On the courses blueprint, for
    its address; here, a page, because it asks the cohorts.)"""
    course = db.session.scalar(select(Course).where(Course.slug == slug)) or abort(404)
    if not (db.session.scalar(select(course_on_offer()).where(Course.id == course.id))
            or can_author(current_user, course)):
        abort(404)
    return render_template("courses/course.html", course=course)


@bp.get("/login")
def login_shortcut():
    """/login, where people guess the page is: the login page, the query kept (`next`)."""
    return redirect(url_for("auth.login", **_kept(request.args)))


@bp.get("/register")
@bp.get("/signup")
def register_shortcut():
    """/register and /signup, as people guess them: "Create an account", the query kept."""
    return redirect(url_for("auth.register", **_kept(request.args)))


def _kept(args) -> dict:
    """The query a shortcut passes on: `next` only (any other key could be url_for's own,
    `endpoint` or `_scheme`)."""
    return {"next": args["next"]} if args.get("next") else {}


@bp.get("/glossary")
def glossary():
    """The course's own words (e-tivity, spark, weave, the three levels) in plain English;
    pages link to an entry where a newcomer first meets the word."""
    return render_template("main/glossary.html", initiator_threads=INITIATOR_THREADS)


@bp.get("/healthz")
def healthz():
    """Ok only when the database answers and would take a write (a backup or a long report
    holding the write lock makes it 503, so a load balancer can tell)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure of the database means "not healthy"
        current_app.logger.exception("health check: database did not answer")
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    db.session.rollback()  # end the read before probing, so it holds nothing
    if not database.accepts_writes(current_app.config["HEALTHZ_WRITE_TIMEOUT"]):
        return {"status": "unavailable", "database": "read-only or busy"}, 503
    return {"status": "ok"}
