"""The blueprint; its routes are in views.py, imported by create_app (not here, so that
importing this package's models never pulls in the views above it)."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
