"""Configuration: safe defaults, then environment variables, then instance/config.py."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, or one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):  # the form many hosts hand out
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or default_database_url(instance_path)


def default_database_url(instance_path: str) -> str:
    """SQLite in instance/, what `make run` uses with no DATABASE_URL."""
    return f"sqlite:///{Path(instance_path) / 'course_app.sqlite'}"


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return int(value)


YES, NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _flag(name: str) -> bool:
    """A setting that is on or off: 1, true, yes or on (any case) turn it on; unset, empty,
    0, false, no or off leave it off; anything else is refused, naming the variable, rather
    than being quietly off."""
    value = os.environ.get(name, "").strip().lower()
    if value in YES:
        return True
    if value and value not in NO:
        raise ValueError(f"{name} must be 1, true, yes or on (or 0, false, no or off), "
                         f"not {os.environ[name]!r}")
    return False


def load(app) -> None:
    """Fill app.config from defaults and the environment."""
    app.config.from_mapping(
        SECRET_KEY=_secret_key(app.instance_path),
        SQLALCHEMY_DATABASE_URI=_database_url(app.instance_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        # SQLite: how long a write waits for the lock (ms); then up to DB_BUSY_RETRIES more
        # tries (see database.py), then a 503 that gives back what was typed.
        SQLITE_BUSY_TIMEOUT=_whole_number("SQLITE_BUSY_TIMEOUT", 5000),
        DB_BUSY_RETRIES=_whole_number("DB_BUSY_RETRIES", 2),
        HEALTHZ_WRITE_TIMEOUT=1000,  # ms /healthz waits for the write lock before saying no
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host:
        # 0 trusts none, so nobody can choose the address the limits count.
        TRUSTED_PROXIES=_whole_number("TRUSTED_PROXIES", 0),
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=True,
        # If the store (Redis) stops answering, count in this process's memory and log a
        # warning, rather than refusing every login.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        # Per account and per address; see throttle.py for what each one counts.
        LOGIN_RATE_LIMIT=os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour"),
        LOGIN_ADDRESS_RATE_LIMIT=os.environ.get("LOGIN_ADDRESS_RATE_LIMIT",
                                                "20 per minute;100 per hour"),
        REGISTER_RATE_LIMIT=os.environ.get("REGISTER_RATE_LIMIT", "10 per hour"),
        REGISTER_ADDRESS_RATE_LIMIT=os.environ.get("REGISTER_ADDRESS_RATE_LIMIT",
                                                   "40 per hour;100 per day"),
        ENROL_RATE_LIMIT=os.environ.get("ENROL_RATE_LIMIT", "10 per minute"),
        ENROL_ADDRESS_RATE_LIMIT=os.environ.get("ENROL_ADDRESS_RATE_LIMIT",
                                                "30 per minute;200 per hour"),
        POST_RATE_LIMIT=os.environ.get("POST_RATE_LIMIT", "10 per minute;100 per hour"),
        POST_ADDRESS_RATE_LIMIT=os.environ.get("POST_ADDRESS_RATE_LIMIT", "60 per minute"),
        PASSWORD_RATE_LIMIT=os.environ.get("PASSWORD_RATE_LIMIT", "5 per minute;20 per hour"),
        PASSWORD_ADDRESS_RATE_LIMIT=os.environ.get("PASSWORD_ADDRESS_RATE_LIMIT",
                                                   "20 per minute;100 per hour"),
        # The largest request body read (bytes): more is refused with a 413 before it is
        # read. Forms are held to the same figure (Werkzeug's own default is 500 KB).
        MAX_CONTENT_LENGTH=_whole_number("MAX_CONTENT_LENGTH", 1_000_000),
        MAX_FORM_MEMORY_SIZE=_whole_number("MAX_CONTENT_LENGTH", 1_000_000),
        # Withdrawn posts keep their text this many days, then `purge-withdrawn` blanks it.
        WITHDRAWN_POST_DAYS=_whole_number("WITHDRAWN_POST_DAYS", 30),
        # The development mailbox's messages and the sent-mail keys are deleted after this
        # many days (jobs/retention.py, daily in the worker).
        MAIL_KEEP_DAYS=_whole_number("MAIL_KEEP_DAYS", 30),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A login lasts as long as the cookie that carries it (auth.sessions.lifetime): a year
        # with "remember me" (Flask-Login's default, stated here so both read one value),
        # else PERMANENT_SESSION_LIFETIME (Flask's 31 days).
        REMEMBER_COOKIE_DURATION=timedelta(days=365),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_flag("SESSION_COOKIE_SECURE"),
        REMEMBER_COOKIE_SECURE=_flag("SESSION_COOKIE_SECURE"),
        WTF_CSRF_TIME_LIMIT=None,
        PASSWORD_HASH_METHOD="scrypt",  # the token lives as long as the session
        DEFAULT_COURSE="engaging-online",
        MAIL_SERVER=os.environ.get("MAIL_SERVER", ""),
        MAIL_PORT=_whole_number("MAIL_PORT", 25),
        MAIL_USE_TLS=_flag("MAIL_USE_TLS"),
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME", ""),
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD", ""),
        MAIL_FROM=os.environ.get("MAIL_FROM", "course-app@localhost"),
        # Links in emails and calendar feeds start with this (`make run` sets it to the
        # address it serves on).
        BASE_URL=os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # The job queue (jobs/queue.py): Redis when set, else SQLite in instance/jobs.sqlite.
        JOBS_URL=os.environ.get("JOBS_URL") or os.environ.get("REDIS_URL", ""),
        JOBS_STORAGE=os.environ.get("JOBS_STORAGE", ""),  # "memory": the tests' queue
    )
    app.config.from_pyfile("config.py", silent=True)
