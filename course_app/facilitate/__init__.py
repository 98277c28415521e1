"""The facilitator's side: one module per job (cohort_admin, invites, people, moderation,
weaving, overrides, nudges, queue, reading, audit), each doing its writes through the domain
services below and logging one audit entry. The blueprint's routes are in the `views`
package, imported by create_app (not here, so that importing the models never pulls in the
views)."""

from flask import Blueprint

bp = Blueprint("facilitate", __name__, url_prefix="/facilitate")
