"""SQL queries per page, counted in-process (the app's test client on the same database):
the figure that says whether a page's cost grows with the data."""

import uuid

from sqlalchemy import event

from .client import csrf_token
from .database import make_app


def count_queries(url: str, notes: dict, found, rows: list[dict]) -> None:
    """Adds "queries" to each GET page's and the reply's row: one request each, after the
    load, so reads are already recorded (as for a page seen before)."""
    app = make_app(url)
    from course_app.extensions import db

    clients = {}
    for who, email in (("learner", notes["learner_email"]),
                       ("facilitator", notes["facilitator_email"])):
        client = app.test_client()
        token = csrf_token(client.get("/account/login").get_data(as_text=True))
        client.post("/account/login", data={"email": email, "password": notes["password"],
                                            "csrf_token": token})
        clients[who] = client
    clients["anyone"] = app.test_client()
    with app.app_context():
        engine = db.engine
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for row in rows:
            client = clients[row["who"]]
            counter["n"] = 0
            if row["key"] == "reply":
                page = client.get(f"{row['path']}?page={found.last_page}").get_data(as_text=True)
                counter["n"] = 0
                client.post(row["path"], data={
                    "csrf_token": csrf_token(page), "parent_id": "",
                    "submission_key": uuid.uuid4().hex, "body": "Counting the reply's queries."})
            elif row["key"] in ("mixed", "static"):
                continue
            else:
                client.get(row["path"])
            row["queries"] = counter["n"]
    finally:
        event.remove(engine, "before_cursor_execute", count)
        engine.dispose()
