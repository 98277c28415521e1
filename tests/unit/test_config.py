"""Settings from the environment (config.py): on/off settings read the ways people write
them, and a value that means nothing is refused naming its variable, never quietly off."""

import pytest
from flask import Flask

from course_app import config


@pytest.fixture
def load(tmp_path, monkeypatch):
    """config.load on a bare app with these environment variables; its config."""
    monkeypatch.setenv("SECRET_KEY", "x" * 64)

    def loaded(**environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        app = Flask("course_app", instance_path=str(tmp_path))
        config.load(app)
        return app.config

    return loaded


@pytest.mark.parametrize("name, keys", [
    ("MAIL_USE_TLS", ["MAIL_USE_TLS"]),
    ("SESSION_COOKIE_SECURE", ["SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"]),
])
@pytest.mark.parametrize("value, on", [
    ("1", True), ("true", True), ("True", True), ("YES", True), (" on ", True),
    ("0", False), ("false", False), ("No", False), ("off", False), ("", False),
])
def test_on_and_off_read_as_people_write_them(load, name, keys, value, on):
    settings = load(**{name: value})
    assert [settings[key] for key in keys] == [on] * len(keys)


@pytest.mark.parametrize("name", ["MAIL_USE_TLS", "SESSION_COOKIE_SECURE"])
@pytest.mark.parametrize("value", ["2", "enabled", "tru"])
def test_an_on_off_setting_that_is_neither_is_refused_by_name(load, name, value):
    with pytest.raises(ValueError, match=f"^{name} must be 1, true, yes or on .*not '{value}'"):
        load(**{name: value})


def test_mail_port_is_read_as_the_other_whole_numbers_are(load):
    assert load()["MAIL_PORT"] == 25
    assert load(MAIL_PORT="587")["MAIL_PORT"] == 587
    with pytest.raises(ValueError, match="^MAIL_PORT must be a whole number, not 'smtp'"):
        load(MAIL_PORT="smtp")


def test_the_mail_defaults_the_readme_gives(load):
    settings = load()
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"], settings["MAIL_FROM"]) == (
        "", 25, "course-app@localhost")
    assert settings["MAIL_USE_TLS"] is False


def test_no_setting_is_read_that_nothing_uses(load):
    assert "MODULES_PATH" not in load(MODULES_PATH="/elsewhere")
