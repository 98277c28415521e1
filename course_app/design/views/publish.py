"""Publishing a course's drafts: what is pending, what it will change for whom, and the
button that applies it all at once; and discarding a draft."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...clock import utcnow
from ...extensions import db
from ...forms import ButtonForm, ConfirmForm
from ...rendering import plural
from .. import bp, drafts, services
from ..impact import of_publishing
from ..models import DesignDraft
from ..wording import change_rows
from .common import authored


def rows(draft: DesignDraft) -> list[tuple[str, object, object]]:
    """(field's label, published, draft) for each field the draft changes; a new
    e-tivity's has nothing published, and lists only the fields it fills in."""
    if draft.key == drafts.COURSE_KEY:
        course = draft.course
        changes = {k: [getattr(course, k), v] for k, v in draft.fields["course"].items()}
        by_number = {stage.number: stage for stage in course.stages}
        for number, values in draft.fields["stages"].items():
            stage = by_number[int(number)]
            changes.update({f"stages[{number}].{k}": [getattr(stage, k), v]
                            for k, v in values.items()})
        return change_rows({k: v for k, v in changes.items() if v[0] != v[1]},
                           course_texts=True)
    if draft.etivity is None:
        return change_rows({k: [None, v] for k, v in draft.fields.items()
                            if v not in (None, "", [], False)})
    return change_rows({k: [getattr(draft.etivity, k), v] for k, v in draft.fields.items()})


@bp.route("/<slug>/publish", methods=["GET", "POST"])
@login_required
def publish(slug: str):
    """GET lists every draft and what publishing will do to running cohorts; POST (with the
    impact it was shown) publishes them in one transaction."""
    course = authored(slug)
    if request.method == "POST":
        drafts.lock(course)  # one publish at a time: the second finds nothing pending
    pending = drafts.pending(course, fresh=True)
    impact = of_publishing(course, pending)
    status = 200
    if request.method == "POST" and ButtonForm().validate():
        if not pending:
            flash("Nothing to publish: every change is already published.")
            return redirect(url_for("design.storyboard", slug=slug))
        if impact and request.form.get("confirm") != impact.fingerprint:
            flash("What publishing will change has changed since you looked: read it again.")
            status = 409
        else:
            try:
                count = drafts.publish(course, current_user, utcnow())
            except services.DesignError as error:
                db.session.rollback()
                flash(str(error))
                status = 409
            else:
                db.session.commit()
                flash(f"Published {plural(count, 'change', 'changes')}: learners see them now.")
                return redirect(url_for("design.storyboard", slug=slug))
    elif request.method == "POST":
        status = 400
    return render_template("design/publish.html", course=course, pending=pending,
                           impact=impact, rows=rows, button=ButtonForm()), status


@bp.post("/<slug>/drafts/<int:draft_id>/discard")
@login_required
def discard_draft(slug: str, draft_id: int):
    """The first press asks, naming what would be lost; the second (confirming the draft as
    it was shown: saved again since, it asks again) discards."""
    course = authored(slug)
    draft = db.session.get(DesignDraft, draft_id)
    if draft is None or draft.course_id != course.id:
        abort(404)
    form = ConfirmForm()
    seen = draft.updated_at.isoformat()
    if not form.validate() or form.confirm.data != seen:
        return render_template("design/confirm_discard.html", course=course, draft=draft,
                               seen=seen, again=form.confirmed)
    drafts.discard(course, draft, current_user)
    db.session.commit()
    flash(f"Discarded the draft of {draft.what}: the published version stands.")
    return redirect(url_for("design.publish", slug=slug))
