"""Running a cohort: open one, settings and pacing, state, enrolment key, invites, people.

Every cohort route loads the cohort with `cohort_or_404(…, allowed=can_facilitate)`: people
outside the cohort get 404, its learners and reviewers 403, and nothing is changed. Each
action is one service call from `services`, then one commit.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from .. import mail
from ..clock import utcnow
from ..cohorts.models import Cohort, CohortState, Invite, MemberRole, Membership
from ..cohorts.services import default_release_dates
from ..courses.models import Course
from ..extensions import db
from ..permissions import belongs_or_404, can_facilitate, cohort_or_404
from ..progress.standing import cohort_progress
from . import bp, queries, services
from .forms import (BulkInviteForm, ConfirmForm, InviteLinkForm, NewCohortForm, SettingsForm,
                    StaffForm, StateForm)
from .services import STATE_WORDS, FacilitateError

MAX_UPLOAD = 200 * 1024  # bytes of a CSV of emails (about 8,000 addresses)
UPLOAD_TYPES = (".csv", ".txt")


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


def not_staff():
    """Learners who find their way to the facilitator pages: a friendly refusal."""
    return render_template("facilitate/not_staff.html"), 403


def _facilitated(cohort_id: int) -> Cohort:
    return cohort_or_404(cohort_id, allowed=can_facilitate)


def _show_error(form, error: FacilitateError) -> None:
    """Put a service's refusal beside the field it names, or at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


def _next_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)


# ---- opening a cohort ------------------------------------------------------------

def _suggest_dates(form, course: Course | None) -> str | None:
    """The "Suggest dates" button: release dates from the start date; nothing is stored."""
    if course is None:
        return None
    start = form.starts_on.data if not form.starts_on.errors else None
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
            cohort = services.open_cohort(
                chosen, form.name.data, current_user, utcnow(), starts_on=form.starts_on.data,
                paced=form.paced.data, capacity=form.capacity.data,
                release_dates=form.release_dates(), silent_days=form.silent_days.data)
        except FacilitateError as error:
            db.session.rollback()
            _show_error(form, error)
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
    cohort = _facilitated(cohort_id)
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
            services.update_settings(
                cohort, current_user, utcnow(), name=form.name.data,
                starts_on=form.starts_on.data, capacity=form.capacity.data,
                silent_days=form.silent_days.data,
                welcome_message=form.welcome_message.data or "", paced=form.paced.data,
                release_dates=form.release_dates())
        except FacilitateError as error:
            db.session.rollback()
            _show_error(form, error)
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
    cohort = _facilitated(cohort_id)
    form = StateForm()
    back = redirect(url_for(".cohort", cohort_id=cohort.id, _anchor="state"))
    try:
        to = CohortState(form.to.data or "")
    except ValueError:
        flash("Choose one of the buttons to change the cohort's state.", "error")
        return back
    try:
        services.check_state_change(cohort, to)
    except FacilitateError as error:
        flash(f"{error} Nothing was changed.", "error")
        return back
    action = STATE_ACTIONS[(cohort.state, to)]
    if action.confirm and not form.confirmed:
        return render_template("facilitate/confirm_state.html", cohort=cohort, action=action,
                               form=form, state_words=STATE_WORDS)
    before = cohort.state
    services.change_state(cohort, to, current_user, utcnow())
    db.session.commit()
    flash(f"{cohort.name} was {STATE_WORDS[before]} and is now {STATE_WORDS[to]}.", "success")
    return back


@bp.post("/cohorts/<int:cohort_id>/key")
@login_required
def regenerate_key(cohort_id: int):
    """The first POST asks "are you sure?"; the second, with confirm=yes, makes the key."""
    cohort = _facilitated(cohort_id)
    form = ConfirmForm()
    if not form.confirmed:
        return render_template("facilitate/confirm_key.html", cohort=cohort, form=form)
    key = services.regenerate_key(cohort, current_user, utcnow())
    db.session.commit()
    flash(f"The new enrolment key is {key}. The old one no longer works; invite links still "
          "do.", "success")
    return redirect(url_for(".cohort", cohort_id=cohort.id, _anchor="key"))


# ---- invites ---------------------------------------------------------------------

def invite_link(invite: Invite) -> str:
    return url_for("cohorts.invite", token=invite.token, _external=True)


def _invite_mail(cohort: Cohort, invite: Invite) -> tuple[str, str, str]:
    expiry = (f"The link works until {invite.expires_at:%d %B %Y}.\n\n"
              if invite.expires_at else "")
    body = (f"Hello,\n\n{current_user.name} invites you to join {cohort.name}, a cohort of "
            f"the online course “{cohort.course.title}”.\n\nFollow this link to join (you can "
            f"create an account on the way):\n{invite_link(invite)}\n\n{expiry}"
            "If you weren't expecting this, you can ignore this email.\n")
    return invite.email, f"You're invited to join {cohort.name}", body


def _render_invites(cohort: Cohort, link_form, bulk_form, problems=(), status: int = 200):
    page = queries.invites_page(cohort, request.args.get("page", 1, type=int))
    return render_template(
        "facilitate/invites.html", cohort=cohort, page=page, link_form=link_form,
        bulk_form=bulk_form, problems=problems, now=utcnow(), link=invite_link,
        mailing=mail.enabled(), fresh=request.args.get("new", type=int),
        max_kb=MAX_UPLOAD // 1024), status


def _uploaded_text(storage) -> str:
    """A CSV of emails as text; FacilitateError (on csv_file) when it can't be used."""
    if not storage.filename.lower().endswith(UPLOAD_TYPES):
        raise FacilitateError("Choose a .csv or .txt file (a spreadsheet saved as CSV).",
                              "csv_file")
    data = storage.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise FacilitateError(f"That file is larger than {MAX_UPLOAD // 1024} KB. Split it into "
                              "smaller files, or paste the addresses instead.", "csv_file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FacilitateError("We couldn't read that file as UTF-8 text. In your spreadsheet, "
                              "save it as “CSV UTF-8”, then choose it again.", "csv_file") from None


def _bulk_text(form: BulkInviteForm) -> str:
    pasted = form.emails.data or ""
    if form.csv_file.data:
        if pasted.strip():
            raise FacilitateError("Paste addresses or choose a file, not both: the line "
                                  "numbers we report would be ambiguous. Choose the file again, "
                                  "or clear the box.", "csv_file")
        text = _uploaded_text(form.csv_file.data)
        form.emails.data = text  # if anything is wrong, what was in the file is kept here
        return text
    if len(pasted.encode()) > MAX_UPLOAD:
        raise FacilitateError(f"That is more than {MAX_UPLOAD // 1024} KB of text. Send the "
                              "addresses in smaller batches.", "emails")
    return pasted


def _make_link(cohort: Cohort, link_form: InviteLinkForm, bulk_form: BulkInviteForm):
    if link_form.validate_on_submit():
        try:
            invite = services.create_link_invite(cohort, current_user, utcnow(),
                                                 link_form.expires_in_days.data)
        except FacilitateError as error:
            db.session.rollback()
            _show_error(link_form, error)
        else:
            db.session.commit()
            flash("Your new invite link is ready: copy it from the list below and share it.",
                  "success")
            return redirect(url_for(".invites", cohort_id=cohort.id, new=invite.id,
                                    _anchor=f"invite-{invite.id}"))
    return _render_invites(cohort, link_form, bulk_form, status=400)


def _bulk_invite(cohort: Cohort, link_form: InviteLinkForm, bulk_form: BulkInviteForm):
    if not bulk_form.validate_on_submit():
        return _render_invites(cohort, link_form, bulk_form, status=400)
    try:
        result = services.invite_many(cohort, current_user, _bulk_text(bulk_form), utcnow(),
                                      bulk_form.expires_in_days.data)
    except FacilitateError as error:
        db.session.rollback()
        _show_error(bulk_form, error)
        return _render_invites(cohort, link_form, bulk_form, status=400)
    if not result.invites:
        db.session.rollback()
        bulk_form.emails.errors = [*bulk_form.emails.errors,
                                   "No invitations were made: none of the lines has an email "
                                   "address we can use. Fix the lines listed above and send "
                                   "again."]
        return _render_invites(cohort, link_form, bulk_form, result.problems, status=400)
    db.session.commit()
    mailing = mail.enabled()
    sent = mail.send([_invite_mail(cohort, i) for i in result.invites]) if mailing else 0
    bad_lines = "\n".join(raw for _line, raw, _why in result.problems)
    retry = BulkInviteForm(formdata=None, emails=bad_lines,
                           expires_in_days=bulk_form.expires_in_days.data)
    return render_template("facilitate/invites_sent.html", cohort=cohort, result=result,
                           mailing=mailing, sent=sent, link=invite_link, retry=retry,
                           max_kb=MAX_UPLOAD // 1024)


@bp.route("/cohorts/<int:cohort_id>/invites", methods=["GET", "POST"])
@login_required
def invites(cohort_id: int):
    cohort = _facilitated(cohort_id)
    link_form, bulk_form = InviteLinkForm(prefix="link"), BulkInviteForm()
    if request.method == "POST":
        if request.form.get("action") == "link":
            return _make_link(cohort, link_form, bulk_form)
        if "emails" in request.form or "csv_file" in request.files:
            return _bulk_invite(cohort, link_form, bulk_form)
        abort(400)
    return _render_invites(cohort, link_form, bulk_form)


@bp.post("/cohorts/<int:cohort_id>/invites/<int:invite_id>/revoke")
@login_required
def revoke_invite(cohort_id: int, invite_id: int):
    """The first POST asks "are you sure?"; the second, with confirm=yes, revokes."""
    cohort = _facilitated(cohort_id)
    invite = belongs_or_404(db.session.get(Invite, invite_id), cohort)
    back = redirect(url_for(".invites", cohort_id=cohort.id))
    if invite.revoked_at is not None:
        flash("That invite was already revoked.", "info")
        return back
    form = ConfirmForm()
    if not form.confirmed:
        return render_template("facilitate/confirm_revoke.html", cohort=cohort, invite=invite,
                               form=form, link=invite_link(invite))
    services.revoke_invite(cohort, invite, current_user, utcnow())
    db.session.commit()
    flash(f"The invite {'for ' + invite.email if invite.email else 'link'} no longer works. "
          "Anyone who already joined with it stays in the cohort.", "success")
    return back


# ---- people ----------------------------------------------------------------------

@bp.route("/cohorts/<int:cohort_id>/people", methods=["GET", "POST"])
@login_required
def people(cohort_id: int):
    cohort = _facilitated(cohort_id)
    form = StaffForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            role = MemberRole(form.role.data)
            try:
                membership = services.add_staff(cohort, current_user, form.email.data, role,
                                                utcnow())
            except FacilitateError as error:
                db.session.rollback()
                _show_error(form, error)
            else:
                db.session.commit()
                as_what = "co-facilitator" if role == MemberRole.FACILITATOR else "reviewer"
                flash(f"{membership.user.name} is now a {as_what} of {cohort.name}.", "success")
                return redirect(url_for(".people", cohort_id=cohort.id, _anchor="staff"))
        status = 400
    now = utcnow()
    page = queries.learners_page(cohort, request.args.get("page", 1, type=int))
    standings = cohort_progress(cohort, now.date(), {m.user_id for m in page.items})
    facilitators, reviewers, removed = queries.staff_and_removed(cohort)
    return render_template("facilitate/people.html", cohort=cohort, form=form, page=page,
                           standings=standings, facilitators=facilitators, reviewers=reviewers,
                           removed=removed), status


@bp.route("/cohorts/<int:cohort_id>/people/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(cohort_id: int, membership_id: int):
    """GET asks "Remove X? Their posts stay."; POST removes them."""
    cohort = _facilitated(cohort_id)
    membership = belongs_or_404(db.session.get(Membership, membership_id), cohort)
    back = redirect(url_for(".people", cohort_id=cohort.id))
    if membership.removed_at is not None:
        flash(f"{membership.user.name} was already removed from this cohort.", "info")
        return back
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_member(cohort, membership, current_user, utcnow())
        except FacilitateError as error:
            db.session.rollback()
            flash(f"{error} Nobody was removed.", "error")
            return back
        db.session.commit()
        flash(f"{membership.user.name} is no longer in {cohort.name}. Their posts stay.",
              "success")
        return back
    return render_template("facilitate/remove_member.html", cohort=cohort,
                           membership=membership, form=form)
