from flask import abort, render_template
from sqlalchemy import select

from ..extensions import db
from . import bp
from .models import Course


@bp.get("/<slug>")
def course(slug: str):
    """The course at a glance, readable without logging in."""
    course = db.session.scalar(select(Course).where(Course.slug == slug)) or abort(404)
    return render_template("courses/course.html", course=course)
