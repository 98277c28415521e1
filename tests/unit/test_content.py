"""The content loader: each test writes a valid course folder, breaks one thing, checks the
report."""

import os
from pathlib import Path

import pytest

from course_app.content import (
    CompletionRule,
    ContentError,
    ModeratorDay,
    PieceTemplate,
    Problem,
    ToolkitSection,
    load_course,
    validate_course,
)

WELCOME_MD = "etivities/1-01-welcome.md"
INTRO_MD = "etivities/1-02-introduce-yourself.md"
REAL_COURSE = Path(__file__).resolve().parents[2] / "modules" / "engaging-online"

COURSE_YAML = """\
title: Test course
summary: A short course for testing.
audience: People who test
stages:
""" + "".join(
    f"""\
  - number: {n}
    title: Stage {n}
    summary: What learners do in stage {n}
    emoderator: What the e-moderator does in stage {n}
    suggested_days: 7
"""
    for n in range(1, 6)
)

WELCOME = """\
---
slug: welcome
stage: 1
title: Welcome
purpose: Knowing where things are helps.
summary: Take a tour.
task: Look around.
interaction: No reply needed.
emoderator: Post a welcome.
minutes: 15
days: 3
next: Introduce yourself.
complete_when:
  observe: 1
---

It's your first day in a new building.

"""

INTRODUCE = """\
---
slug: introduce-yourself
stage: 1
title: Introduce yourself
purpose: People engage with people.
summary: Say who you are.
task: Post a short introduction.
interaction: Reply to two people.
emoderator: Reply to everyone within a day.
minutes: 20
days: 3
next: Your time.
required: false
complete_when:
  observe: 3
  interact: 2
  initiate: 1
post_first: true
first_post_day: 1
replies_day: 2
pieces:
  - name: Imagine
    body: |
      Imagine that …
  - name: Three things
    body: Three things about me.
---
Look at the [course map](images/map.png) and ![a photo](./images/photo.jpg).
Web links are fine: [docs](https://example.org/x), <http://example.org>,
[mail](mailto:a@example.org), and [a heading](#top).
"""

LISTEN = WELCOME.replace("slug: welcome", "slug: listen-first").replace("stage: 1", "stage: 2")


def make_course(tmp_path, name="test-course"):
    """A valid course folder with three e-tivities across two stages."""
    folder = tmp_path / name
    (folder / "etivities").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    files = {"1-01-welcome.md": WELCOME, "1-02-introduce-yourself.md": INTRODUCE,
             "2-01-listen.md": LISTEN}
    for file_name, text in files.items():
        (folder / "etivities" / file_name).write_text(text, encoding="utf-8")
    return folder


def edit(path, old, new):
    """Break one thing in a file of the valid course."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, needle, after=0):
    """1-based line of the first line (after line `after`) that contains `needle`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if i > after and needle in line)


def only(problems):
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


@pytest.fixture
def course(tmp_path):
    return make_course(tmp_path)


@pytest.fixture
def intro(course):
    return course / "etivities" / "1-02-introduce-yourself.md"


@pytest.fixture
def welcome(course):
    return course / "etivities" / "1-01-welcome.md"


# --- a valid folder -----------------------------------------------------------------------------


def test_valid_folder_has_no_problems(course):
    assert validate_course(course) == []


def test_load_builds_the_spec(course):
    spec = load_course(course)
    assert (spec.slug, spec.title, spec.audience) == (
        "test-course", "Test course", "People who test")
    assert [s.number for s in spec.stages] == [1, 2, 3, 4, 5]
    assert spec.stages[0].suggested_days == 7
    assert [(e.stage, e.position, e.slug) for e in spec.etivities] == [
        (1, 1, "welcome"),
        (1, 2, "introduce-yourself"),
        (2, 1, "listen-first"),
    ]
    assert [e.slug for e in spec.etivities_in(2)] == ["listen-first"]
    assert spec.etivities_in(5) == ()

    welcome, intro = spec.etivities[:2]
    assert welcome.source == "etivities/1-01-welcome.md"
    assert welcome.spark == "It's your first day in a new building."
    assert welcome.required is True and welcome.post_first is False
    assert welcome.complete_when == CompletionRule(observe=1)
    assert welcome.first_post_day is None and welcome.replies_day is None and welcome.pieces == ()

    assert intro.required is False and intro.post_first is True
    assert intro.complete_when.as_dict() == {"observe": 3, "interact": 2, "initiate": 1}
    assert (intro.first_post_day, intro.replies_day) == (1, 2)
    assert intro.pieces == (
        PieceTemplate("Imagine", "Imagine that …"),
        PieceTemplate("Three things", "Three things about me."),
    )


def test_problem_reads_as_file_line_field_message():
    assert str(Problem("c/course.yaml", 3, "title", "is empty")) == (
        "c/course.yaml:3: title: is empty")
    assert str(Problem("c/course.yaml", None, "slug", "bad")) == "c/course.yaml: slug: bad"
    assert str(Problem("c/course.yaml", 2, None, "broken")) == "c/course.yaml:2: broken"


def test_load_raises_with_every_problem(course, welcome):
    edit(welcome, "minutes: 15", "minutes: 0")
    edit(welcome, "days: 3", "days: -1")
    with pytest.raises(ContentError) as raised:
        load_course(course)
    assert [p.field for p in raised.value.problems] == ["minutes", "days"]
    assert "welcome.md" in str(raised.value)


def test_real_course_is_valid():
    if not (REAL_COURSE / "course.yaml").exists():
        pytest.skip("modules/engaging-online is not written yet")
    assert [str(p) for p in validate_course(REAL_COURSE)] == []


# --- the folder ---------------------------------------------------------------------------------


def test_missing_folder_is_a_problem(tmp_path):
    problem = only(validate_course(tmp_path / "nowhere"))
    assert problem.file == "nowhere" and "no course folder" in problem.message


def test_missing_course_yaml(course):
    (course / "course.yaml").unlink()
    problem = only(validate_course(course))
    assert problem.file == "test-course/course.yaml" and "no course.yaml" in problem.message


def test_missing_etivities_folder(course):
    for path in (course / "etivities").iterdir():
        path.unlink()
    (course / "etivities").rmdir()
    problem = only(validate_course(course))
    assert problem.file == "test-course/etivities" and "no etivities/ folder" in problem.message


def test_folder_name_is_the_course_slug(tmp_path):
    course = make_course(tmp_path, name="Test_Course")
    problem = only(validate_course(course))
    assert (problem.file, problem.field) == ("Test_Course", "slug")
    assert "'test-course'" in problem.message


def test_a_folder_named_after_a_design_page_is_refused(tmp_path):
    """/design/new is the form for a new course, so a course called "new" could never show
    its storyboard."""
    course = make_course(tmp_path, name="new")
    problem = only(validate_course(course))
    assert (problem.file, problem.field) == ("new", "slug")
    assert "page of the course designer" in problem.message and "'new-course'" in problem.message


def test_a_folder_name_longer_than_a_slug_is_refused(tmp_path):
    course = make_course(tmp_path, name="a" * 81)
    assert "longer than 80 characters" in only(validate_course(course)).message


# --- broken YAML and front matter ---------------------------------------------------------------


def test_broken_yaml_in_course_yaml(course):
    edit(course / "course.yaml", "audience: People who test", "audience: [People who test")
    problem = only(validate_course(course))
    assert problem.file == "test-course/course.yaml"
    assert problem.line is not None and "can't be read" in problem.message


def test_broken_yaml_in_front_matter_gives_the_md_line(intro):
    # Line 5 of the file is "purpose: …"; a second colon-space makes it invalid YAML.
    edit(intro, "purpose: People engage with people.", "purpose: People: engage with people.")
    problem = only(validate_course(intro.parent.parent))
    assert problem.file == "test-course/etivities/1-02-introduce-yourself.md"
    assert problem.line == 5
    assert "can't be read" in problem.message


def test_missing_front_matter(course, welcome):
    welcome.write_text("Just a spark, no fields.\n", encoding="utf-8")
    problem = only(validate_course(course))
    assert problem.file.endswith("1-01-welcome.md") and problem.line == 1
    assert "no front matter" in problem.message


def test_front_matter_without_closing_line(course, welcome):
    welcome.write_text(WELCOME.replace("---\n\nIt's", "\nIt's"), encoding="utf-8")
    assert "no closing '---'" in only(validate_course(course)).message


def test_yaml_tags_never_construct_objects(course, welcome):
    edit(welcome, "title: Welcome", "title: !!python/object/apply:os.system ['echo hacked']")
    problem = only(validate_course(course))
    assert problem.field == "title" and "must be text" in problem.message


# --- fields -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "file, old, new, field",
    [
        ("course.yaml", "title: Test course\n", "", "title"),
        ("course.yaml", "    suggested_days: 7\n", "", "stages[1].suggested_days"),
        (WELCOME_MD, "purpose: Knowing where things are helps.\n", "", "purpose"),
        (WELCOME_MD, "complete_when:\n  observe: 1\n", "", "complete_when"),
        (INTRO_MD, "    body: Three things about me.\n", "", "pieces[2].body"),
        (WELCOME_MD, "title: Welcome", "title:", "title"),
        (WELCOME_MD, "title: Welcome", "title: '   '", "title"),
    ],
)
def test_missing_required_field(course, file, old, new, field):
    edit(course / file, old, new)
    problem = only(validate_course(course))
    assert problem.field == field
    assert "missing" in problem.message or "empty" in problem.message
    assert problem.line is not None


@pytest.mark.parametrize(
    "file, old, new, field",
    [
        ("course.yaml", "audience:", "sumary: typo\naudience:", "sumary"),
        ("course.yaml", "    suggested_days: 7\n", "    suggested_days: 7\n    hue: red\n",
         "stages[1].hue"),
        (WELCOME_MD, "days: 3", "days: 3\nduration: 4", "duration"),
        (WELCOME_MD, "  observe: 1", "  observe: 1\n  reply: 2", "complete_when.reply"),
        (INTRO_MD, "  - name: Imagine", "  - name: Imagine\n    icon: star", "pieces[1].icon"),
    ],
)
def test_unknown_field(course, file, old, new, field):
    edit(course / file, old, new)
    problem = only(validate_course(course))
    assert problem.field == field
    assert "not a known field" in problem.message
    assert problem.line == line_of(course / file, field.rpartition(".")[2] + ":")


def test_unknown_field_suggests_the_likely_one(course):
    edit(course / "course.yaml", "summary: A short", "sumary: A short")
    problems = validate_course(course)
    assert {p.field for p in problems} == {"sumary", "summary"}
    assert "did you mean 'summary'?" in next(p.message for p in problems if p.field == "sumary")


def test_field_given_twice(course, welcome):
    edit(welcome, "days: 3", "days: 3\ndays: 4")
    problem = only(validate_course(course))
    assert problem.field == "days" and "twice" in problem.message
    assert problem.line == line_of(welcome, "days: 4")


@pytest.mark.parametrize("value", ["maybe", "1", "[true]"])
def test_flags_must_be_true_or_false(course, intro, value):
    edit(intro, "required: false", f"required: {value}")
    assert only(validate_course(course)).field == "required"


# --- stages -------------------------------------------------------------------------------------


def test_stage_number_outside_one_to_five_in_course_yaml(course):
    edit(course / "course.yaml", "number: 5", "number: 6")
    problems = validate_course(course)
    assert [(p.field, p.line) for p in problems] == [  # reported top to bottom
        ("stages", line_of(course / "course.yaml", "stages:") + 1),
        ("stages[5].number", line_of(course / "course.yaml", "number: 6")),
    ]
    assert "stage 5 is missing" in problems[0].message
    assert "from 1 to 5, not 6" in problems[1].message


def test_stage_number_outside_one_to_five_in_etivity(course, welcome):
    edit(welcome, "stage: 1", "stage: 0")
    problem = only(validate_course(course))
    assert (problem.field, problem.line) == ("stage", 3)


def test_stage_listed_twice(course):
    edit(course / "course.yaml", "number: 4", "number: 3")
    problems = validate_course(course)
    assert [p.field for p in problems] == ["stages", "stages[4].number"]
    assert "stage 4 is missing" in problems[0].message
    assert "stage 3 is listed twice" in problems[1].message


def test_stages_must_be_a_list(course):
    text = COURSE_YAML.split("stages:")[0] + "stages: five\n"
    (course / "course.yaml").write_text(text, encoding="utf-8")
    assert only(validate_course(course)).field == "stages"


# --- e-tivity fields ----------------------------------------------------------------------------


def test_duplicate_slugs_name_both_files(course, intro):
    edit(intro, "slug: introduce-yourself", "slug: welcome")
    problem = only(validate_course(course))
    assert problem.file == "test-course/etivities/1-02-introduce-yourself.md"
    assert (problem.field, problem.line) == ("slug", 2)
    assert "test-course/etivities/1-01-welcome.md" in problem.message


@pytest.mark.parametrize(
    "slug", ["Welcome", "wel_come", "-welcome", "wel--come", "welcome!", "'wel come'"])
def test_bad_slug_format(course, welcome, slug):
    edit(welcome, "slug: welcome", f"slug: {slug}")
    problem = only(validate_course(course))
    assert problem.field == "slug" and "lower-case letters" in problem.message


def test_negative_counts(course, intro):
    edit(intro, "interact: 2", "interact: -2")
    problem = only(validate_course(course))
    assert problem.field == "complete_when.interact"
    assert problem.line == line_of(intro, "interact: -2")
    assert "from 0 to 100, not -2" in problem.message


@pytest.mark.parametrize("value", ["2.5", "two", "true", "'2'", "[2]"])
def test_counts_must_be_whole_numbers(course, intro, value):
    edit(intro, "observe: 3", f"observe: {value}")
    problem = only(validate_course(course))
    assert problem.field == "complete_when.observe"
    assert "whole number" in problem.message or "not a number" in problem.message


@pytest.mark.parametrize(
    "field, value", [("minutes", "0"), ("days", "0"), ("days", "-3"), ("minutes", "ten")])
def test_minutes_and_days_are_at_least_one(course, welcome, field, value):
    old = {"minutes": "minutes: 15", "days": "days: 3"}[field]
    edit(welcome, old, f"{field}: {value}")
    assert only(validate_course(course)).field == field


# Every whole number has a most as well as a least: a day past the calendar's end or a number
# past the database's integer failed only later, on a learner's page or in the import.
@pytest.mark.parametrize("file, old, new, field, words", [
    ("welcome", "minutes: 15", "minutes: 10000000000000000000000000", "minutes",
     "from 1 to 1000, not a 26-digit number"),
    ("welcome", "minutes: 15", "minutes: 1001", "minutes", "from 1 to 1000, not 1001"),
    ("welcome", "days: 3", "days: 366", "days", "from 1 to 365, not 366"),
    ("intro", "first_post_day: 1", "first_post_day: 999999999", "first_post_day",
     "from 1 to 365, not 999999999"),
    ("intro", "replies_day: 2", "replies_day: 366", "replies_day", "from 1 to 365"),
    ("intro", "observe: 3", "observe: 101", "complete_when.observe", "from 0 to 100, not 101"),
    ("welcome", "complete_when:", "moderator_days:\n  - day: 400\n    note: Late.\ncomplete_when:",
     "moderator_days[1].day", "from 1 to 365, not 400"),
    ("course.yaml", "suggested_days: 7", "suggested_days: 2147483648", "stages[1].suggested_days",
     "from 1 to 365, not 2147483648"),
    ("course.yaml", "stages:", "weekly_minutes: 2401\nstages:", "weekly_minutes",
     "from 1 to 2400, not 2401"),
])
def test_whole_numbers_have_a_most(course, welcome, intro, file, old, new, field, words):
    path = {"welcome": welcome, "intro": intro, "course.yaml": course / "course.yaml"}[file]
    edit(path, old, new)
    problem = only(validate_course(course))
    assert problem.field == field and words in problem.message, str(problem)
    assert problem.line is not None


def test_the_most_itself_is_fine(course, welcome, intro):
    edit(welcome, "minutes: 15", "minutes: 1000")
    edit(welcome, "days: 3", "days: 365")
    edit(intro, "replies_day: 2", "replies_day: 365")
    edit(intro, "observe: 3", "observe: 100")
    edit(course / "course.yaml", "suggested_days: 7", "suggested_days: 365")
    spec = load_course(course)
    assert spec.etivities[0].minutes == 1000 and spec.etivities[1].replies_day == 365
    assert spec.stages[0].suggested_days == 365


# Python refuses to read or write an int of more than 4300 digits (a ValueError): a number
# that long was a traceback in `course validate` and a 500 on an upload. It is judged by its
# text, never built.
@pytest.mark.parametrize("value, words", [
    ("0x" + "f" * 4000, "from 1 to 2400, not a number that long"),
    ("1" * 5000, "from 1 to 2400, not a 5000-digit number"),
    ("-" + "9" * 4400, "from 1 to 2400, not a 4400-digit number"),
    ("0" + "7" * 30, "from 1 to 2400, not a number that long"),  # YAML 1.1 octal
    ("0xFFFFF", "from 1 to 2400, not 0xFFFFF"),
])
def test_a_number_too_long_to_read_gets_the_range_message(course, value, words):
    edit(course / "course.yaml", "stages:", f"weekly_minutes: {value}\nstages:")
    problem = only(validate_course(course))
    assert problem.field == "weekly_minutes" and words in problem.message, str(problem)
    assert problem.line == 4


@pytest.mark.parametrize("value", ["!!int two", "0x_", "0b_", "!!int [1]"])
def test_a_whole_number_tag_without_a_number_is_not_a_number(course, value):
    edit(course / "course.yaml", "stages:", f"weekly_minutes: {value}\nstages:")
    problem = only(validate_course(course))
    assert problem.field == "weekly_minutes" and "must be a whole number such as 2" in (
        problem.message), str(problem)


@pytest.mark.parametrize("value", ["!!bool maybe", "!!bool [1]", "!!bool {a: 1}"])
def test_a_true_or_false_tag_without_either_is_refused(course, intro, value):
    """`!!bool maybe` is tagged true/false but is neither: it raised a KeyError."""
    edit(intro, "post_first: true", f"post_first: {value}")
    problem = only(validate_course(course))
    assert problem.field == "post_first" and "must be true or false" in problem.message


def test_titles_and_names_are_one_line(course, welcome, intro):
    """Titles go into email subjects, where a line break can't go: folded, like a pasted name."""
    edit(welcome, "title: Welcome", 'title: "Wel\\r\\ncome\\tin"')
    edit(intro, "  - name: Imagine", "  - name: |\n      Imag\n      ine")
    edit(course / "course.yaml", "title: Test course", "title: |\n  Test\n  course")
    spec = load_course(course)
    assert spec.title == "Test course"
    assert spec.etivities[0].title == "Wel come in"
    assert spec.etivities[1].pieces[0].name == "Imag ine"


def test_complete_when_must_be_a_set_of_counts(course, welcome):
    edit(welcome, "complete_when:\n  observe: 1", "complete_when: 3")
    assert only(validate_course(course)).field == "complete_when"


def test_replies_day_before_first_post_day(course, intro):
    edit(intro, "replies_day: 2", "replies_day: 0")
    assert only(validate_course(course)).field == "replies_day"  # 0 is below 1
    edit(intro, "first_post_day: 1", "first_post_day: 3")
    edit(intro, "replies_day: 0", "replies_day: 2")
    problem = only(validate_course(course))
    assert (problem.field, problem.line) == ("replies_day", line_of(intro, "replies_day"))
    assert "before first_post_day" in problem.message


def test_piece_names_are_unique(course, intro):
    edit(intro, "name: Three things", "name: Imagine")
    problem = only(validate_course(course))
    assert problem.field == "pieces[2].name"
    assert problem.line == line_of(intro, "name: Imagine", after=line_of(intro, "name: Imagine"))
    assert "pieces[1]" in problem.message


# --- toolkit, moderator days, observe_facilitators, weekly_minutes --------------------------------

EXTRAS = """\
observe_facilitators: true
toolkit:
  slug: phrase-book
  title: Phrase book
moderator_days:
  - day: 3
    note: Weave the *first* posts.
  - day: 1
    note: Post a welcome.
"""


def test_new_fields_default_to_nothing(course):
    welcome = load_course(course).etivities[0]
    assert welcome.observe_facilitators is False
    assert welcome.toolkit is None and welcome.moderator_days == ()
    assert load_course(course).weekly_minutes is None


def test_new_fields_are_read_and_days_sorted(course, welcome):
    edit(welcome, "complete_when:", EXTRAS + "complete_when:")
    edit(course / "course.yaml", "stages:", "weekly_minutes: 90\nstages:")
    spec = load_course(course)
    welcome_spec = spec.etivities[0]
    assert welcome_spec.observe_facilitators is True
    assert welcome_spec.toolkit == ToolkitSection("phrase-book", "Phrase book")
    assert welcome_spec.moderator_days == (ModeratorDay(1, "Post a welcome."),
                                           ModeratorDay(3, "Weave the *first* posts."))
    assert spec.weekly_minutes == 90
    assert welcome_spec.lines["moderator_days[2].day"] == line_of(welcome, "day: 1")
    assert spec.lines["weekly_minutes"] == line_of(course / "course.yaml", "weekly_minutes")


@pytest.mark.parametrize(
    "old, new, field, words",
    [
        ("observe_facilitators: true", "observe_facilitators: 1", "observe_facilitators",
         "true or false"),
        ("  slug: phrase-book", "  slug: Phrase Book", "toolkit.slug", "lower-case"),
        ("  title: Phrase book\n", "", "toolkit.title", "missing"),
        ("  title: Phrase book", "  title: Phrase book\n  owner: me", "toolkit.owner",
         "not a known field"),
        ("toolkit:\n  slug: phrase-book\n  title: Phrase book", "toolkit: phrase-book",
         "toolkit", "set of 'field: value' lines"),
        ("  - day: 1", "  - day: 0", "moderator_days[2].day", "from 1 to 365, not 0"),
        ("  - day: 1", "  - day: 3", "moderator_days[2].day", "already given in moderator_days[1]"),
        ("    note: Post a welcome.\n", "", "moderator_days[2].note", "missing"),
        ("    note: Post a welcome.", "    note: Post a welcome.\n    who: me",
         "moderator_days[2].who", "not a known field"),
        ("moderator_days:\n", "moderator_days: 3\nxx:\n", "moderator_days", "must be a list"),
    ],
)
def test_new_fields_problems(course, welcome, old, new, field, words):
    edit(welcome, "complete_when:", EXTRAS + "complete_when:")
    edit(welcome, old, new)
    problems = [p for p in validate_course(course) if p.field != "xx"]
    problem = only(problems)
    assert problem.field == field and words in problem.message, str(problem)
    assert problem.file.endswith("1-01-welcome.md") and problem.line is not None


def test_toolkit_slugs_are_unique_in_the_course(course, welcome, intro):
    edit(welcome, "complete_when:", EXTRAS + "complete_when:")
    edit(intro, "complete_when:", "toolkit:\n  slug: phrase-book\n  title: Phrases\ncomplete_when:")
    problem = only(validate_course(course))
    assert problem.file.endswith("1-02-introduce-yourself.md")
    assert (problem.field, problem.line) == ("toolkit.slug", line_of(intro, "slug: phrase-book"))
    assert "1-01-welcome.md" in problem.message


@pytest.mark.parametrize("value", ["0", "ninety", "1.5"])
def test_weekly_minutes_is_a_whole_number(course, value):
    edit(course / "course.yaml", "stages:", f"weekly_minutes: {value}\nstages:")
    problem = only(validate_course(course))
    assert (problem.field, problem.line) == ("weekly_minutes", 4)


# --- the spark ----------------------------------------------------------------------------------


def test_empty_body(course, welcome):
    edit(welcome, "\nIt's your first day in a new building.\n", " \n\t\n")
    problem = only(validate_course(course))
    assert problem.field == "body" and "empty" in problem.message


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](../../secret.txt)",
        "[x](../secret.txt)",
        "[x](images/../../secret.txt)",
        "[x](..\\\\..\\\\secret.txt)",  # backslashes escaped for Markdown
        "[x](%2e%2e/%2e%2e/secret.txt)",
        "![](/etc/passwd)",
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](file:///etc/passwd)",
        "![x](data:image/png;base64,AAAA)",
        "[x](//evil.example/page)",
        "[x][ref]\n\n[ref]: ../../secret.txt",
    ],
)
def test_links_that_leave_the_course_folder(course, welcome, markdown):
    edit(welcome, "It's your first day in a new building.",
         f"First line.\n\nSee {markdown}\n\nLast line.")
    problem = only(validate_course(course))
    assert problem.field == "body"
    assert problem.line == line_of(welcome, "See ")


@pytest.mark.parametrize("old, new, field", [
    ("task: Look around.", "task: Look at [rel](../../etc/passwd).", "task"),
    ("purpose: Knowing where things are helps.",
     "purpose: |\n  Knowing where things are helps.\n  See [x](javascript:alert(1)).", "purpose"),
    ("next: Introduce yourself.", "next: '[x](/etc/passwd)'", "next"),
])
def test_links_in_the_other_texts_of_an_etivity_are_checked_too(course, welcome, old, new,
                                                                field):
    """The task, purpose, … are Markdown learners read, like the spark: a link in them that
    leaves the course folder passed unchecked (a broken link for learners)."""
    edit(welcome, old, new)
    problem = only(validate_course(course))
    assert (problem.field, problem.line) == (field, line_of(welcome, "[")), problem
    assert "course folder" in problem.message or "may only go to the web" in problem.message


def test_links_in_pieces_days_and_the_course_texts_are_checked_too(course, intro):
    edit(intro, "    body: Three things about me.", "    body: See [x](../../x).")
    edit(intro, "replies_day: 2", "replies_day: 2\nmoderator_days:\n  - day: 1\n"
                                  "    note: '[y](javascript:x)'")
    edit(course / "course.yaml", "summary: What learners do in stage 2",
         "summary: What [learners](../../../do) do in stage 2")
    found = {(Path(p.file).name, p.field, p.line) for p in validate_course(course)}
    assert found == {
        ("1-02-introduce-yourself.md", "pieces[2].body", line_of(intro, "See [x]")),
        ("1-02-introduce-yourself.md", "moderator_days[1].note", line_of(intro, "[y]")),
        ("course.yaml", "stages[2].summary", line_of(course / "course.yaml", "[learners]")),
    }


def test_links_inside_the_folder_or_to_the_web_are_fine(course, intro):
    assert validate_course(course) == []  # INTRODUCE's spark links to images/ and the web


def test_symlink_inside_the_course_leading_out(course, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (course / "images" / "outside").symlink_to(secret)
    edit(course / "etivities" / "1-01-welcome.md", "building.",
         "building. ![](images/outside/x.png)")
    assert "outside the course folder" in only(validate_course(course)).message


def test_etivity_symlinked_to_a_file_outside(course, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text(LISTEN.replace("listen-first", "elsewhere"), encoding="utf-8")
    os.symlink(outside, course / "etivities" / "3-01-elsewhere.md")
    problem = only(validate_course(course))
    assert problem.file == "test-course/etivities/3-01-elsewhere.md"
    assert "outside the course folder" in problem.message


# --- many problems at once ----------------------------------------------------------------------


def test_every_problem_in_the_folder_is_reported(course, welcome, intro):
    edit(course / "course.yaml", "audience: People who test", "audience: ''")
    edit(welcome, "minutes: 15", "minutes: lots")
    edit(welcome, "  observe: 1", "  observe: -1\n  watch: 2")
    edit(intro, "slug: introduce-yourself", "slug: welcome")
    edit(intro, "Look at the", "Look at [this](../../x) and the")
    (course / "etivities" / "3-01-empty.md").write_text("---\nslug: empty\n---\n\n",
                                                         encoding="utf-8")

    found = {(Path(p.file).name, p.field) for p in validate_course(course)}
    assert {
        ("course.yaml", "audience"),
        ("1-01-welcome.md", "minutes"),
        ("1-01-welcome.md", "complete_when.observe"),
        ("1-01-welcome.md", "complete_when.watch"),
        ("1-02-introduce-yourself.md", "slug"),
        ("1-02-introduce-yourself.md", "body"),
        ("3-01-empty.md", "body"),
        ("3-01-empty.md", "title"),
        ("3-01-empty.md", "complete_when"),
    } <= found
