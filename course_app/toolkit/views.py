"""The toolkit's pages: the cohort's toolkit (as a page, Markdown and a printable page), a
section (its current version, choosing it, its editor, earlier cohorts' versions), the
facilitator's publish switch, each person's consent, and the published read-only page."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..clock import utcnow
from ..cohorts.models import Cohort
from ..discussions.lookups import etivity_or_404, post_or_404
from ..extensions import db
from ..facilitate.people import learners_of
from ..facilitate.weaving import weavable_page
from ..inputs import page_arg
from ..permissions import can_facilitate, cohort_or_404
from . import bp
from . import services as service
from .forms import ConsentForm, EditorForm, MarkCurrentForm, PublishForm
from .services import ToolkitError


def _toolkit_etivity_or_404(cohort: Cohort, slug: str):
    etivity = etivity_or_404(cohort, slug)
    if not etivity.toolkit_slug:
        abort(404)
    return etivity


def _render_page(cohort: Cohort, publish_form=None, consent_form=None, status: int = 200):
    facilitating = can_facilitate(current_user, cohort)
    published = service.publication(cohort)
    if publish_form is None and facilitating:
        publish_form = PublishForm(publish="yes" if published else "no")
    if consent_form is None and service.may_consent(current_user, cohort):
        consent_form = ConsentForm(
            consent="yes" if current_user.id in service.consenting(cohort) else "no")
    sections = _sections(cohort)
    return render_template(
        "toolkit/toolkit.html", cohort=cohort, sections=sections,
        sees_every_section=service.sees_every_section(sections),
        published=published, publish_form=publish_form, consent_form=consent_form,
        facilitating=facilitating), status


@bp.get("/cohorts/<int:cohort_id>/toolkit")
@login_required
def page(cohort_id: int):
    return _render_page(cohort_or_404(cohort_id))


def _sections(cohort: Cohort) -> list[service.Section]:
    """The sections as the person asking may see them (a learner: what each e-tivity shows
    them)."""
    return service.sections(cohort, reader=current_user, today=utcnow().date())


def _markdown(cohort: Cohort, public: bool) -> Response:
    """The toolkit as a Markdown file: on the public page's terms when `public`, else as the
    person asking may see it."""
    text = service.as_markdown(cohort, service.sections(cohort) if public else _sections(cohort),
                               public=public)
    return Response(text, mimetype="text/markdown", headers={
        "Content-Disposition": f'attachment; filename="toolkit-cohort-{cohort.id}.md"'})


@bp.get("/cohorts/<int:cohort_id>/toolkit.md")
@login_required
def download(cohort_id: int):
    return _markdown(cohort_or_404(cohort_id), public=False)


@bp.get("/cohorts/<int:cohort_id>/toolkit/print")
@login_required
def printable(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    return render_template("toolkit/print.html", cohort=cohort,
                           sections=_sections(cohort), public=False)


def _published_or_404(cohort_id: int) -> Cohort:
    """A cohort whose toolkit is published; nobody learns of an unpublished one."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or service.publication(cohort) is None:
        abort(404)
    return cohort


@bp.get("/toolkits/<int:cohort_id>")
def public(cohort_id: int):
    """The published toolkit: anyone may read it."""
    cohort = _published_or_404(cohort_id)
    return render_template("toolkit/print.html", cohort=cohort,
                           sections=service.sections(cohort), public=True)


@bp.get("/toolkits/<int:cohort_id>.md")
def public_download(cohort_id: int):
    """The published toolkit as Markdown, naming only the contributors who agreed."""
    return _markdown(_published_or_404(cohort_id), public=True)


@bp.post("/cohorts/<int:cohort_id>/toolkit/publish")
@login_required
def publish(cohort_id: int):
    cohort = cohort_or_404(cohort_id, allowed=can_facilitate)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_page(cohort, publish_form=form, status=400)
    service.set_published(cohort, form.publish.data == "yes", current_user, utcnow())
    db.session.commit()
    flash("The toolkit is published: anyone with its link can read it."
          if form.publish.data == "yes" else "The toolkit is no longer public.", "success")
    return redirect(url_for(".page", cohort_id=cohort.id, _anchor="publishing"))


@bp.post("/cohorts/<int:cohort_id>/toolkit/consent")
@login_required
def consent(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    if not service.may_consent(current_user, cohort):
        abort(403)
    form = ConsentForm()
    if not form.validate_on_submit():
        return _render_page(cohort, consent_form=form, status=400)
    service.set_consent(cohort, current_user, form.consent.data == "yes", utcnow())
    db.session.commit()
    flash("Your name will be shown on the public toolkit." if form.consent.data == "yes"
          else "Your name won't be shown on the public toolkit.", "success")
    return redirect(url_for(".page", cohort_id=cohort.id, _anchor="your-name"))


# ---- a section ----------------------------------------------------------------------

def _learners(cohort: Cohort):
    return sorted((user for user, _m in learners_of(cohort).values()),
                  key=lambda u: (u.name, u.id))


def _section(cohort: Cohort, etivity) -> service.Section:
    return service.section_for(cohort, etivity, reader=current_user, today=utcnow().date())


def _render_section(cohort: Cohort, etivity, mark_form=None, editor_form=None,
                    status: int = 200):
    section = _section(cohort, etivity)
    may_mark = service.may_mark(current_user, cohort, section)
    facilitating = can_facilitate(current_user, cohort)
    if editor_form is None and facilitating:
        editor_form = EditorForm.for_learners(_learners(cohort),
                                              section.editor.id if section.editor else None)
    candidates_page, candidates = (weavable_page(cohort, etivity, page_arg()) if may_mark
                                   else (None, []))
    return render_template(
        "toolkit/section.html", cohort=cohort, etivity=etivity, section=section,
        candidates=candidates, candidates_page=candidates_page,
        mark_form=mark_form or MarkCurrentForm(), may_mark=may_mark,
        editor_form=editor_form,
        # Earlier cohorts' versions of a section the reader may not see yet would show it.
        earlier=service.earlier_published(cohort, etivity) if section.access.full else []
    ), status


@bp.get("/cohorts/<int:cohort_id>/toolkit/e/<slug>")
@login_required
def section(cohort_id: int, slug: str):
    cohort = cohort_or_404(cohort_id)
    return _render_section(cohort, _toolkit_etivity_or_404(cohort, slug))


@bp.post("/cohorts/<int:cohort_id>/toolkit/e/<slug>/current")
@login_required
def mark_current(cohort_id: int, slug: str):
    cohort = cohort_or_404(cohort_id)
    etivity = _toolkit_etivity_or_404(cohort, slug)
    if not service.may_mark(current_user, cohort, _section(cohort, etivity)):
        abort(403)
    form = MarkCurrentForm()
    if not form.validate_on_submit():
        # The post is the button pressed, not a field: its message goes above the list.
        form.form_errors.extend(form.post_id.errors)
        form.post_id.errors = []
        return _render_section(cohort, etivity, mark_form=form, status=400)
    post = post_or_404(cohort, form.post_id.data)
    try:
        service.mark_current(cohort, etivity, post, current_user, utcnow())
    except ToolkitError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _render_section(cohort, etivity, mark_form=form, status=400)
    db.session.commit()
    flash(f"{post.author.name}'s post is now the current “{service.title_of(etivity)}”.", "success")
    return redirect(url_for(".section", cohort_id=cohort.id, slug=etivity.slug))


@bp.post("/cohorts/<int:cohort_id>/toolkit/e/<slug>/editor")
@login_required
def set_editor(cohort_id: int, slug: str):
    cohort = cohort_or_404(cohort_id, allowed=can_facilitate)
    etivity = _toolkit_etivity_or_404(cohort, slug)
    form = EditorForm.for_learners(_learners(cohort), None)
    if form.validate_on_submit():
        try:
            row = service.set_editor(cohort, etivity, None if form.nobody else
                                     (form.editor_id or 0), current_user, utcnow())
        except ToolkitError as error:
            db.session.rollback()
            form.editor.errors = [*form.editor.errors, str(error)]
        else:
            db.session.commit()
            flash(f"{row.editor.name} is the editor of “{service.title_of(etivity)}”." if row.editor
                  else f"“{service.title_of(etivity)}” has no learner editor now.", "success")
            return redirect(url_for(".section", cohort_id=cohort.id, slug=etivity.slug))
    return _render_section(cohort, etivity, editor_form=form, status=400)
