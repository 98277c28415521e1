"""A person's private calendar link for a paced cohort (make, stop), and the feed itself
(no login: the token in the address is the credential, as calendar programs can't log in)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import mail
from ..clock import utcnow
from ..cohorts.models import MemberRole
from ..extensions import db
from ..permissions import cohort_or_404, role_in
from . import bp, services


def _may_have_feed(user, cohort) -> bool:
    return role_in(user, cohort) in services.FEED_ROLES


@bp.route("/cohorts/<int:cohort_id>/calendar", methods=["GET", "POST"])
@login_required
def feed(cohort_id: int):
    cohort = cohort_or_404(cohort_id, _may_have_feed)
    if request.method == "POST":
        action = request.form.get("action")
        if action not in ("make", "revoke") or not cohort.paced:
            abort(400)
        if action == "make":
            services.make_feed(current_user, cohort, utcnow())
            flash("Your calendar link is ready. Copy it into your calendar program; any "
                  "link you made before no longer works.", "success")
        elif services.revoke_feed(current_user, cohort):
            flash("That calendar link no longer works. Calendars using it will stop "
                  "updating.", "success")
        db.session.commit()
        return redirect(url_for(".feed", cohort_id=cohort.id))
    existing = services.feed_of(current_user.id, cohort.id)
    link = mail.absolute(url_for(".ics", token=existing.token)) if existing else None
    return render_template("feeds/feed.html", cohort=cohort, link=link,
                           facilitator=role_in(current_user, cohort) == MemberRole.FACILITATOR)


@bp.get("/calendar/<token>.ics")
def ics(token: str):
    found = services.feed_for_token(token)
    if found is None:
        abort(404)
    feed, membership = found
    body = services.ical(membership.cohort, membership.role, utcnow())
    name = f"cohort-{feed.cohort_id}.ics"
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{name}"',
                             "Cache-Control": "private, max-age=300"})
