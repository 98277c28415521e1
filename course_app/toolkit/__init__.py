"""The cohort's toolkit: the shared pieces a cohort builds (a phrase book, rough guides, a
voice guide), one section per e-tivity that declares `toolkit:` in its front matter.

The section's learner editor (named by a facilitator) or a facilitator marks a post as the
section's current version; the toolkit page collects the current versions with credits to
everyone who posted in the e-tivity, as a page, Markdown and a printable page, and the
facilitator can publish it read-only for people outside the cohort (names only with each
person's consent). It sits above the facilitator's pages (it writes their audit log) and
below privacy. The routes are in views.py, imported by create_app.
"""

from flask import Blueprint

bp = Blueprint("toolkit", __name__)
