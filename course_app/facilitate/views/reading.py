"""The reading view: who has read whom in an e-tivity, a page of learners at a time."""

from flask import render_template
from flask_login import login_required

from ...discussions.lookups import etivity_or_404
from ...inputs import page_arg
from ...paging import ListPagination
from .. import bp
from .. import reading as service
from .common import facilitated

READERS_PER_PAGE = 50


@bp.get("/cohorts/<int:cohort_id>/e/<slug>/reading")
@login_required
def reading(cohort_id: int, slug: str):
    cohort = facilitated(cohort_id)
    etivity = etivity_or_404(cohort, slug)
    rows = service.reading_view(cohort, etivity)
    return render_template("facilitate/moderate/reading.html", cohort=cohort, etivity=etivity,
                           page=ListPagination(rows, page_arg(), READERS_PER_PAGE),
                           anyone_read=any(r.posts_read for r in rows))
