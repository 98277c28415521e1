"""The people page: learners, co-facilitators and reviewers; adding staff, removing someone."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...clock import utcnow
from ...cohorts.models import MemberRole, Membership
from ...extensions import db
from ...forms import ButtonForm, ConfirmForm
from ...inputs import page_arg
from ...paging import paginate
from ...permissions import belongs_or_404
from ...progress.standing import cohort_progress
from .. import bp
from .. import people as service
from ..errors import FacilitateError
from ..forms import StaffForm
from .common import facilitated, show_error

REMOVED_SHOWN = 10  # on the people page, the most recently removed; "See all" pages the rest
REMOVED_PER_PAGE = 25


@bp.route("/cohorts/<int:cohort_id>/people", methods=["GET", "POST"])
@login_required
def people(cohort_id: int):
    cohort = facilitated(cohort_id)
    form = StaffForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            role = MemberRole(form.role.data)
            try:
                membership = service.add_staff(cohort, current_user, form.email.data, role,
                                                utcnow())
            except FacilitateError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                as_what = "co-facilitator" if role == MemberRole.FACILITATOR else "reviewer"
                flash(f"{membership.user.name} is now a {as_what} of {cohort.name}.", "success")
                return redirect(url_for(".people", cohort_id=cohort.id, _anchor="staff"))
        status = 400
    now = utcnow()
    page = service.learners_page(cohort, page_arg())
    standings = cohort_progress(cohort, now.date(), {m.user_id for m in page.items})
    facilitators, reviewers = service.staff(cohort)
    recently_removed = paginate(service.removed(cohort), 1, REMOVED_SHOWN)
    return render_template("facilitate/people.html", cohort=cohort, form=form, page=page,
                           standings=standings, facilitators=facilitators, reviewers=reviewers,
                           removed=recently_removed), status


@bp.get("/cohorts/<int:cohort_id>/people/removed")
@login_required
def removed(cohort_id: int):
    """Everyone taken out of the cohort, the most recently removed first, a page at a time."""
    cohort = facilitated(cohort_id)
    page = paginate(service.removed(cohort), page_arg(), REMOVED_PER_PAGE)
    return render_template("facilitate/removed.html", cohort=cohort, page=page)


@bp.route("/cohorts/<int:cohort_id>/people/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(cohort_id: int, membership_id: int):
    """GET asks "Remove X? Their posts stay."; POST removes them."""
    cohort = facilitated(cohort_id)
    membership = belongs_or_404(db.session.get(Membership, membership_id), cohort)
    back = redirect(url_for(".people", cohort_id=cohort.id))
    if not membership.active:
        flash(f"{membership.user.name} was already removed from this cohort.", "info")
        return back
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.remove_member(cohort, membership, current_user, utcnow())
        except FacilitateError as error:
            db.session.rollback()
            flash(f"{error} Nobody was removed.", "error")
            return back
        db.session.commit()
        flash(f"{membership.user.name} is no longer in {cohort.name}. Their posts stay; "
              "if that was a mistake, bring them back under “Removed from the cohort”.",
              "success")
        return back
    return render_template("facilitate/remove_member.html", cohort=cohort,
                           membership=membership, form=form)


@bp.post("/cohorts/<int:cohort_id>/people/<int:membership_id>/bring-back")
@login_required
def bring_back(cohort_id: int, membership_id: int):
    """Undo a removal (it asked first, so this acts at once, and "Remove" undoes it)."""
    cohort = facilitated(cohort_id)
    membership = belongs_or_404(db.session.get(Membership, membership_id), cohort)
    if ButtonForm().validate_on_submit():
        try:
            service.bring_back(cohort, membership, current_user, utcnow())
        except FacilitateError as error:
            db.session.rollback()
            flash(f"{error} Nobody was brought back.", "error")
        else:
            db.session.commit()
            flash(f"{membership.user.name} is in {cohort.name} again, as a "
                  f"{membership.role.value}, with their posts and progress as they were.",
                  "success")
    return redirect(url_for(".people", cohort_id=cohort.id))
