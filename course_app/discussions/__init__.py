"""The blueprint; its routes are in views.py and own_posts.py, imported by create_app (not
here, so that importing this package's models never pulls in the views above it)."""

from flask import Blueprint

bp = Blueprint("discussions", __name__)
