"""The blueprints; their routes are in views.py, token_views.py (the reports pages) and api.py
(the JSON API under /api/v1), imported by create_app."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
