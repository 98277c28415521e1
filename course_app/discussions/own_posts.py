"""Your own posts: editing one and withdrawing it (after "are you sure?"). Only its author
may, while `permissions` allows it; text sent after the session ended comes back (drafts)."""

from flask import abort, flash, render_template, request
from flask_login import current_user

from .. import drafts, permissions
from ..clock import utcnow
from ..cohorts.models import Cohort
from ..extensions import db
from ..forms import ButtonForm
from . import bp, services
from .forms import EditForm
from .lookups import post_or_404
from .models import Post
from .pages import redirect_to_post


def _own_post_or_403(cohort_id: int, post_id: int, allowed) -> tuple[Cohort, Post]:
    cohort = permissions.cohort_or_404(cohort_id)
    post = post_or_404(cohort, post_id)
    if not allowed(current_user, post):
        abort(403)
    return cohort, post


@bp.route("/cohorts/<int:cohort_id>/posts/<int:post_id>/edit", methods=["GET", "POST"])
@drafts.login_required_keeping_drafts
def edit_post(cohort_id: int, post_id: int):
    cohort, post = _own_post_or_403(cohort_id, post_id, permissions.can_edit_post)
    form = EditForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.edit_post(post, current_user, form.body.data, utcnow())
                db.session.commit()
            except services.PostError as error:
                db.session.rollback()
                form.body.errors.append(str(error))
            else:
                flash("Your changes are saved.", "success")
                return redirect_to_post(cohort, post)
        status = 400
    else:
        draft = drafts.pop()
        form.body.data = draft.get("body", "") if draft else post.body
    return render_template("discussions/edit.html", cohort=cohort, post=post,
                           thread=post.thread, etivity=post.thread.etivity, form=form), status


@bp.route("/cohorts/<int:cohort_id>/posts/<int:post_id>/withdraw", methods=["GET", "POST"])
@drafts.login_required_keeping_drafts
def withdraw_post(cohort_id: int, post_id: int):
    """GET asks "are you sure?"; POST withdraws the post. The form carries only the CSRF
    token: the confirmation page itself is the question."""
    cohort, post = _own_post_or_403(cohort_id, post_id, permissions.can_withdraw_post)
    form = ButtonForm()
    if form.validate_on_submit():
        services.delete_post(post, current_user, utcnow())
        db.session.commit()
        flash("Your post is withdrawn. It now shows as “Withdrawn by its author”.", "success")
        return redirect_to_post(cohort, post)
    return render_template("discussions/withdraw.html", cohort=cohort, post=post,
                           thread=post.thread, etivity=post.thread.etivity, form=form)
