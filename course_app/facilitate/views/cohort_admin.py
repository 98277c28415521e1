"""Running a cohort as a whole: opening one, its settings and pacing, its state and its
enrolment key."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ...clock import utcnow
from ...cohorts.models import CohortState
from ...cohorts.services import default_release_dates
from ...courses.models import Course
from ...extensions import db
from ...forms import ConfirmForm
from .. import bp
from .. import cohort_admin as service
from ..cohort_admin import STATE_WORDS
from ..errors import FacilitateError
from ..forms import NewCohortForm, SettingsForm, StateForm
from .common import facilitated, not_staff, show_error


@dataclass(frozen=True)
class StateAction:
    """A state change as a button: what it says, what it means, whether it asks first."""

    to: CohortState
    label: str
    explains: str
    confirm: bool = False


_CLOSE = ("Close the cohort", "Nobody can join or post any more; everything stays readable. "
          "You can reopen it later.")
STATE_ACTIONS: dict[tuple[CohortState, CohortState], StateAction] = {
    (CohortState.OPEN, CohortState.RUNNING): StateAction(
        CohortState.RUNNING, "Start the cohort",
        "Marks it as running. People can still join with the key or an invite link until you "
        "close it."),
    (CohortState.OPEN, CohortState.CLOSED): StateAction(CohortState.CLOSED, *_CLOSE, True),
    (CohortState.RUNNING, CohortState.CLOSED): StateAction(CohortState.CLOSED, *_CLOSE, True),
    (CohortState.CLOSED, CohortState.RUNNING): StateAction(
        CohortState.RUNNING, "Reopen", "Learners can post again, and new people can join."),
    (CohortState.CLOSED, CohortState.ARCHIVED): StateAction(
        CohortState.ARCHIVED, "Archive",
        "Moves it out of your running cohorts. It stays readable, and you can take it out of "
        "the archive later.", True),
    (CohortState.ARCHIVED, CohortState.CLOSED): StateAction(
        CohortState.CLOSED, "Take it out of the archive",
        "It becomes closed (read only) again; from there you can reopen it."),
}


def _next_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)


# ---- opening a cohort ------------------------------------------------------------

def _suggest_dates(form, course: Course | None) -> str | None:
    """The "Suggest dates" button: release dates from the start date; nothing is stored."""
    if course is None:
        return None
    # The field's own checks (a date, in the sane range) with its message beside it.
    start = form.starts_on.data if form.starts_on.validate(form) else None
    form.fill_release_dates(default_release_dates(course, start or utcnow().date()))
    form.paced.data = True
    return ("We suggested a release date for each stage from the "
            + ("start date" if start else "date today")
            + ", using each stage's suggested days. Change any of them, then save.")


@bp.route("/cohorts/new", methods=["GET", "POST"])
@login_required
def new_cohort():
    if not current_user.is_staff:
        return not_staff()
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    form = NewCohortForm()
    form.course.choices = [SelectChoice(c.id, c.title) for c in courses]
    chosen = next((c for c in courses if c.id == form.course.data), courses[0] if courses else None)
    if chosen is not None:
        form.describe_stages(chosen.stages)
    note, status = None, 200
    if request.method == "GET" and chosen is not None:
        form.starts_on.data = _next_monday(utcnow().date())
        form.fill_release_dates(default_release_dates(chosen, form.starts_on.data))
    elif request.method == "POST" and "suggest" in request.form:
        note = _suggest_dates(form, chosen)
    elif form.validate_on_submit():
        try:
            cohort = service.open_cohort(
                chosen, form.name.data, current_user, utcnow(), starts_on=form.starts_on.data,
                paced=form.paced.data, capacity=form.capacity.data,
                release_dates=form.release_dates(), silent_days=form.silent_days.data)
        except FacilitateError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"{cohort.name} is open. Give learners its enrolment key, "
                  f"{cohort.enrolment_key}, or invite them.", "success")
            return redirect(url_for(".cohort", cohort_id=cohort.id))
        status = 400
    else:
        status = 400
    return render_template("facilitate/new_cohort.html", form=form, courses=courses,
                           note=note), status


# ---- settings --------------------------------------------------------------------

@bp.route("/cohorts/<int:cohort_id>/settings", methods=["GET", "POST"])
@login_required
def settings(cohort_id: int):
    cohort = facilitated(cohort_id)
    form = SettingsForm(obj=cohort) if request.method == "GET" else SettingsForm()
    form.describe_stages(cohort.course.stages)
    note, status = None, 200
    if request.method == "GET":
        if cohort.paced:
            form.fill_release_dates({r.stage_number: r.opens_on for r in cohort.releases})
        else:  # ready for when they tick "Paced"
            form.fill_release_dates(default_release_dates(
                cohort.course, cohort.starts_on or utcnow().date()))
    elif "suggest" in request.form:
        note = _suggest_dates(form, cohort.course)
    elif form.validate_on_submit():
        try:
            service.update_settings(
                cohort, current_user, utcnow(), name=form.name.data,
                starts_on=form.starts_on.data, capacity=form.capacity.data,
                silent_days=form.silent_days.data,
                welcome_message=form.welcome_message.data or "", paced=form.paced.data,
                release_dates=form.release_dates())
        except FacilitateError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(url_for(".cohort", cohort_id=cohort.id))
        status = 400
    else:
        status = 400
    return render_template("facilitate/settings.html", cohort=cohort, form=form,
                           note=note), status


# ---- state and key ---------------------------------------------------------------

@bp.post("/cohorts/<int:cohort_id>/state")
@login_required
def state(cohort_id: int):
    """Sent without confirm=yes, closing and archiving ask first; the rest just happen."""
    cohort = facilitated(cohort_id)
    form = StateForm()
    back = redirect(url_for(".cohort", cohort_id=cohort.id, _anchor="state"))
    try:
        to = CohortState(form.to.data or "")
    except ValueError:
        flash("Choose one of the buttons to change the cohort's state.", "error")
        return back
    seen = next((s for s in CohortState if s.value == form.seen.data), None)
    try:  # on the cohort as it is now (locked), from the state the page showed
        service.check_unchanged(cohort, seen)
        service.check_state_change(cohort, to)
    except FacilitateError as error:
        flash(f"{error} Nothing was changed.", "error")
        return back
    action = STATE_ACTIONS[(cohort.state, to)]
    if action.confirm and not form.confirmed:
        return render_template("facilitate/confirm_state.html", cohort=cohort, action=action,
                               form=form, state_words=STATE_WORDS)
    before = cohort.state
    service.change_state(cohort, to, current_user, utcnow(), seen=seen)
    db.session.commit()
    flash(f"{cohort.name} was {STATE_WORDS[before]} and is now {STATE_WORDS[to]}.", "success")
    return back


@bp.post("/cohorts/<int:cohort_id>/key")
@login_required
def regenerate_key(cohort_id: int):
    """The first POST asks "are you sure?"; the second, with confirm=yes, makes the key."""
    cohort = facilitated(cohort_id)
    form = ConfirmForm()
    if not form.confirmed:
        return render_template("facilitate/confirm_key.html", cohort=cohort, form=form)
    key = service.regenerate_key(cohort, current_user, utcnow())
    db.session.commit()
    flash(f"The new enrolment key is {key}. The old one no longer works; invite links still "
          "do.", "success")
    return redirect(url_for(".cohort", cohort_id=cohort.id, _anchor="key"))
