"""The home page and the health check."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import select, text

from .cohorts.services import cohorts_of
from .courses.models import Course
from .extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    my_cohorts = cohorts_of(current_user) if current_user.is_authenticated else []
    return render_template("main/index.html", courses=courses, my_cohorts=my_cohorts)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure of the database means "not healthy"
        current_app.logger.exception("health check: database did not answer")
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok"}
