"""Loading what a cohort route names — an e-tivity, a thread, a post — or 404 when it is
missing or belongs to another cohort. Used by the discussion, facilitator and report views."""

from flask import abort
from sqlalchemy import select

from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db
from ..permissions import belongs_or_404
from .models import Post, Thread


def etivity_or_404(cohort: Cohort, slug: str) -> Etivity:
    etivity = db.session.scalar(
        select(Etivity).where(Etivity.course_id == cohort.course_id, Etivity.slug == slug))
    if etivity is None or etivity.retired:
        abort(404)
    return etivity


def thread_or_404(cohort: Cohort, thread_id: int) -> Thread:
    return belongs_or_404(db.session.get(Thread, thread_id), cohort)


def post_or_404(cohort: Cohort, post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    belongs_or_404(post.thread if post else None, cohort)
    return post
