"""The JSON API (interface contract: GET /api/v1/cohorts/<id>/progress).

The payload is reports.exports.as_json, the same code as the JSON download and
`report --format json`. A caller is logged in by session or by an API token
(`Authorization: Bearer cat_…`), and a token counts only for GET (and HEAD, which monitors
send) requests under /api/:
it never opens a page or sends a form. Anyone outside the cohort, and anyone with an unknown
or revoked token, gets a JSON 404 (so cohorts don't reveal each other); the cohort's learners
get a JSON 403. Errors under /api/ are JSON, in the API's words (errors.API_MESSAGES),
never a login redirect.
"""

from flask import Request, jsonify

from .. import security_log
from ..auth.models import User
from ..auth.tokens import token_for
from ..clock import utcnow
from ..extensions import db
from ..permissions import can_review, cohort_or_404
from . import api_bp, exports, queries

API_PREFIX = "/api/"


def bearer_secret(request: Request) -> str | None:
    """The token in `Authorization: Bearer <token>`, if the request may use one at all."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith(API_PREFIX):
        return None
    scheme, _, secret = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def user_from_token(request: Request) -> User | None:
    """Flask-Login's request loader: the owner of a live token, for GET or HEAD under /api/.

    Noting when a token was last used is the one write a GET makes here; it is committed at
    once, so it holds whatever the view does next."""
    secret = bearer_secret(request)
    if secret is None:
        return None
    token = token_for(secret, utcnow())
    db.session.commit()
    if token is None:
        security_log.warning("token.refused")
        return None
    security_log.record("token.used", user=token.user_id, token_id=token.id)
    return token.user


@api_bp.after_request
def not_for_caches(response):
    """Every answer depends on who asks, refusals too: no cache may keep any of them."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api_bp.get("/cohorts/<int:cohort_id>/progress")
def cohort_progress(cohort_id: int):
    cohort = cohort_or_404(cohort_id, can_review)
    security_log.record("export", cohort_id=cohort.id, format="json", via="api")
    return jsonify(exports.as_json(queries.dashboard(cohort, utcnow())))
