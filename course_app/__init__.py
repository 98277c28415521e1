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
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_security_headers(app)
    configure_sqlite(app)
    logging.basicConfig(level=logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    from .auth.models import User  # noqa: F401  (models must be known to Migrate)
    from .extensions import csrf, db, limiter, login_manager, migrate
    from . import models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        from .auth.services import load_session_user

        return load_session_user(user_id)

    @login_manager.request_loader
    def load_token_user(request):
        """An API token, for GET requests under /api/ only (see reports/api.py)."""
        from .reports.api import user_from_token

        return user_from_token(request)


def register_blueprints(app: Flask) -> None:
    import importlib

    from .auth import bp as auth_bp
    from .cohorts import bp as cohorts_bp
    from .courses import bp as courses_bp
    from .discussions import bp as discussions_bp
    from .facilitate import bp as facilitate_bp
    from .learner import bp as learner_bp
    from .main import bp as main_bp
    from .notifications import bp as notifications_bp
    from .reports import api_bp, bp as reports_bp

    # Routes attach to their blueprints when the views modules are imported.
    for name in ("auth.views", "courses.views", "cohorts.views", "discussions.views",
                 "learner.course_map", "learner.my_progress", "reports.api",
                 "notifications.views", "facilitate.views", "reports.token_views",
                 "reports.views"):
        importlib.import_module(f"{__name__}.{name}")
    for blueprint in (main_bp, auth_bp, courses_bp, cohorts_bp, learner_bp, discussions_bp,
                      api_bp, notifications_bp, facilitate_bp, reports_bp):
        app.register_blueprint(blueprint)


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
    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' https: data:; style-src 'self'; "
            "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
            "form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def configure_sqlite(app: Flask) -> None:
    """WAL and foreign keys for SQLite: readers don't block the writer; cascades work."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from .extensions import db

    with app.app_context():
        engine: Engine = db.engine

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in app.config["SQLALCHEMY_DATABASE_URI"]:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()
