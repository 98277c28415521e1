"""Weaving a summary of an e-tivity's posts."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...clock import utcnow
from ...discussions.lookups import etivity_or_404
from ...extensions import db
from ...inputs import as_id, page_arg
from ...text import is_blank
from .. import bp
from .. import weaving as service
from ..errors import FacilitateError
from ..forms import WeaveForm
from .common import facilitated, field_error


@bp.route("/cohorts/<int:cohort_id>/e/<slug>/weave", methods=["GET", "POST"])
@login_required
def weave(cohort_id: int, slug: str):
    """The posts to cite come a page at a time. The pages' buttons send the form (`go`: the
    page wanted), so what was typed and every post ticked (or given a quote) on other pages
    come along, and those posts are listed above this page's, as they were; Publish cites
    the ticked ones, and refuses a quote for a post not ticked (`WeaveForm.for_posts`)."""
    cohort = facilitated(cohort_id)
    etivity = etivity_or_404(cohort, slug)
    posted = request.method == "POST"
    going = request.form.get("go") if posted else None
    ticked = _sent("cite_", bool) if posted else set()
    quoted = _sent("quote_", lambda quote: not is_blank(quote)) if posted else set()
    page, links = service.weavable_page(
        cohort, etivity, page_arg() if going is None else page_arg(given=going))
    chosen = service.weavable_chosen(cohort, etivity,
                                     (ticked | quoted) - {link.post.id for link in links})
    form = WeaveForm.for_posts([link.post for link in chosen + links])
    if links and going is None and form.validate_on_submit():
        cited = [link.post for link in service.weavable_chosen(cohort, etivity, ticked)]
        try:
            service.weave(cohort, etivity, current_user, form.title.data or "",
                          form.body.data or "", form.cited(cited), utcnow())
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
                           page=page, links=links, chosen=chosen, ticked=ticked, form=form
                           ), 400 if form.errors else 200


def _sent(prefix: str, filled) -> set[int]:
    """The posts whose `prefix`ID field in the form sent is `filled` (cite_ID ticked,
    quote_ID typed), on this page or others: one more than a weave may cite at most, so that
    `service.weave` can say so without the database being asked about thousands."""
    ids = sorted(post_id for name in request.form if name.startswith(prefix)
                 and filled(request.form.get(name)) and (post_id := as_id(name[len(prefix):])))
    return set(ids[:service.MOST_CITED + 1])
