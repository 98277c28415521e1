"""Moderating: hiding a post (the page asks why) and showing it again, pinning and locking
threads. Posts and threads named in the URL must belong to the cohort (404 otherwise)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...clock import utcnow
from ...courses.models import Etivity
from ...discussions.lookups import post_or_404, thread_or_404
from ...extensions import db
from ...forms import ButtonForm
from ...permissions import can_hide_post
from .. import bp
from .. import moderation as service
from ..errors import FacilitateError
from ..forms import HidePostForm, ThreadFlagsForm
from .common import facilitated, field_error, post_url


@bp.route("/cohorts/<int:cohort_id>/posts/<int:post_id>/hide", methods=["GET", "POST"])
@login_required
def hide_post(cohort_id: int, post_id: int):
    """GET asks why (the page is the "are you sure?"); POST hides the post."""
    cohort = facilitated(cohort_id)
    post = post_or_404(cohort, post_id)
    if not can_hide_post(current_user, post):
        flash("That post is already hidden." if post.hidden_at else
              "Its author has already withdrawn that post.", "info")
        return redirect(post_url(cohort, post))
    form = HidePostForm()
    if form.validate_on_submit():
        try:
            service.hide_post(cohort, post, current_user, form.reason.data or "", utcnow())
        except FacilitateError as error:
            db.session.rollback()
            field_error(form, error, "reason")
        else:
            db.session.commit()
            flash(f"The post is hidden. {post.author.name} can see it and your reason; "
                  "everyone else sees a short notice.", "success")
            return redirect(post_url(cohort, post))
    return render_template("facilitate/moderate/hide.html", cohort=cohort, post=post,
                           thread=post.thread, form=form, back=post_url(cohort, post)), \
        400 if form.errors else 200


@bp.post("/cohorts/<int:cohort_id>/posts/<int:post_id>/show")
@login_required
def show_post(cohort_id: int, post_id: int):
    cohort = facilitated(cohort_id)
    post = post_or_404(cohort, post_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        service.show_post(cohort, post, current_user, utcnow())
    except FacilitateError as error:
        db.session.rollback()
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(f"{post.author.name}’s post is shown again, to everyone.", "success")
    return redirect(post_url(cohort, post))


@bp.post("/cohorts/<int:cohort_id>/threads/<int:thread_id>/flags")
@login_required
def thread_flags(cohort_id: int, thread_id: int):
    cohort = facilitated(cohort_id)
    thread = thread_or_404(cohort, thread_id)
    form = ThreadFlagsForm()
    pinned, locked = form.flag(form.pinned), form.flag(form.locked)
    if not form.validate_on_submit() or (pinned is None and locked is None):
        abort(400)
    service.set_thread_flags(cohort, thread, current_user, utcnow(), pinned=pinned,
                              locked=locked)
    db.session.commit()
    words = []
    if pinned is not None:
        words.append(f"“{thread.title}” is pinned to the top of the list." if pinned else
                     f"“{thread.title}” is no longer pinned.")
    if locked is not None:
        words.append("It is locked: everyone can still read it, but nobody can reply." if locked
                     else "It is unlocked: replies are open again.")
    flash(" ".join(words), "success")
    if form.back.data == "etivity" and thread.etivity_id is not None:
        etivity = db.session.get(Etivity, thread.etivity_id)
        return redirect(url_for("discussions.etivity", cohort_id=cohort.id, slug=etivity.slug,
                                _anchor="threads"))
    return redirect(url_for("discussions.thread", cohort_id=cohort.id, thread_id=thread.id))
