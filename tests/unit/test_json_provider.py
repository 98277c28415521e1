"""The app's JSON (orjson, `extensions.FastJSONProvider`) says what Flask's own would."""

import dataclasses
import enum
import json
from datetime import UTC, date, datetime

from flask.json.provider import DefaultJSONProvider

from course_app.extensions import FastJSONProvider


@dataclasses.dataclass
class Point:
    x: int


class Colour(enum.StrEnum):
    RED = "red"


PAYLOAD = {
    "b": 1, "a": [1.5, None, True], "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    "day": date(2026, 1, 2), "point": Point(3), "colour": Colour.RED, "name": "Zoë “quoted”",
    "nested": {"z": {"y": [{"b": 2, "a": 1}]}}, "by_stage": {1: 3, 2: 0},
}


def test_the_same_answer_as_flasks_provider(app):
    ours, flasks = FastJSONProvider(app), DefaultJSONProvider(app)
    expected = {**PAYLOAD, "by_stage": {"1": 3, "2": 0}}  # Flask can't sort int keys with str
    assert json.loads(ours.dumps(PAYLOAD)) == json.loads(flasks.dumps(expected))
    assert ours.dumps({"b": 1, "a": 2}) == '{"a":2,"b":1}'  # keys sorted, as Flask sorts them


def test_indent_when_asked(app):
    assert FastJSONProvider(app).dumps({"a": 1}, indent=2) == '{\n  "a": 1\n}'


def test_the_app_uses_it(app):
    assert isinstance(app.json, FastJSONProvider)
    with app.test_request_context():
        assert app.json.response({"a": "é"}).get_json() == {"a": "é"}
