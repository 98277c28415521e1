"""course_app: staged online courses on Gilly Salmon's five-stage model."""

import logging
from pathlib import Path

from flask import Flask

from . import config


def create_app(test_config: dict | None = None) -> Flask:
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(root / "instance"),
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    config.load(app)
    if test_config:
        app.config.update(test_config)
    register_logging()
    register_proxies(app)
    register_extensions(app)
    register_inputs(app)
    register_blueprints(app)
    register_throttling(app)
    register_database(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_security_headers(app)
    return app


def register_logging() -> None:
    """INFO lines on stderr: the security log, the job queue's, werkzeug's requests. Alembic
    names each plugin it sets up at INFO when it is imported, which would bury what every
    command prints; its migrations still report (migrations/alembic.ini sets its level then)."""
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def register_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto/-Host only from the TRUSTED_PROXIES nearest proxies:
    otherwise anyone could pick the address that rate limits and the security log see."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_extensions(app: Flask) -> None:
    from . import mail, models  # noqa: F401
    from .auth.models import User  # noqa: F401  (models must be known to Migrate)
    from .extensions import FastJSONProvider, csrf, db, limiter, login_manager, migrate

    app.json = FastJSONProvider(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    from .jobs import queue

    queue.configure(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        """The session's login must still exist (auth.sessions): logout ends it everywhere."""
        from .auth.sessions import user_for
        from .clock import utcnow

        return user_for(session_id, utcnow())

    @login_manager.request_loader
    def load_token_user(request):
        """An API token, for GET requests under /api/ only (see reports/api.py)."""
        from .reports.api import user_from_token

        return user_from_token(request)


def register_inputs(app: Flask) -> None:
    """Before the blueprints: routes pick their `<int:...>` converter when they are added."""
    from . import inputs

    inputs.register(app)


def register_blueprints(app: Flask) -> None:
    import importlib

    from .auth import bp as auth_bp
    from .cohorts import bp as cohorts_bp
    from .courses import bp as courses_bp
    from .design import bp as design_bp
    from .discussions import bp as discussions_bp
    from .facilitate import bp as facilitate_bp
    from .feeds import bp as feeds_bp
    from .learner import bp as learner_bp
    from .mailings import bp as mailings_bp
    from .mailings import hooks as mailing_hooks
    from .main import bp as main_bp
    from .notifications import bp as notifications_bp
    from .privacy import bp as privacy_bp
    from .reports import api_bp
    from .reports import bp as reports_bp
    from .toolkit import bp as toolkit_bp

    # Routes attach to their blueprints when the views modules are imported.
    for name in ("auth.views", "cohorts.views", "discussions.views",
                 "discussions.thread_page", "discussions.own_posts", "learner.course_map",
                 "learner.my_progress",
                 "reports.api", "notifications.views", "facilitate.views", "reports.token_views",
                 "reports.views", "privacy.views", "design.views", "toolkit.views",
                 "mailings.views", "feeds.views"):
        importlib.import_module(f"{__name__}.{name}")
    for blueprint in (main_bp, auth_bp, courses_bp, cohorts_bp, learner_bp, discussions_bp,
                      api_bp, notifications_bp, facilitate_bp, reports_bp, privacy_bp, design_bp,
                      toolkit_bp, mailings_bp, feeds_bp):
        app.register_blueprint(blueprint)
    mailing_hooks.register()  # a stored notification queues its email


def register_throttling(app: Flask) -> None:
    from . import throttle

    throttle.register(app)


def register_database(app: Flask) -> None:
    from . import database

    database.register(app)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from . import templating

    templating.register(app)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from . import headers

    headers.register(app)
