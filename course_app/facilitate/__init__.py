"""The blueprint; its routes are in views.py, manage.py and moderate.py, imported by
create_app (not here, so that importing the models never pulls in the views)."""

from flask import Blueprint

bp = Blueprint("facilitate", __name__, url_prefix="/facilitate")
