"""`python -m course_app …` and the `course-app` console script: Flask's command line with
this app and its commands (see cli.py), without `--app`."""

from flask.cli import FlaskGroup

from . import create_app


def main() -> None:
    FlaskGroup(create_app=create_app, help="course_app commands")(prog_name="course-app")


if __name__ == "__main__":
    main()
