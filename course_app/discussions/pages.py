"""What the discussion pages share: the cohort as a page loads it, the answer for a locked
e-tivity, and the way to a post (views.py: an e-tivity; thread_page.py: a conversation;
own_posts.py: editing and withdrawing)."""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import permissions
from ..clock import utcnow
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db
from ..progress.rules import StageStatus, describe_lock
from . import reading, services
from .models import Post

POST_FIRST_MESSAGE = "Start your own conversation first; the others appear once you have."
REPEATED = "You had already sent this, so it is posted once. Here it is."


def cohort_or_404(cohort_id: int) -> Cohort:
    """`permissions.cohort_or_404`; but a post from someone removed from the cohort while
    they wrote says so, still a 404, and gives their text back (errors.not_found)."""
    try:
        return permissions.cohort_or_404(cohort_id)
    except NotFound:
        cohort = db.session.get(Cohort, cohort_id) if request.method == "POST" else None
        if cohort is not None and services.refusal(current_user, cohort) == services.REMOVED:
            abort(404, services.REMOVED)
        raise


def refuse_locked(cohort: Cohort, etivity: Etivity, stages: dict[int, StageStatus]):
    """A learner can see a locked e-tivity's title on the map, not enter it."""
    status = stages[etivity.stage_number]
    flash(f"“{etivity.title}” is not open yet. This {describe_lock(status, utcnow().date())}.",
          "info")
    return redirect(url_for("learner.map", cohort_id=cohort.id))


def redirect_to_post(cohort: Cohort, post: Post):
    return redirect(url_for(".thread", cohort_id=cohort.id, thread_id=post.thread_id,
                            page=reading.page_of_post(post), _anchor=f"post-{post.id}"))
