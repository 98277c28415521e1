"""Security headers on every response. Registered with after_request, which Flask runs for
error responses too, so a 404, a 429 or a 503 carries them like any page.

- Content-Security-Policy: scripts, styles and images from this site only; no inline
  script or style anywhere (tests/unit/test_templates_csp.py checks the templates), no
  framing, forms post only here.
- Cache-Control: no-store on every response to someone logged in: their pages name them and
  their cohort, and no browser or proxy cache may keep them after they log out.
- Strict-Transport-Security when cookies are HTTPS-only (SESSION_COOKIE_SECURE): a site that
  needs HTTPS for its cookies is only ever reached over HTTPS.
- Static files: every `url_for('static', ...)` carries the file's version (`?v=`, a hash of
  its bytes), and a file asked for with its current version may be kept for a year, so a
  page view doesn't ask again for the style sheet, scripts and logo; a changed file has a new
  address. Without the version (or an old one) a file is checked each time, as by default.
"""

import hashlib
import os

from flask import Flask, g, request, session

CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
HSTS = "max-age=31536000"  # a year; subdomains are left alone, they may be other services
VERSIONED = "public, max-age=31536000, immutable"
_versions: dict[tuple[str, int, int], str] = {}  # (path, mtime, size) -> hash of the bytes


def static_version(app: Flask, filename: str) -> str:
    """A short hash of a static file's bytes ("" if there is no such file). Worked out once
    per file and change: the same on every server, as it depends on the file alone."""
    path = os.path.join(app.static_folder or "", filename)
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return ""
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _versions:
        with open(path, "rb") as file:
            _versions[key] = hashlib.sha256(file.read()).hexdigest()[:12]
    return _versions[key]


def _personal() -> bool:
    """The response is for someone logged in (by session or API token)."""
    if request.endpoint == "static":
        return False
    # The session first: asking the user object may reload it, after a commit, for nothing.
    if "_user_id" in session:
        return True
    user = g.get("_login_user")
    return bool(getattr(user, "is_authenticated", False))


def register(app: Flask) -> None:
    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", HSTS)
        if _personal() and "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"
        elif (request.endpoint == "static" and response.status_code == 200
              and request.args.get("v")
              and request.args["v"] == static_version(app, request.view_args["filename"])):
            headers["Cache-Control"] = VERSIONED
        return response
