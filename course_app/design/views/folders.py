"""The round trip from the browser: download the course folder as a zip, upload one."""

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ... import security_log
from ...clock import utcnow
from ...content import check_files
from ...content.archive import files_from_zip, whole_zip, zip_bytes
from ...content.writing import folder_files
from ...courses.export import course_spec
from ...extensions import db
from ...inputs import downloaded_as_page
from ...rendering import plural
from .. import bp, drafts, services
from ..forms import UploadForm
from ..impact import of_upload
from .common import authored


@bp.get("/<slug>/download")
@login_required
@downloaded_as_page
def download(slug: str):
    """The course as its folder (modules/README.md's format), zipped."""
    course = authored(slug)
    data = zip_bytes(course.slug, folder_files(course_spec(course)))
    security_log.record("design.download", course=course.slug)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f"attachment; filename={course.slug}.zip"})


@bp.route("/<slug>/upload", methods=["GET", "POST"])
@login_required
def upload(slug: str):
    """A zipped folder replaces the course's published content once nothing in it is wrong;
    every problem is listed with its file and line, as `course validate` would list it.
    When cohorts run the course, what it will change is said first, and the author uploads
    the same zip again to go ahead. Refused while drafts wait: publish or discard them (the
    chosen file is not kept: the author chooses it again)."""
    course = authored(slug)
    form = UploadForm()
    problems, skipped, status, impact = [], [], 200, None
    waiting = len(drafts.pending(course))
    if form.is_submitted() and waiting:
        flash("The zip was not uploaded: " + plural(
            waiting, "draft waits to be published; publish or discard it",
            "drafts wait to be published; publish or discard them") +
            " first, so nothing is lost, then choose the zip again on the upload page.")
        return redirect(url_for("design.publish", slug=course.slug))
    if form.is_submitted():
        status = 400
        if form.validate():
            data, filename = form.archive.data.read(), form.archive.data.filename
            files, problems, skipped = files_from_zip(data, course.slug, filename)
            whole = [p for p in problems if whole_zip(p, filename, course.slug)]
            if whole:  # not a course folder's zip at all: said beside the box
                form.archive.errors = [*form.archive.errors,
                                       *(f"{p.file} {p.message}." for p in whole)]
                problems = []
            elif not problems:
                spec, problems = check_files(course.slug, files)
                if not problems and spec is not None and (impact := of_upload(
                        course, spec)) and form.confirm.data != impact.fingerprint:
                    form.confirm.data, status = impact.fingerprint, 200
                elif not problems and spec is not None:
                    result = services.replace_content(course, spec, current_user, utcnow())
                    db.session.commit()
                    flash(f"Uploaded: {plural(len(result.added), 'e-tivity', 'e-tivities')} added, "
                          f"{len(result.updated)} changed, {len(result.retired)} retired."
                          + (f" Left out: {', '.join(skipped)}." if skipped else ""))
                    return redirect(url_for("design.storyboard", slug=course.slug))
            if problems:
                form.archive.errors = [*form.archive.errors,
                                       f"The zip has {plural(len(problems), 'problem', 'problems')}"
                                       ": see the list."]
    return render_template("design/upload.html", course=course, form=form, impact=impact,
                           problems=problems, skipped=skipped, waiting=waiting), status
