"""Overrides: opening a stage or an e-tivity early, marking an e-tivity complete by hand."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...auth.models import User
from ...clock import utcnow
from ...cohorts.models import Cohort
from ...courses.models import Etivity
from ...extensions import db
from ...inputs import as_id, page_arg
from ...paging import paginate
from .. import bp
from .. import overrides as service
from ..errors import FacilitateError
from ..forms import CompleteByHandForm, OpenEtivityForm, OpenStageForm
from ..people import learner_choices
from .common import facilitated, field_error

CHANGES_SHOWN = 10  # of each list on the overrides page, the newest; "See all" pages the rest
CHANGES_PER_PAGE = 25


@bp.route("/cohorts/<int:cohort_id>/overrides", methods=["GET", "POST"])
@login_required
def overrides(cohort_id: int):
    """Open a stage or an e-tivity early; mark an e-tivity complete by hand. Three forms on
    one page; the hidden field `which` says which was sent."""
    cohort = facilitated(cohort_id)
    learners = learner_choices(cohort)
    etivities = cohort.course.active_etivities
    sent = request.form.get("which") if request.method == "POST" else None

    def build(cls, prefix, **kw):
        formdata = None if sent != prefix else request.form
        return cls.with_choices(learners, etivities, prefix=prefix, formdata=formdata, **kw)

    forms = {
        "stage": build(OpenStageForm, "stage", stages=cohort.course.stages, everyone=True),
        "etivity": build(OpenEtivityForm, "etivity", everyone=True),
        "complete": build(CompleteByHandForm, "complete"),
    }
    if request.method == "GET":
        chosen = request.args.get("learner", "")
        if chosen in {str(u.id) for u in learners}:
            for form in forms.values():
                form.learner.data = chosen
    elif sent not in forms:
        abort(400)
    elif forms[sent].validate_on_submit():
        response = _override(cohort, sent, forms[sent], {u.id: u for u in learners},
                             {e.id: e for e in etivities})
        if response is not None:
            return response
    opened = paginate(service.opened_early(cohort), 1, CHANGES_SHOWN)
    by_hand = paginate(service.marked_by_hand(cohort), 1, CHANGES_SHOWN)
    failed = any(form.errors for form in forms.values())
    return render_template("facilitate/moderate/overrides.html", cohort=cohort, forms=forms,
                           learners=learners, opened=opened, by_hand=by_hand,
                           opened_rows=service.override_rows(cohort, opened.items),
                           by_hand_rows=service.by_hand_rows(cohort, by_hand.items)), \
        400 if failed else 200


# Each list of changes by hand: its query and its rows (see service.opened_early, ...).
CHANGES = {"opened": (service.opened_early, service.override_rows),
           "by-hand": (service.marked_by_hand, service.by_hand_rows)}


@bp.get('/cohorts/<int:cohort_id>/overrides/<any(opened, "by-hand"):which>')
@login_required
def changes(cohort_id: int, which: str):
    """Everything opened early, or every completion marked by hand, in the cohort, newest
    first, a page at a time."""
    cohort = facilitated(cohort_id)
    query, rows = CHANGES[which]
    page = paginate(query(cohort), page_arg(), CHANGES_PER_PAGE)
    return render_template("facilitate/moderate/overrides_all.html", cohort=cohort,
                           page=page, which=which, rows=rows(cohort, page.items))


def _override(cohort: Cohort, kind: str, form, learners: dict[int, User],
              etivities: dict[int, Etivity]):
    """Ask first where it can't be undone (everyone, or a completion), then do it."""
    learner = learners.get(as_id(form.learner.data))
    etivity = etivities.get(as_id(form.etivity.data)) if hasattr(form, "etivity") else None
    who = learner.name if learner else "everyone"
    if kind == "stage":
        what = f"stage {form.stage.data}"
    else:
        what = f"“{etivity.title}”" if etivity else "that e-tivity"
    if not form.confirmed and (learner is None or kind == "complete"):
        if kind == "complete":
            try:  # refused now, not after "are you sure?"
                service.check_mark_complete(cohort, learner, etivity, utcnow())
            except FacilitateError as error:
                field_error(form, error, "learner")
                return None
            question = f"Mark {what} complete for {who}?"
            detail = (f"It will show as done by hand, by you, on {who}’s course map and "
                      "progress. Completion is kept for good, so this can't be undone.")
            button = "Yes, mark it complete"
        else:
            question = f"Open {what} early for everyone?"
            detail = ("Every learner in the cohort, including anyone who joins later, can "
                      "enter it now, whatever they have completed. This can't be undone.")
            button = "Yes, open it for everyone"
        return render_template("facilitate/moderate/confirm.html", cohort=cohort, form=form,
                               kind=kind, question=question, detail=detail, button=button)
    now = utcnow()
    try:
        if kind == "complete":
            service.mark_complete(cohort, current_user, learner, etivity, now)
            message = f"{what} is marked complete for {who}, by hand."
        elif kind == "stage":
            service.open_early(cohort, current_user, now, stage_number=int(form.stage.data),
                                learner=learner)
            message = f"Stage {form.stage.data} is open for {who} now."
        else:
            service.open_early(cohort, current_user, now, etivity=etivity, learner=learner)
            message = f"{what} is open for {who} now."
    except FacilitateError as error:
        db.session.rollback()
        field_error(form, error, "learner")
        return None
    db.session.commit()
    flash(message[0].upper() + message[1:], "success")
    return redirect(url_for(".overrides", cohort_id=cohort.id))
