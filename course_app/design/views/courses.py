"""Courses in the designer: the list, a new course, a copy, the storyboard, the course's own
texts, its authors and its history."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ...auth.services import find_by_email
from ...clock import utcnow
from ...courses.models import CourseAuthor
from ...courses.services import CourseSlugTaken
from ...extensions import db
from ...forms import ButtonForm
from ...permissions import can_manage_authors
from .. import bp, drafts, services
from ..editing import check_course, fill_course_draft, fill_course_form, show_errors
from ..forms import AuthorForm, CourseForm, DuplicateForm, NewCourseForm
from ..storyboard import storyboard as build_storyboard
from ..wording import change_rows
from .common import authored, designer, form_version, history_page


@bp.get("/")
@login_required
def index():
    """The courses this person may design, and a way to start another."""
    designer()
    return render_template("design/index.html", courses=services.courses_for(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_course():
    designer()
    form = NewCourseForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                course = services.create_course(form.slug.data, form.title.data,
                                                 form.summary.data, form.audience.data,
                                                 current_user, utcnow())
            except CourseSlugTaken as error:
                form.slug.errors = [f"The slug: {error}."]
            else:
                db.session.commit()
                flash(f"Created {course.title}. Add an e-tivity to each stage.")
                return redirect(url_for("design.storyboard", slug=course.slug))
        status = 400
    return render_template("design/new.html", form=form), status


@bp.route("/<slug>/duplicate", methods=["GET", "POST"])
@login_required
def duplicate(slug: str):
    """Start a new course from a copy of this one (its stages and e-tivities, no cohorts)."""
    course = authored(slug)
    form = DuplicateForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                copy = services.duplicate(course, form.slug.data, form.title.data,
                                          current_user, utcnow())
            except CourseSlugTaken as error:
                form.slug.errors = [f"The slug: {error}."]
            else:
                db.session.commit()
                flash(f"Created {copy.title} as a copy of {course.title}.")
                return redirect(url_for("design.storyboard", slug=copy.slug))
        status = 400
    elif not form.slug.data:
        form.slug.data, form.title.data = f"{course.slug}-copy"[:80], f"{course.title} (copy)"
    return render_template("design/duplicate.html", course=course, form=form,
                           pending=drafts.pending(course)), status


@bp.get("/<slug>")
@login_required
def storyboard(slug: str):
    course = authored(slug)
    pending = drafts.pending(course)
    columns, warnings = build_storyboard(course, pending)
    retired = [e for e in course.etivities if e.retired]
    drafted = {d.key for d in pending}
    return render_template("design/storyboard.html", course=course, columns=columns,
                           warnings=warnings, retired=retired, drafted=drafted,
                           button=ButtonForm(), pending=pending)


@bp.route("/<slug>/course", methods=["GET", "POST"])
@login_required
def course_texts(slug: str):
    """The course's title, summary, audience and time a week, and each stage's texts."""
    course = authored(slug)
    form = CourseForm()
    more, status, preview, conflict = [], 200, False, None
    if form.is_submitted():
        if form.validate():
            spec, errors = check_course(course, form)
            if not errors and spec is not None and request.form.get("action") == "preview":
                preview = True  # the texts rendered as learners will read them; nothing saved
            elif not errors and spec is not None:
                fields = {name: getattr(spec, name) for name in drafts.COURSE_TEXTS}
                stages = {s.number: {name: getattr(s, name) for name in drafts.STAGE_TEXTS}
                          for s in spec.stages}
                try:
                    kept = drafts.save_course(course, fields, stages, current_user, utcnow(),
                                              version=form_version(form),
                                              force=form.replace.data == "yes")
                except services.VersionConflict as error:
                    db.session.rollback()
                    conflict = error
                    form.version.data, form.replace.data = str(error.version), "yes"
                else:
                    db.session.commit()
                    flash("Saved the course's texts as a draft: learners see them once you "
                          "publish." if kept else "The texts are as published: no draft kept.")
                    return redirect(url_for("design.storyboard", slug=course.slug))
            more = show_errors(form, errors)
        status = 409 if conflict else 200 if preview else 400
    else:
        fill_course_form(form, course)
        draft = drafts.draft_for(course, drafts.COURSE_KEY)
        if draft is not None:
            fill_course_draft(form, draft.fields)
    rows = change_rows(conflict.changes, course_texts=True) if conflict else []
    return render_template("design/course.html", course=course, form=form, more=more,
                           preview=preview, conflict=conflict, conflict_rows=rows), status


@bp.route("/<slug>/authors", methods=["GET", "POST"])
@login_required
def authors(slug: str):
    """Who may design the course; its owner and admins add and remove authors."""
    course = authored(slug)
    manage = can_manage_authors(current_user, course)
    form = AuthorForm()
    status = 200
    if form.is_submitted():
        if not manage:
            abort(403)
        if form.validate():
            user = find_by_email(form.email.data)
            if user is None:
                form.email.errors = ["There is no account with that email address. Ask them "
                                     "to create one first."]
            else:
                try:
                    services.add_author(course, user, utcnow(), actor=current_user)
                except services.DesignError as error:
                    form.email.errors = [str(error)]
                else:
                    db.session.commit()
                    flash(f"{user.name} can now design {course.title}.")
                    return redirect(url_for("design.authors", slug=slug))
        status = 400
    people = db.session.scalars(select(CourseAuthor).where(
        CourseAuthor.course_id == course.id).order_by(CourseAuthor.added_at)).all()
    return render_template("design/authors.html", course=course, form=form, people=people,
                           manage=manage, button=ButtonForm()), status


@bp.post("/<slug>/authors/<int:author_id>/remove")
@login_required
def remove_author(slug: str, author_id: int):
    course = authored(slug)
    if not can_manage_authors(current_user, course):
        abort(403)
    author = db.session.get(CourseAuthor, author_id)
    if author is None or author.course_id != course.id:
        abort(404)
    name, email = author.user.name, author.user.email
    try:
        services.remove_author(course, author, current_user, utcnow())
    except services.DesignError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(f"{name} is no longer an author of {course.title}; their changes stay in the "
              f"history. To undo it, add {email} again below.", "success")
    return redirect(url_for("design.authors", slug=slug))


@bp.get("/<slug>/history")
@login_required
def history(slug: str):
    """Every change made in the designer, newest first, a page at a time."""
    course = authored(slug)
    return render_template("design/history.html", course=course, page=history_page(course))
