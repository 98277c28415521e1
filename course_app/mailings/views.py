"""Email preferences (logged in), unsubscribing from a signed link (no login: RFC 8058's
one-click POST comes from the mail program, with no CSRF token, so the signed token is the
credential), and the development mailbox (admins)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.models import User
from ..extensions import csrf, db
from ..inputs import page_arg
from ..mail.models import MailboxMessage
from . import bp, preferences, tasks  # noqa: F401  (tasks: registered with the queue)
from .forms import PreferencesForm
from .models import Delivery, DigestEvery

MAILBOX_PER_PAGE = 20


@bp.route("/email", methods=["GET", "POST"])
@login_required
def preferences_page():
    # What is stored fills the form on GET only: an empty POST is a form to answer (400).
    before = preferences.of(current_user.id)
    form = PreferencesForm.for_person(current_user, before,
                                      obj=None if request.method == "POST" else before)
    if form.validate_on_submit():
        chosen = preferences.stored(current_user.id)
        for name in ("replies", "messages", "stages"):
            setattr(chosen, name, Delivery(getattr(form, name).data))
        chosen.digest = DigestEvery(form.digest.data)
        if form.morning is not None:  # only offered to facilitators: others keep theirs
            chosen.morning = bool(form.morning.data)
        chosen.time_zone = form.time_zone.data
        db.session.commit()
        flash("Your email choices are saved.", "success")
        return redirect(url_for(".preferences_page"))
    status = 400 if form.is_submitted() else 200
    return render_template("mailings/preferences.html", form=form), status


@bp.route("/email/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    found = preferences.read_token(token)
    if found is None or db.session.get(User, found[0]) is None:
        return render_template("mailings/unsubscribe.html", bad=True, done=False), 404
    user_id, topic = found
    if request.method == "POST":
        preferences.unsubscribe(user_id, topic)
        db.session.commit()
        return render_template("mailings/unsubscribe.html", bad=False, done=True,
                               topic=preferences.TOPICS[topic])
    return render_template("mailings/unsubscribe.html", bad=False, done=False,
                           topic=preferences.TOPICS[topic])


@bp.get("/admin/mailbox")
@login_required
def mailbox():
    if not current_user.is_admin:
        abort(403)
    page = db.paginate(select(MailboxMessage).order_by(MailboxMessage.id.desc()),
                       page=page_arg(), per_page=MAILBOX_PER_PAGE, error_out=False)
    return render_template("mailings/mailbox.html", page=page)
