"""Joining a cohort: with its enrolment key, or by following an invite link.

Both land on the course map (`learner.map`), named by endpoint only: cohorts sits below the
learner's pages and imports nothing from them.
"""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, user_logged_in

from .. import security_log
from ..clock import utcnow
from ..extensions import db
from ..forms import ButtonForm
from . import bp, services
from .forms import EnrolForm
from .models import Cohort
from .services import AlreadyEnrolled, EnrolError


def _welcome(cohort: Cohort):
    flash(f"Welcome to {cohort.name}! This is your course map: start with stage 1.", "success")
    return redirect(url_for("learner.map", cohort_id=cohort.id))


def _already_in(error: AlreadyEnrolled):
    flash(str(error), "info")
    return redirect(url_for("learner.map", cohort_id=error.membership.cohort_id))


@bp.route("/enrol", methods=["GET", "POST"])
@login_required
def enrol():
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            membership = services.enrol_with_key(form.key.data, current_user, utcnow())
        except AlreadyEnrolled as e:
            return _already_in(e)
        except EnrolError as e:
            security_log.warning("enrol.refused", via="key", reason=str(e))
            form.key.errors.append(str(e))
        else:
            db.session.commit()
            security_log.record("enrol", cohort_id=membership.cohort_id, via="key")
            return _welcome(membership.cohort)
    return render_template("cohorts/enrol.html", form=form), 400 if form.errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str):
    """GET shows what the invitation is for and a "Join" button; POST joins.

    Someone not logged in is sent to create an account (most people following an invite have
    none yet; the page links to logging in instead); the link waits in their session and they
    land enrolled on the course map (see `_join_pending_invite`).
    """
    now = utcnow()
    try:
        invitation = services.usable_invite(token, now)
    except EnrolError as e:
        return render_template("cohorts/invite.html", invitation=None, problem=str(e),
                               form=None), 404
    if not current_user.is_authenticated:
        session[PENDING_INVITE] = token
        flash(f"You're invited to join {invitation.cohort.name}. Create an account (or log in, "
              "if you have one) and we'll take you there.", "info")
        return redirect(url_for("auth.register", next=request.path))
    form = ButtonForm()  # "Join": only the CSRF token
    try:
        if form.validate_on_submit():
            membership = services.enrol_with_invite(token, current_user, now)
            db.session.commit()
            security_log.record("enrol", cohort_id=membership.cohort_id, via="invite")
            return _welcome(membership.cohort)
        services.check_enrolment(invitation.cohort, current_user)
    except AlreadyEnrolled as e:
        if session.pop(JUST_JOINED, None) == e.membership.cohort_id:
            # Enrolled a moment ago by logging in (see _join_pending_invite): no "already in".
            return redirect(url_for("learner.map", cohort_id=e.membership.cohort_id))
        return _already_in(e)
    except EnrolError as e:
        return render_template("cohorts/invite.html", invitation=invitation, problem=str(e),
                               form=None), 403
    return render_template("cohorts/invite.html", invitation=invitation, problem=None, form=form,
                           facilitators=services.facilitators_of(invitation.cohort))


PENDING_INVITE = "pending_invite"
JUST_JOINED = "joined_by_invite"


@user_logged_in.connect
def _join_pending_invite(app, user, **_extra):
    """Logging in or registering after following an invite link enrols you (a POST, so a
    write is fine). The login then returns to the invite link, which goes on to the map,
    or, if the link stopped working meanwhile, explains why on its own page."""
    token = session.pop(PENDING_INVITE, None)
    if not token:
        return
    try:
        membership = services.enrol_with_invite(token, user, utcnow())
    except EnrolError:  # already in, or the link no longer works: the invite page says so
        return
    db.session.commit()
    security_log.record("enrol", user=user, cohort_id=membership.cohort_id, via="invite")
    session[JUST_JOINED] = membership.cohort_id
    flash(f"Welcome to {membership.cohort.name}! This is your course map: start with stage 1.",
          "success")
