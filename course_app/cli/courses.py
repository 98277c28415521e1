"""`course …`: check, load, write out and copy course content (the folder format of
modules/README.md)."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..clock import utcnow
from ..extensions import db
from ..rendering import plural
from .common import TEXT, TITLE, Group, PlainPath, _fail, course_or_fail

# ---- course -----------------------------------------------------------------

@click.group("course", cls=Group, help="Check and load course content from modules/.")
def course_group():
    pass


def _problems(path: str):
    from ..content import validate_course

    problems = validate_course(path)
    for problem in problems:
        click.secho(str(problem), fg="red", err=True)
    return problems


@course_group.command("validate")
@click.argument("path", type=PlainPath(file_okay=False))
def course_validate(path):
    """Check a course folder; print every problem with file, line and field."""
    problems = _problems(path)
    if problems:
        _fail(f"{plural(len(problems), 'problem', 'problems')} found in {path}.")
    from ..content import load_course

    spec = load_course(path)
    warnings = _design_warnings(spec)
    click.echo(f"{path}: OK — {spec.title}, 5 stages, "
               f"{plural(len(spec.etivities), 'e-tivity', 'e-tivities')}"
               + (f", {plural(len(warnings), 'design warning', 'design warnings')}."
                  if warnings else "."))


def _design_warnings(spec):
    """Print the course's design warnings (they never stop a validate or an import)."""
    from ..content.design import design_warnings

    warnings = design_warnings(spec)
    for warning in warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    return warnings


@course_group.command("import")
@click.argument("path", type=PlainPath(file_okay=False))
@with_appcontext
def course_import(path):
    """Validate, then create or update the course (posts and progress are kept)."""
    from ..cohorts.models import Cohort
    from ..content import load_course
    from ..courses.services import get_course, import_course
    from ..design.drafts import pending as pending_drafts
    from ..progress.evidence import reevaluate_cohort

    if _problems(path):
        _fail("Nothing was imported. Fix the problems above and run the import again.")
    spec = load_course(path)
    _design_warnings(spec)
    existing = get_course(spec.slug)
    waiting = len(pending_drafts(existing)) if existing is not None else 0
    steps = len(spec.stages) + len(spec.etivities)
    with click.progressbar(length=steps, label=f"Importing {spec.slug}", file=sys.stderr) as bar:
        result = import_course(spec, progress=lambda _: bar.update(1))
    earned = 0
    for cohort in db.session.scalars(db.select(Cohort).where(Cohort.course_id == result.course.id)):
        earned += reevaluate_cohort(cohort, utcnow())
    db.session.commit()
    verb = "Created" if result.created else "Updated"
    click.echo(f"{verb} course {spec.slug!r}: "
               f"{plural(len(result.added), 'e-tivity', 'e-tivities')} added, "
               f"{len(result.updated)} changed, {len(result.retired)} retired.")
    if earned:
        click.echo(f"{plural(earned, 'completion', 'completions')} earned under the changed "
                   "rules.")
    if waiting:  # kept: each holds only the fields its author changed, and goes over these
        waits = "drafts wait" if waiting != 1 else "draft waits"
        click.echo(f"Note: {waiting} {waits} in the course designer; publishing "
                   f"{'them' if waiting != 1 else 'it'} puts the drafted fields over what was "
                   f"just imported. Review them at /design/{spec.slug}/publish.")


@course_group.command("export")
@click.argument("slug", type=TEXT)
@click.argument("path", type=PlainPath(file_okay=False))
@click.option("--replace", is_flag=True,
              help="Write over a course folder that is already there.")
@with_appcontext
def course_export(slug, path, replace):
    """Write the course SLUG as a course folder: PATH/SLUG (or PATH itself when it is named
    SLUG), in the format of modules/README.md. Import reads it back as the same course.
    Written whole or not at all: a folder it replaces stays as it was when it can't."""
    from ..backup import unwritable
    from ..content import validate_course
    from ..content.writing import FolderNotWritten, write_folder
    from ..courses.export import course_spec

    course = course_or_fail(slug)
    folder = Path(path) if Path(path).name == slug else Path(path) / slug
    if (folder / "course.yaml").exists() and not replace:
        _fail(f"{folder} already holds a course. Add --replace to write over it.")
    try:
        written = write_folder(course_spec(course), folder)
    except FolderNotWritten as e:
        _fail(f"{unwritable(e.place, e.error)} Nothing was written"
              f"{f'; {folder} is as it was' if folder.exists() else ''}.")
    problems = validate_course(folder)
    for problem in problems:
        click.secho(str(problem), fg="red", err=True)
    click.echo(f"Wrote {len(written)} files to {folder}"
               f"{'' if not problems else f' ({len(problems)} problems: see above)'}.")


@course_group.command("duplicate")
@click.argument("slug", type=TEXT)
@click.argument("new_slug", type=TEXT)
@click.option("--title", type=TITLE, help="The new course's title (default: the same).")
@with_appcontext
def course_duplicate(slug, new_slug, title):
    """Start a new course NEW_SLUG as a copy of SLUG's stages and e-tivities (no cohorts)."""
    from ..courses.services import CourseSlugTaken, duplicate_course

    course = course_or_fail(slug)
    try:
        copy = duplicate_course(course, new_slug, title)
    except CourseSlugTaken as error:
        _fail(f"New slug: {error}.")
    db.session.commit()
    click.echo(f"Created course {copy.slug!r} from {slug!r}: "
               f"{plural(len(copy.etivities), 'e-tivity', 'e-tivities')}.")
