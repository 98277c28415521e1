"""Throttling, all in one table: what is limited, per account and per address, and what counts.

| endpoints    | per account (key)           | per address          | counts          |
| ------------- | --------------------------- | -------------------- | --------------- |
| auth.login    | LOGIN_RATE_LIMIT (email)    | LOGIN_ADDRESS_...    | failed (401)    |
| auth.register | REGISTER_RATE_LIMIT (email) | REGISTER_ADDRESS_... | every POST      |
| cohorts.enrol | ENROL_RATE_LIMIT (user)     | ENROL_ADDRESS_...    | wrong key (400) |
| posting (*)   | POST_RATE_LIMIT (user)      | POST_ADDRESS_...     | every POST      |
| password (**) | PASSWORD_RATE_LIMIT (user)  | PASSWORD_ADDRESS_... | refused (400)   |

(*) posting: the endpoints in drafts.DRAFT_ENDPOINTS.
(**) the forms that ask for your current password: auth.change_password and privacy.delete,
one count for both, so a borrowed session can't be used to guess the password.

Per account stops one account being guessed from many addresses; per address stops one
address trying many accounts. Only POSTs count; pages still open. The limits are applied to
the views here, in `register`, rather than beside each view, so the whole policy reads in
one place. A throttled post keeps its text (errors.py shows it back).

Counts live in RATELIMIT_STORAGE_URI. `memory://` (the default) counts per process, so with
several workers each allows the full limit: `register` and gunicorn.conf.py warn loudly then.
If the store stops answering, Flask-Limiter falls back to memory and logs a warning
(RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), so logins keep working. The address is the client's
only when TRUSTED_PROXIES says how many proxies to believe (see create_app).
"""

import logging
import os

from flask import Flask, current_app, request
from flask_login import current_user

from .drafts import DRAFT_ENDPOINTS
from .extensions import limiter

logger = logging.getLogger(__name__)


def _config(name: str):
    return lambda: current_app.config[name]


def _address() -> str:
    return request.remote_addr or "unknown"


def _email() -> str:
    # Cut at the longest email there can be, so a huge field can't make a huge key.
    return "email:" + (request.form.get("email") or "").strip().lower()[:254]


def _account() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{_address()}"


def _failed_login(response) -> bool:
    return response.status_code == 401


def _refused(response) -> bool:
    return response.status_code == 400


def _limits(per_account: str, key, per_address: str, scope: str, counts=None):
    """A per-account limit and a per-address one (config names), POSTs only; `counts` picks
    the responses that count (all, when None). Shared scopes: one count across the endpoints
    a pair covers."""
    return [
        limiter.shared_limit(_config(per_account), scope=f"{scope}:account", key_func=key,
                             methods=["POST"], deduct_when=counts),
        limiter.shared_limit(_config(per_address), scope=f"{scope}:address", key_func=_address,
                             methods=["POST"], deduct_when=counts),
    ]


_LOGIN = _limits("LOGIN_RATE_LIMIT", _email, "LOGIN_ADDRESS_RATE_LIMIT", "login",
                 counts=_failed_login)
_REGISTER = _limits("REGISTER_RATE_LIMIT", _email, "REGISTER_ADDRESS_RATE_LIMIT", "register")
_ENROL = _limits("ENROL_RATE_LIMIT", _account, "ENROL_ADDRESS_RATE_LIMIT", "enrol",
                 counts=_refused)
_POSTING = _limits("POST_RATE_LIMIT", _account, "POST_ADDRESS_RATE_LIMIT", "post")
_PASSWORD = _limits("PASSWORD_RATE_LIMIT", _account, "PASSWORD_ADDRESS_RATE_LIMIT", "password",
                    counts=_refused)

LIMITS = {
    "auth.login": _LOGIN,
    "auth.register": _REGISTER,
    "cohorts.enrol": _ENROL,
    "auth.change_password": _PASSWORD,
    "privacy.delete": _PASSWORD,
    **{endpoint: _POSTING for endpoint in DRAFT_ENDPOINTS},
}


def register(app: Flask) -> None:
    """Put each limit on its views (after the blueprints are registered)."""
    for endpoint, limits in LIMITS.items():
        view = app.view_functions[endpoint]
        for limit in limits:
            view = limit(view)
        app.view_functions[endpoint] = view
    _warn_if_counted_per_process(app)


def per_process(app: Flask) -> bool:
    return (app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://")


PER_PROCESS_WARNING = (
    "RATE LIMITS ARE COUNTED PER PROCESS: RATELIMIT_STORAGE_URI is memory:// but {workers} "
    "workers run, so each allows the full limit (login guessing gets {workers} times as many "
    "tries). Set RATELIMIT_STORAGE_URI=redis://host:6379.")


def _warn_if_counted_per_process(app: Flask) -> None:
    workers = os.environ.get("WEB_CONCURRENCY", "").strip()
    if (per_process(app) and workers.isdigit() and int(workers) > 1
            and app.config.get("RATELIMIT_ENABLED", True)):
        logger.warning(PER_PROCESS_WARNING.format(workers=workers))
