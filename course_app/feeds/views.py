"""A person's private calendar link for a paced cohort (make, stop), and the feed itself
(no login: the token in the address is the credential, as calendar programs can't log in)."""

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import mail
from ..clock import utcnow
from ..cohorts.models import MemberRole
from ..extensions import db
from ..permissions import cohort_or_404, role_in
from . import bp, services


def _may_have_feed(user, cohort) -> bool:
    return role_in(user, cohort) in services.FEED_ROLES


def _page(cohort, existing, link: str | None = None):
    return render_template("feeds/feed.html", cohort=cohort, existing=existing, link=link,
                           facilitator=role_in(current_user, cohort) == MemberRole.FACILITATOR)


@bp.route("/cohorts/<int:cohort_id>/calendar", methods=["GET", "POST"])
@login_required
def feed(cohort_id: int):
    """The link is shown once, in the answer to the POST that made it (its token is kept
    hashed), never redirected to or flashed, and not cached: as a new API token is."""
    cohort = cohort_or_404(cohort_id, _may_have_feed)
    if request.method == "POST":
        action = request.form.get("action")
        if action not in ("make", "revoke") or not cohort.paced:
            abort(400)
        if action == "make":
            made, token = services.make_feed(current_user, cohort, utcnow())
            db.session.commit()
            response = make_response(_page(cohort, made, mail.absolute(
                url_for(".ics", token=token))))
            response.headers["Cache-Control"] = "no-store"
            return response
        if services.revoke_feed(current_user, cohort):
            flash("That calendar link no longer works. Calendars using it will stop "
                  "updating.", "success")
        db.session.commit()
        return redirect(url_for(".feed", cohort_id=cohort.id))
    return _page(cohort, services.feed_of(current_user.id, cohort.id))


@bp.get("/calendar/<token>.ics")
def ics(token: str):
    found = services.feed_for_token(token)
    if found is None:
        abort(404)
    feed, membership = found
    body = services.ical(membership.cohort, membership, utcnow())
    name = f"cohort-{feed.cohort_id}.ics"
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{name}"',
                             "Cache-Control": "private, max-age=300"})
