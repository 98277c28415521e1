"""From the designer's forms to checked content and back.

An author's draft is checked by the content/ code that `course validate` runs: the course as
it stands (courses.export.course_spec) is written out as files with the draft in place of its
e-tivity's file (content.writing), and read back (content.check_files). Each problem found in
the draft's file is put beside its field; problems elsewhere go in the error summary.
"""

import re
from dataclasses import dataclass, field

from ..content import CourseSpec, EtivitySpec, Problem, check_files
from ..content.writing import dump_yaml, etivity_text, folder_files
from ..courses.export import course_spec
from ..courses.models import Course, Etivity
from .forms import CourseForm, EtivityForm
from .wording import for_the_form

# A number as typed is read as one however long (up to 4000 digits, within Python's limit on
# reading digits), so a huge one is told its range ("must be from 1 to 1000"), as 100000 is.
WHOLE = re.compile(r"-?\d{1,4000}")
TEXT_FIELDS = ("title", "purpose", "summary", "task", "interaction", "emoderator", "next")


def _number(value: str | None):
    """What was typed in a number box: an int when it is one, else the text as typed (the
    validator says what's wrong with it), or None when the box is empty (left out)."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if WHOLE.fullmatch(value) else value


def _put(data: dict, key: str, value) -> None:
    if value not in (None, ""):
        data[key] = value


@dataclass
class Checked:
    """A checked draft: the spec when nothing was wrong, and the problems by form field id
    (None: not a field's, for the summary)."""

    spec: EtivitySpec | None
    course: CourseSpec | None
    errors: list[tuple[str | None, str]] = field(default_factory=list)


def etivity_front_matter(form: EtivityForm, slug: str, stage: int) -> tuple[dict, dict]:
    """The e-tivity file's fields from the form, and {field as the validator names it: form
    field id} for the rows of pieces and moderator days that were filled in."""
    data: dict = {"slug": slug, "stage": stage}
    for name in TEXT_FIELDS:
        _put(data, name, getattr(form, name).data)
    for name in ("minutes", "days"):
        _put(data, name, _number(getattr(form, name).data))
    data["required"] = bool(form.required.data)
    data["complete_when"] = {k: _number(getattr(form, k).data) for k in
                             ("observe", "interact", "initiate") if _number(getattr(form, k).data)
                             is not None}
    if form.post_first.data:
        data["post_first"] = True
    for name in ("first_post_day", "replies_day"):
        _put(data, name, _number(getattr(form, name).data))
    rows: dict[str, str] = {}
    pieces = []
    for index, entry in enumerate(form.pieces):
        if entry.form.name.data or entry.form.body.data:
            pieces.append({k: v for k, v in (("name", entry.form.name.data),
                                             ("body", entry.form.body.data)) if v})
            for key in ("name", "body"):
                rows[f"pieces[{len(pieces)}].{key}"] = f"pieces-{index}-{key}"
    _put(data, "pieces", pieces)
    if form.observe_facilitators.data:
        data["observe_facilitators"] = True
    if form.toolkit_slug.data or form.toolkit_title.data:
        data["toolkit"] = {k: v for k, v in (("slug", form.toolkit_slug.data),
                                             ("title", form.toolkit_title.data)) if v}
    days = []
    for index, entry in enumerate(form.moderator_days):
        if entry.form.day.data or entry.form.note.data:
            days.append({k: v for k, v in (("day", _number(entry.form.day.data)),
                                           ("note", entry.form.note.data)) if v is not None
                         and v != ""})
            for key in ("day", "note"):
                rows[f"moderator_days[{len(days)}].{key}"] = f"moderator_days-{index}-{key}"
    _put(data, "moderator_days", days)
    return data, rows


def _field_id(problem_field: str | None, rows: dict[str, str], form) -> str | None:
    if problem_field is None:
        return None
    if problem_field in rows:
        return rows[problem_field]
    head = problem_field.split("[")[0].split(".")
    if problem_field == "body":
        return "spark"
    if head[0] == "complete_when":
        return head[1] if len(head) > 1 and head[1] in form else "observe"
    if head[0] == "toolkit":
        return "toolkit_title" if problem_field.endswith("title") else "toolkit_slug"
    if head[0] in ("pieces", "moderator_days"):
        return f"{head[0]}-0-{'name' if head[0] == 'pieces' else 'day'}"
    return head[0] if head[0] in form else None


def _words(form, field_id: str, message: str) -> str:
    """The validator's message for a field (or a row's: "pieces-1-name"), said the way the
    form asks for it (wording.for_the_form)."""
    target = form[field_id] if field_id in form else _subfield(form, field_id)
    return for_the_form(target.label.text, message)


def check_etivity(course: Course, etivity: Etivity | None, form: EtivityForm,
                  stage: int) -> Checked:
    """Check the form's draft as part of the whole course, through content/."""
    slug = etivity.slug if etivity else (form.slug.data or "")
    data, rows = etivity_front_matter(form, slug, stage)
    current = course_spec(course)
    files = folder_files(current)
    if etivity is not None:
        mine = next(e for e in current.etivities if e.slug == etivity.slug)
        path = mine.source
        files.pop(path)
    else:
        position = len(current.etivities_in(stage)) + 1
        path = f"etivities/{stage}-{position:02d}-{slug or 'new'}.md"
    files[path] = etivity_text(data, form.spark.data or "")
    spec, problems = check_files(course.slug, files)
    checked = Checked(None, spec)
    for problem in problems:
        if problem.file == f"{course.slug}/{path}":
            field_id = _field_id(problem.field, rows, form) or ("slug" if etivity is None
                                                                else None)
            if field_id == "slug" and etivity is not None:
                field_id = None
            checked.errors.append((field_id, _words(form, field_id, problem.message)
                                   if field_id else problem.message))
        else:
            checked.errors.append((None, str(problem)))
    if spec is not None:
        checked.spec = next(e for e in spec.etivities if e.slug == slug)
    return checked


def show_errors(form, errors: list[tuple[str | None, str]]) -> list[tuple[str, str | None]]:
    """Put each message beside its field; returns the summary items a field of the form's
    own list doesn't already give (rows of lists, and problems that are no field's)."""
    more = []
    for field_id, message in errors:
        if field_id is None:
            more.append((message, None))
            continue
        target = form[field_id] if field_id in form else _subfield(form, field_id)
        target.errors = [*target.errors, message]
        if field_id not in form:
            more.append((message, field_id))
    return more


def _subfield(form, field_id: str):
    name, index, key = field_id.split("-")
    return getattr(form, name)[int(index)].form[key]


def fill_etivity_form(form: EtivityForm, etivity: Etivity, spare: int = 1) -> None:
    """The form as the saved e-tivity says, with `spare` empty rows for pieces and days."""
    for name in ("slug", *TEXT_FIELDS, "spark"):
        getattr(form, name).data = getattr(etivity, name)
    for name in ("minutes", "days", "first_post_day", "replies_day", "observe", "interact",
                 "initiate"):
        value = getattr(etivity, name)
        getattr(form, name).data = "" if value is None else str(value)
    for name in ("required", "post_first", "observe_facilitators"):
        getattr(form, name).data = getattr(etivity, name)
    form.toolkit_slug.data = etivity.toolkit_slug or ""
    form.toolkit_title.data = etivity.toolkit_title or ""
    form.version.data = str(etivity.version)
    _rows(form.pieces, etivity.pieces or [], spare)
    _rows(form.moderator_days, [{"day": str(d["day"]), "note": d["note"]}
                                for d in etivity.moderator_days or []], spare)


def restore_fields(form: EtivityForm, before: dict) -> None:
    """Put earlier values (a CourseChange's "before" side) into the filled form."""
    for name, value in before.items():
        if name == "pieces":
            _rows(form.pieces, value or [], 1)
        elif name == "moderator_days":
            _rows(form.moderator_days, [{"day": str(d["day"]), "note": d["note"]}
                                        for d in value or []], 1)
        elif name in ("toolkit_slug", "toolkit_title"):
            getattr(form, name).data = value or ""
        elif name in form and name not in ("version", "slug"):
            target = form[name]
            target.data = value if isinstance(value, bool) else (
                "" if value is None else str(value))


def _rows(field_list, values: list[dict], spare: int) -> None:
    while len(field_list):
        field_list.pop_entry()
    for value in [*values, *({} for _ in range(spare))]:
        field_list.append_entry(value)


def add_spare_rows(form: EtivityForm) -> None:
    """One empty row after the filled ones, so another piece or day can be added."""
    for field_list, keys in ((form.pieces, ("name", "body")),
                             (form.moderator_days, ("day", "note"))):
        last = field_list[-1].form if len(field_list) else None
        if last is None or any(last[k].data for k in keys):
            field_list.append_entry({})


# ---- the course and its stages ---------------------------------------------------------

def check_course(course: Course, form: CourseForm) -> tuple[CourseSpec | None, list]:
    """The course's own fields and its stages, checked in course.yaml as the validator
    reads it."""
    data: dict = {}
    for name in ("title", "summary", "audience"):
        _put(data, name, getattr(form, name).data)
    _put(data, "weekly_minutes", _number(form.weekly_minutes.data))
    data["stages"] = []
    for number, entry in enumerate(form.stages, start=1):
        stage = {"number": number}
        for name in ("title", "summary", "emoderator"):
            _put(stage, name, entry.form[name].data)
        _put(stage, "suggested_days", _number(entry.form.suggested_days.data))
        data["stages"].append(stage)
    files = folder_files(course_spec(course))
    files["course.yaml"] = dump_yaml(data)
    if not any(p.startswith("etivities/") for p in files):
        files["etivities/1-01-placeholder.md"] = _placeholder()
    spec, problems = check_files(course.slug, files)
    errors = []
    for problem in problems:
        if problem.file != f"{course.slug}/course.yaml":
            continue
        errors.append(_course_error(form, problem))
    return spec, errors


def _course_error(form: CourseForm, problem: Problem) -> tuple[str | None, str]:
    name = problem.field or ""
    match = re.fullmatch(r"stages\[(\d)\]\.(\w+)", name)
    if match:
        field_id = f"stages-{int(match.group(1)) - 1}-{match.group(2)}"
        label = form.stages[int(match.group(1)) - 1].form[match.group(2)].label.text
        return field_id, _stage_words(int(match.group(1)), label, problem.message)
    if name in form:
        return name, _words(form, name, problem.message)
    return None, str(problem)


def _stage_words(number: int, label: str, message: str) -> str:
    if message.startswith(("is missing", "is empty")):
        return f"Enter stage {number}'s {label[0].lower() + label[1:]}."
    return f"Stage {number}: {for_the_form(label, message)}"


def _placeholder() -> str:
    """A course with no e-tivities yet is fine in the designer; the folder format wants one,
    so its course.yaml is checked beside a valid stand-in."""
    return etivity_text({"slug": "placeholder", "stage": 1, **{k: "x" for k in TEXT_FIELDS},
                         "minutes": 1, "days": 1, "required": True, "complete_when": {}}, "x")


def fill_course_form(form: CourseForm, course: Course) -> None:
    form.version.data = str(course.texts_version)
    for name in ("title", "summary", "audience"):
        getattr(form, name).data = getattr(course, name)
    form.weekly_minutes.data = "" if course.weekly_minutes is None else str(course.weekly_minutes)
    for entry, stage in zip(form.stages, course.stages, strict=False):
        for name in ("title", "summary", "emoderator"):
            entry.form[name].data = getattr(stage, name)
        entry.form.suggested_days.data = str(stage.suggested_days)


def fill_course_draft(form: CourseForm, fields: dict) -> None:
    """The course's draft (drafts.save_course's fields) over the published texts."""
    for name, value in fields["course"].items():
        form[name].data = "" if value is None else str(value)
    for number, values in fields["stages"].items():
        entry = form.stages[int(number) - 1].form
        for name, value in values.items():
            entry[name].data = str(value)

