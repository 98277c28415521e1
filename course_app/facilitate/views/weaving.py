"""Weaving a summary of an e-tivity's posts."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from ... import drafts
from ...clock import utcnow
from ...discussions.lookups import etivity_or_404
from ...extensions import db
from ...inputs import as_id, page_arg
from ...text import is_blank
from .. import audit, bp
from .. import weaving as service
from ..errors import FacilitateError
from ..forms import WeaveForm
from .common import facilitated, field_error

SENT_ALREADY = ("This summary was sent twice, so it is up once: the first one is at the top "
                "of the e-tivity.")


@bp.route("/cohorts/<int:cohort_id>/e/<slug>/weave", methods=["GET", "POST"])
@drafts.login_required_keeping_drafts
def weave(cohort_id: int, slug: str):
    """The posts to cite come a page at a time. The pages' buttons send the form (`go`: the
    page wanted), so what was typed and every post ticked (or given a quote) on other pages
    come along, and those posts are listed above this page's, as they were; Publish cites
    the ticked ones, and refuses a quote for a post not ticked (`WeaveForm.for_posts`)."""
    cohort = facilitated(cohort_id)
    etivity = etivity_or_404(cohort, slug)
    posted = request.method == "POST"
    kept = None if posted else drafts.pop()  # sent when the session had ended: back
    sent = request.form if posted else MultiDict(kept or {})
    going = request.form.get("go") if posted else None
    ticked = _sent(sent, "cite_", bool)
    quoted = _sent(sent, "quote_", lambda quote: not is_blank(quote))
    page, links = service.weavable_page(
        cohort, etivity, page_arg() if going is None else page_arg(given=going))
    chosen = service.weavable_chosen(cohort, etivity,
                                     (ticked | quoted) - {link.post.id for link in links})
    form = WeaveForm.for_posts([link.post for link in chosen + links],
                               **({"formdata": sent} if kept else {}))
    if links and going is None and form.validate_on_submit():
        key = form.submission_key.data or None
        done = url_for("discussions.etivity", cohort_id=cohort.id, slug=etivity.slug,
                       _anchor="weaves")
        if audit.find_submission(current_user, key) is not None:  # sent again after Back
            flash(SENT_ALREADY, "info")
            return redirect(done)
        cited = [link.post for link in service.weavable_chosen(cohort, etivity, ticked)]
        try:
            service.weave(cohort, etivity, current_user, form.title.data or "",
                          form.body.data or "", form.cited(cited), utcnow(),
                          submission_key=key)
            db.session.commit()
        except FacilitateError as error:
            db.session.rollback()
            field_error(form, error)
        except IntegrityError:  # the same form sent twice at once: the other one stored it
            db.session.rollback()
            if audit.find_submission(current_user, key) is None:
                raise
            flash(SENT_ALREADY, "info")
            return redirect(done)
        else:
            flash(f"Your summary is up: everyone sees it at the top of “{etivity.title}”.",
                  "success")
            return redirect(done)
    return render_template("facilitate/moderate/weave.html", cohort=cohort, etivity=etivity,
                           page=page, links=links, chosen=chosen, ticked=ticked, form=form
                           ), 400 if form.errors else 200


def _sent(sent, prefix: str, filled) -> set[int]:
    """The posts whose `prefix`ID field in the form sent is `filled` (cite_ID ticked,
    quote_ID typed), on this page or others: one more than a weave may cite at most, so that
    `service.weave` can say so without the database being asked about thousands."""
    ids = sorted(post_id for name in sent if name.startswith(prefix)
                 and filled(sent.get(name)) and (post_id := as_id(name[len(prefix):])))
    return set(ids[:service.MOST_CITED + 1])
