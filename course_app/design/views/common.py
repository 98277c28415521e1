"""What the designer's views share: loading a course its author may change."""

from flask import abort, redirect, url_for
from flask_login import current_user

from ...courses.models import Course, Etivity
from ...courses.services import get_course
from ...inputs import page_arg
from ...paging import paginate
from ...permissions import can_author, can_design_any
from .. import services

HISTORY_PER_PAGE = 25  # changes on a page of a course's or an e-tivity's history


def authored(slug: str) -> Course:
    """The course, for its authors and admins: 404 when there is none, 403 for others."""
    course = get_course(slug)
    if course is None:
        abort(404)
    if not can_author(current_user, course):
        abort(403)
    return course


def designer() -> None:
    """Only people with a course to design (or admins) may start a new one."""
    if not can_design_any(current_user):
        abort(403)


def etivity_of(course: Course, slug: str) -> Etivity:
    etivity = next((e for e in course.etivities if e.slug == slug), None)
    if etivity is None:
        abort(404)
    return etivity


def form_version(form) -> int | None:
    """The version a design form was opened at (its hidden `version`), if it reads as one."""
    value = (form.version.data or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def history_page(course: Course, etivity: Etivity | None = None):
    """The page of the course's (or the e-tivity's) history that `?page=` asks for."""
    return paginate(services.history(course, etivity), page_arg(), HISTORY_PER_PAGE)


def to_card(slug: str, card: str):
    """Back to the storyboard at an e-tivity's card (static/js/flash-here.js shows the
    action's message there)."""
    return redirect(url_for("design.storyboard", slug=slug, _anchor=f"card-{card}"))
