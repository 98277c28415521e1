"""E-tivities in the designer: Salmon's template as a form (with a Markdown preview and a
preview as a learner), kept as drafts until published, and the storyboard's buttons: move,
copy, retire, bring back, and restoring earlier text from the history as a draft."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ... import drafts as typed_drafts  # what was typed when the session had ended
from ...clock import utcnow
from ...content import CompletionRule
from ...extensions import db
from ...forms import ButtonForm
from .. import bp, drafts, services
from ..editing import (
    add_spare_rows,
    check_etivity,
    fill_etivity_form,
    restore_fields,
    show_errors,
)
from ..forms import EtivityForm, MoveForm
from ..impact import of_retiring
from ..models import CourseChange
from ..storyboard import rule_words
from ..wording import change_rows
from .common import authored, etivity_of, form_version, history_page, to_card

MOVES = ("up", "down", *(f"stage-{n}" for n in range(1, 6)))


class Draft:
    """The form's draft in the shape the e-tivity page reads (for Preview as a learner)."""

    def __init__(self, form: EtivityForm, stage: int, spec=None):
        self.stage_number = stage
        for name in ("title", "summary", "purpose", "spark", "task", "interaction", "next"):
            setattr(self, name, getattr(form, name).data or "")
        self.minutes = spec.minutes if spec else form.minutes.data
        self.days = spec.days if spec else form.days.data
        self.required = bool(form.required.data)


class NewDraft:
    """A new e-tivity's draft where the form page expects an e-tivity (slug and title)."""

    id = None

    def __init__(self, draft):
        self.slug, self.title = draft.key, draft.what


def _editor(slug: str, etivity_slug: str | None, stage: int | None):
    """GET shows the form (with the draft, if there is one); POST with action=preview shows
    it again with previews; POST otherwise checks the draft through content/ and keeps it
    as a draft, for an author to publish."""
    course = authored(slug)
    draft = drafts.draft_for(course, etivity_slug) if etivity_slug else None
    etivity = etivity_of(course, etivity_slug) if etivity_slug and (
        draft is None or draft.etivity is not None) else None
    stage = etivity.stage_number if etivity else (draft.stage if draft else stage)
    shown = etivity or (NewDraft(draft) if draft else None)
    form = EtivityForm()
    more, conflict, status, preview = [], None, 200, None
    if not form.is_submitted() and (kept := typed_drafts.pop()):
        form = EtivityForm(formdata=MultiDict(kept))  # as sent, the version it was opened at
        if draft is not None and etivity is None:
            form.slug.data = draft.key
        add_spare_rows(form)
        return _page(course, shown, stage, form, more, conflict, preview, draft), status
    if not form.is_submitted():
        if etivity is not None:
            fill_etivity_form(form, etivity)
        else:
            form.required.data = True
        if draft is not None:
            restore_fields(form, draft.fields)
            form.slug.data = draft.key
            if etivity is None:
                form.version.data = str(draft.version)
        return _page(course, shown, stage, form, more, conflict, preview, draft), status
    if draft is not None and etivity is None:
        form.slug.data = draft.key  # a new e-tivity's slug is fixed by its first save
    checked = check_etivity(course, etivity, form, stage)
    if not form.validate():  # only the CSRF token can fail here
        status = 400
    elif checked.errors:
        more = show_errors(form, checked.errors)
        status = 400
    elif request.form.get("action") == "preview":
        preview = Draft(form, stage, checked.spec)
    else:
        try:
            saved = drafts.save_etivity(course, etivity, checked.spec, current_user, utcnow(),
                                        version=form_version(form),
                                        force=form.replace.data == "yes")
        except services.VersionConflict as error:
            conflict, status = error, 409
            form.version.data, form.replace.data = str(error.version), "yes"
        except services.DesignError as error:
            form.slug.errors = [*form.slug.errors, str(error)]
            status = 400
        else:
            db.session.commit()
            flash(f"Saved {checked.spec.title} as a draft: learners see it once you publish."
                  if saved else f"{checked.spec.title} is as published: no draft kept.")
            return to_card(course.slug, checked.spec.slug)
    add_spare_rows(form)
    return _page(course, shown, stage, form, more, conflict, preview, draft), status


def _page(course, etivity, stage, form, more, conflict, preview, draft):
    rule = rule_words(_rule(form))
    return render_template("design/etivity.html", course=course, etivity=etivity,
                           stage=stage, form=form, more=more, conflict=conflict,
                           conflict_rows=change_rows(conflict.changes) if conflict else [],
                           preview=preview, rule=rule, draft=draft)


def _rule(form: EtivityForm) -> CompletionRule:
    """The rule the three boxes say, for the sentence beside them (0 for what isn't a count)."""
    def count(value):
        value = (value or "").strip()
        return int(value) if value.isdigit() and len(value) < 6 else 0
    return CompletionRule(count(form.observe.data), count(form.interact.data),
                          count(form.initiate.data),
                          any_post=bool(form.observe_facilitators.data))


@bp.route("/<slug>/stages/<int:stage>/new", methods=["GET", "POST"])
@typed_drafts.login_required_keeping_drafts
def new_etivity(slug: str, stage: int):
    if stage not in range(1, 6):
        authored(slug)
        abort(404)
    return _editor(slug, None, stage)


@bp.route("/<slug>/etivities/<etivity_slug>", methods=["GET", "POST"])
@typed_drafts.login_required_keeping_drafts
def etivity(slug: str, etivity_slug: str):
    return _editor(slug, etivity_slug, None)


@bp.post("/<slug>/etivities/<etivity_slug>/move")
@login_required
def move(slug: str, etivity_slug: str):
    course = authored(slug)
    draft = drafts.draft_for(course, etivity_slug)
    if draft is not None and draft.is_new:
        return _move_new(course, draft)
    etivity = etivity_of(course, etivity_slug)
    form = MoveForm()
    if form.validate() and form.to.data in MOVES and not etivity.retired:
        try:
            services.move(course, etivity, form.to.data, current_user, utcnow())
        except services.DesignError as error:
            flash(str(error))
        else:
            db.session.commit()
            flash(f"Moved {etivity.title}.")
    else:
        flash("Choose where to move it: up, down or to a stage.")
    return to_card(slug, etivity.slug)


def _move_new(course, draft):
    """A new e-tivity's draft moves to another stage only (drafts.move_new says why)."""
    form = MoveForm()
    try:
        stage = drafts.move_new(course, draft, form.to.data if form.validate() else "",
                                current_user)
    except services.DesignError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(f"Moved {draft.what} to stage {stage}: it is added at "
              "the end of that stage when you publish.")
    return to_card(course.slug, draft.key)


def _button(slug: str, etivity_slug: str, action, words: str, retired: bool):
    course = authored(slug)
    etivity = etivity_of(course, etivity_slug)
    if ButtonForm().validate() and etivity.retired == retired:
        action(course, etivity, current_user, utcnow())
        db.session.commit()
        flash(words.format(title=etivity.title))
    return to_card(slug, etivity.slug)


@bp.post("/<slug>/etivities/<etivity_slug>/copy")
@login_required
def copy(slug: str, etivity_slug: str):
    """The copy is a new e-tivity's draft, at the end of the stage once published."""
    course = authored(slug)
    etivity = etivity_of(course, etivity_slug)
    if ButtonForm().validate() and not etivity.retired:
        copied = drafts.copy_etivity(course, etivity, current_user, utcnow())
        db.session.commit()
        flash(f"Copied {etivity.title} as a draft: publish to add it to the end of its stage.")
        return to_card(slug, copied.key)
    return to_card(slug, etivity.slug)


@bp.post("/<slug>/etivities/<etivity_slug>/retire")
@login_required
def retire(slug: str, etivity_slug: str):
    """Running cohorts hear what retiring does first; the second press retires."""
    course = authored(slug)
    etivity = etivity_of(course, etivity_slug)
    impact = of_retiring(course, etivity)
    if impact and not etivity.retired and request.form.get("confirm") != impact.fingerprint:
        return render_template("design/confirm_retire.html", course=course, etivity=etivity,
                               impact=impact)
    return _button(slug, etivity_slug, services.retire,
                   "Retired {title}: learners no longer see it; its conversations are kept.",
                   retired=False)


@bp.post("/<slug>/etivities/<etivity_slug>/restore")
@login_required
def restore(slug: str, etivity_slug: str):
    return _button(slug, etivity_slug, services.bring_back,
                   "Brought back {title} at the end of its stage.", retired=True)


@bp.get("/<slug>/etivities/<etivity_slug>/history")
@login_required
def etivity_history(slug: str, etivity_slug: str):
    course = authored(slug)
    etivity = etivity_of(course, etivity_slug)
    return render_template("design/history.html", course=course,
                           page=history_page(course, etivity), etivity=etivity)


@bp.post("/<slug>/etivities/<etivity_slug>/history/<int:change_id>/restore")
@login_required
def restore_change(slug: str, etivity_slug: str, change_id: int):
    """The fields a recorded change altered, as they were before it, become a draft."""
    course = authored(slug)
    etivity = etivity_of(course, etivity_slug)
    change = db.session.get(CourseChange, change_id)
    if change is None or change.etivity_id != etivity.id:
        abort(404)
    if ButtonForm().validate():
        before = {name: old for name, (old, _new) in change.changes.items()}
        kept = drafts.restore(course, etivity, before, current_user, utcnow())
        db.session.commit()
        flash(f"A draft of {etivity.title} holds the text from before that change: check "
              "it and publish." if kept else f"{etivity.title} is already as it was then.")
    return redirect(url_for("design.etivity", slug=slug, etivity_slug=etivity.slug))
