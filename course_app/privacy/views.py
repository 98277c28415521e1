"""The account page's two privacy actions: download your data, delete your account."""

import json

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from .. import security_log
from ..clock import utcnow
from ..extensions import db
from ..inputs import downloaded_as_page
from . import bp
from .deletion import DeletionRefused, delete_account, may_delete_own_account
from .export import account_data
from .forms import DeleteAccountForm


@bp.get("/data")
@login_required
@downloaded_as_page
def download():
    """Everything we hold about you, as a JSON file (a GET that only reads)."""
    now = utcnow()
    data = account_data(current_user, now)
    security_log.record("account.exported", via="download")
    response = make_response(json.dumps(data, indent=2, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=staircase-data-{now:%Y-%m-%d}.json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """GET explains what deleting does and asks for the password; POST does it."""
    allowed = may_delete_own_account(current_user)
    form = DeleteAccountForm()
    if allowed and form.validate_on_submit():
        user = current_user._get_current_object()
        user_id = user.id
        try:
            delete_account(user, form.password.data, utcnow())
        except DeletionRefused as refused:
            db.session.rollback()
            form.password.errors.append(str(refused))
        else:
            db.session.commit()
            logout_user()
            security_log.record("account.deleted", user=user_id)
            flash("Your account is deleted. Your posts now show as by “A former learner”. "
                  "Thank you for taking part.", "success")
            return redirect(url_for("main.index"))
    elif not allowed and form.is_submitted():
        abort(403)
    return render_template("privacy/delete.html", form=form if allowed else None
                           ), 400 if form.errors else 200
