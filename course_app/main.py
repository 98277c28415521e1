"""The home page, the glossary and the health check."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import select, text

from . import database
from .cohorts.services import cohorts_of
from .courses.models import Course
from .extensions import db
from .progress.rules import INITIATOR_THREADS

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    my_cohorts = cohorts_of(current_user) if current_user.is_authenticated else []
    return render_template("main/index.html", courses=courses, my_cohorts=my_cohorts)


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
