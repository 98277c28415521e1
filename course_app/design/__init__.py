"""Designing a course in the browser: the storyboard, Salmon's e-tivity template as a form,
authors, and the round trip with the folder format. Its routes are in views.py, imported by
create_app (not here, so that importing the models never pulls in the views)."""

from flask import Blueprint

bp = Blueprint("design", __name__, url_prefix="/design")
