"""Weaving a summary of an e-tivity's posts."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...clock import utcnow
from ...discussions.lookups import etivity_or_404
from ...extensions import db
from .. import bp
from .. import weaving as service
from ..errors import FacilitateError
from ..forms import WeaveForm
from .common import facilitated, field_error


@bp.route("/cohorts/<int:cohort_id>/e/<slug>/weave", methods=["GET", "POST"])
@login_required
def weave(cohort_id: int, slug: str):
    cohort = facilitated(cohort_id)
    etivity = etivity_or_404(cohort, slug)
    links = service.weavable_posts(cohort, etivity)
    form = WeaveForm.for_posts([link.post for link in links])
    if links and form.validate_on_submit():
        try:
            service.weave(cohort, etivity, current_user, form.title.data or "",
                           form.body.data or "", form.cited([link.post for link in links]),
                           utcnow())
        except FacilitateError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(f"Your summary is up: everyone sees it at the top of “{etivity.title}”.",
                  "success")
            return redirect(url_for("discussions.etivity", cohort_id=cohort.id,
                                    slug=etivity.slug, _anchor="weaves"))
    return render_template("facilitate/moderate/weave.html", cohort=cohort, etivity=etivity,
                           links=links, form=form), 400 if form.errors else 200
