"""The blueprint of the public course page (/courses/<slug>); its one route is in main.py,
a page that asks the cohorts whether the course is on offer (this package sits below them)."""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses")
