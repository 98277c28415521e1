"""A person's own data: downloading all of it (`export`), and deleting their account
(`deletion`). It reads and changes rows of every layer below (accounts, cohorts, posts,
progress, notifications, the audit log), so it sits above the pages."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/account")
