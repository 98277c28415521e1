"""Which database, an empty schema in it, the course imported, and the seed's notes on it.

Shared by `bench/seed` and `bench/run`: both name a database the same way (a SQLite path or
a URL, else DATABASE_URL, else bench/data/bench.sqlite) and find the seed's notes beside it.
"""

import json
import os
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "data"
DEFAULT_SQLITE = DATA / "bench.sqlite"


def database_url(given: str | None) -> str:
    """A SQLite path or a URL; postgres:// and postgresql:// mean psycopg 3, as in the app."""
    value = given or os.environ.get("DATABASE_URL") or str(DEFAULT_SQLITE)
    if "://" not in value:
        return f"sqlite:///{Path(value).resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value.removeprefix(prefix)
    return value


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def label(url: str) -> str:
    """A short name for results files: sqlite-bench, postgresql-bench_helper_1m."""
    parsed = make_url(url)
    if is_sqlite(url):
        return f"sqlite-{Path(parsed.database or 'memory').stem}"
    return f"postgresql-{parsed.database}"


def notes_path(url: str) -> Path:
    """Where the seed leaves its JSON line for `bench/run`: beside a SQLite file, else in
    bench/data/ under the database's name."""
    parsed = make_url(url)
    if is_sqlite(url) and parsed.database:
        return Path(parsed.database + ".json")
    return DATA / f"{label(url)}.json"


def save_notes(url: str, notes: dict) -> None:
    path = notes_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notes) + "\n")


def load_notes(url: str) -> dict | None:
    path = notes_path(url)
    return json.loads(path.read_text()) if path.exists() else None


def make_empty(url: str, force: bool) -> None:
    """An empty database to seed: refuses to touch one with tables unless `force`."""
    parsed = make_url(url)
    if is_sqlite(url):
        path = Path(parsed.database)
        if path.exists() and not force:
            raise SystemExit(f"{path} exists; pass --force to replace it")
        for suffix in ("", "-wal", "-shm", ".json"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": parsed.database})
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if inspect(conn).get_table_names():
                if not force:
                    raise SystemExit(f"{parsed.database} has tables; pass --force to empty it")
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def make_app(url: str):
    """The app itself, on `url`, so the schema and the course are made by its own code."""
    os.environ.setdefault("SECRET_KEY", "bench-seed")  # or config.py writes instance/secret_key
    from course_app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})


def create_schema(app, how: str) -> None:
    """With the app's migrations (what a deployment runs), or create_all for speed."""
    from course_app.extensions import db

    with app.app_context():
        if how == "create-all":
            db.create_all()
        else:
            from flask_migrate import upgrade

            upgrade()


def import_course(app, folder: Path):
    """The `course import` service, as the CLI calls it; returns the course's shape."""
    from course_app.content import load_course
    from course_app.courses.services import import_course as import_spec
    from course_app.extensions import db

    from .plan import CourseShape, EtivityShape

    with app.app_context():
        course = import_spec(load_course(folder)).course
        db.session.commit()
        shape = CourseShape(
            course.title,
            tuple(EtivityShape(e.id, e.slug, e.title, e.stage_number, e.required, e.observe,
                               e.interact, e.initiate, e.post_first,
                               tuple(p["name"] for p in e.pieces or ()))
                  for e in course.active_etivities),
            {s.number: s.suggested_days for s in course.stages},
            {s.number: s.title for s in course.stages},
        )
        return course.id, shape


def thread_path(app, cohort_id: int, thread_id: int) -> str:
    """A thread's URL path as the app routes it, found by the route's arguments rather than
    its endpoint name (which a refactor may change)."""
    for rule in app.url_map.iter_rules():
        if set(rule.arguments) == {"cohort_id", "thread_id"} and "GET" in rule.methods:
            adapter = app.url_map.bind("localhost")
            return adapter.build(rule.endpoint, {"cohort_id": cohort_id, "thread_id": thread_id})
    return f"/cohorts/{cohort_id}/threads/{thread_id}"


def reset_sequences(conn, tables) -> None:
    """PostgreSQL: ids were given explicitly, so move each id sequence past them."""
    for table in tables:
        if "id" in table.c and table.c.id.primary_key:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
