"""API tokens: facilitators and reviewers make, name, list and revoke them (/reports/tokens).

A new token's secret is rendered straight from the POST that made it, never redirected to or
flashed (a session cookie is signed, not secret), with `Cache-Control: no-store`, and it is
never shown again: only its hash is kept.
"""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from .. import security_log
from ..auth import tokens as api_tokens
from ..clock import utcnow
from ..extensions import db
from ..permissions import can_review_any
from . import bp, queries

EXAMPLE_COHORTS = 5  # cohorts whose API address the "how to use it" section lists


def may_make_tokens(user) -> bool:
    """Admins, and anyone who facilitates or reviews at least one cohort: the people the API
    has something to show."""
    return can_review_any(user)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        description="Where you'll use it, so you can tell your tokens apart later: "
                    "e.g. \u201cweekly spreadsheet\u201d.",
        filters=[_strip],
        validators=[
            DataRequired("Name the token after where you'll use it, "
                         "e.g. \u201cweekly spreadsheet\u201d."),
            Length(max=80, message="Keep the name under 80 characters."),
        ],
    )


class RevokeForm(FlaskForm):
    """Sent without `confirm`, the page asks "are you sure?"; with confirm=yes, it revokes."""

    confirm = HiddenField()

    @property
    def confirmed(self) -> bool:
        return bool((self.confirm.data or "").strip())


def _render(template: str, status: int = 200, **context):
    """Every token page: with a crumb to the reports' home when that page exists."""
    reports_home = (url_for("reports.index") if "reports.index" in current_app.view_functions
                    else None)
    return render_template(template, reports_home=reports_home, **context), status


def _not_allowed():
    return _render("reports/tokens_not_allowed.html", 403)


def _examples():
    """The API addresses of a few cohorts this person may read, for "how to use it"."""
    return [(c, url_for("api.cohort_progress", cohort_id=c.id, _external=True))
            for c in db.session.scalars(queries.reviewable(current_user).limit(EXAMPLE_COHORTS))]


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    allowed = may_make_tokens(current_user)
    mine = api_tokens.tokens_of(current_user)
    if not allowed and (not mine or request.method == "POST"):
        return _not_allowed()
    form = TokenForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                token, secret = api_tokens.create_token(current_user, form.name.data, utcnow())
            except api_tokens.TokenError as error:
                db.session.rollback()
                form.name.errors.append(str(error))
            else:
                db.session.commit()
                security_log.record("token.created", token_id=token.id)
                body, _ = _render("reports/tokens_created.html", token=token, secret=secret,
                                  examples=_examples())
                response = make_response(body)
                response.headers["Cache-Control"] = "no-store"
                return response
        status = 400
    return _render("reports/tokens.html", status, form=form, tokens=mine, allowed=allowed,
                   examples=_examples(), live=sum(1 for t in mine if t.revoked_at is None))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = api_tokens.token_of(current_user, token_id)
    if token is None:
        abort(404)
    back = redirect(url_for(".tokens"))
    if token.revoked_at is not None:
        flash(f"The token \u201c{token.name}\u201d was already revoked.", "info")
        return back
    form = RevokeForm()
    if not form.confirmed:
        return _render("reports/tokens_revoke.html", token=token, form=form)
    api_tokens.revoke_token(current_user, token.id, utcnow())
    db.session.commit()
    security_log.record("token.revoked", token_id=token.id)
    flash(f"The token \u201c{token.name}\u201d no longer works. Anything that uses it now gets "
          "\u201cnot found\u201d from the API.", "success")
    return back
