"""Design warnings: each test starts from a course with none, changes one thing, and checks the
warning fires (and says where), or that a near miss does not fire."""

from pathlib import Path

import pytest

from course_app.content import load_course
from course_app.content.design import DesignWarning, design_warnings, stated_weekly_minutes

REAL_COURSE = Path(__file__).resolve().parents[2] / "modules" / "engaging-online"


def course_yaml(weekly="weekly_minutes: 90\n", summary="Expect about 90 minutes a week.",
                days=(7, 7, 7, 7, 7)):
    stages = "".join(
        f"  - number: {n}\n    title: Stage {n}\n    summary: In stage {n}\n"
        f"    emoderator: E-moderator in stage {n}\n    suggested_days: {d}\n"
        for n, d in enumerate(days, start=1))
    return (f"title: Test course\nsummary: {summary}\naudience: Testers\n{weekly}"
            f"stages:\n{stages}")


def etivity_md(stage, slug, minutes=90, initiate=1, spark="What would you do?", extra=""):
    return (
        f"---\nslug: {slug}\nstage: {stage}\ntitle: {slug}\npurpose: Why.\nsummary: What.\n"
        f"task: Do it.\ninteraction: Reply.\nemoderator: Help.\nminutes: {minutes}\ndays: 3\n"
        f"next: Next.\ncomplete_when:\n  initiate: {initiate}\n{extra}---\n{spark}\n")


def write(tmp_path, yaml_text=None, files=None):
    """A course with one e-tivity per stage and no design warnings, with `files` replacing or
    adding e-tivity files by name."""
    folder = tmp_path / "design-course"
    (folder / "etivities").mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(yaml_text or course_yaml(), encoding="utf-8")
    every = {f"{n}-01-e{n}.md": etivity_md(n, f"e{n}") for n in range(1, 6)}
    every.update(files or {})
    for name, text in every.items():
        (folder / "etivities" / name).write_text(text, encoding="utf-8")
    return folder


def warnings_for(tmp_path, yaml_text=None, files=None) -> list[DesignWarning]:
    return design_warnings(load_course(write(tmp_path, yaml_text, files)))


def only(warnings):
    assert len(warnings) == 1, "\n".join(map(str, warnings))
    return warnings[0]


def test_the_base_course_has_no_warnings(tmp_path):
    assert warnings_for(tmp_path) == []


def test_warning_reads_as_file_line_field_message():
    warning = DesignWarning(2, "e2", "body", "asks nothing", "c/etivities/2-01-e2.md", 7)
    assert str(warning) == "c/etivities/2-01-e2.md:7: body: asks nothing"
    assert str(DesignWarning(None, None, "summary", "x", None, None)) == "course: summary: x"


# --- time a week --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, minutes", [
    ("Expect about two hours a week, in short visits.", (120, 120)),
    ("about 90 minutes a week", (90, 90)),
    ("an hour and a half a week", (90, 90)),
    ("one and a half hours per week", (90, 90)),
    ("between one to two hours each week", (60, 120)),
    ("60–90 minutes every week", (60, 90)),
    ("an hour a week", (60, 60)),
    ("Two hours, twice.", None),
    ("a week of work", None),
])
def test_stated_weekly_minutes(text, minutes):
    assert stated_weekly_minutes(text) == minutes


def test_summary_disagreeing_with_weekly_minutes(tmp_path):
    text = course_yaml(summary="Expect about two hours a week.")
    warning = only(warnings_for(tmp_path, text))
    assert (warning.field, warning.line, warning.stage) == ("summary", 2, None)
    assert warning.path == "design-course/course.yaml"
    assert "120" in warning.message and "90" in warning.message


def test_summary_time_without_weekly_minutes(tmp_path):
    warning = only(warnings_for(tmp_path, course_yaml(weekly="")))
    assert warning.field == "summary" and "weekly_minutes: 90" in warning.message


def test_no_time_anywhere_is_fine(tmp_path):
    assert warnings_for(tmp_path, course_yaml(weekly="", summary="A course.")) == []


def test_stage_minutes_above_the_weekly_time(tmp_path):
    files = {"2-02-more.md": etivity_md(2, "more", minutes=30, initiate=0)}
    warning = only(warnings_for(tmp_path, files=files))
    assert (warning.stage, warning.field, warning.etivity_slug) == (2, "stages[2]", None)
    assert warning.line == 11  # the stage's entry in course.yaml
    assert "120 minutes over 7 days" in warning.message and "trim" in warning.message


def test_stage_minutes_below_the_weekly_time_over_a_longer_stage(tmp_path):
    text = course_yaml(days=(7, 7, 14, 7, 7))
    warning = only(warnings_for(tmp_path, text))
    assert warning.stage == 3 and "about 45 a week" in warning.message


def test_stage_minutes_within_a_quarter_are_close_enough(tmp_path):
    files = {"2-02-more.md": etivity_md(2, "more", minutes=20, initiate=0)}  # 110 of 90
    assert warnings_for(tmp_path, files=files) == []


# --- suggested days -----------------------------------------------------------------------------

DAYS = ("first_post_day: {first}\nreplies_day: {replies}\n"
        "moderator_days:\n  - day: {mod}\n    note: Weave.\n")


def days_md(stage, slug, first, replies, mod, minutes=45, initiate=0):
    extra = DAYS.format(first=first, replies=replies, mod=mod)
    return etivity_md(stage, slug, minutes=minutes, initiate=initiate, extra=extra)


def test_staggered_days_do_not_warn(tmp_path):
    files = {"2-01-e2.md": days_md(2, "e2", 1, 3, 2), "2-02-b.md": days_md(2, "b", 3, 5, 4)}
    assert warnings_for(tmp_path, files=files) == []


@pytest.mark.parametrize("first, replies, mod, field", [
    (1, 5, 4, "first_post_day"),
    (3, 3, 4, "replies_day"),
    (3, 5, 2, "moderator_days"),
])
def test_colliding_days_in_a_stage(tmp_path, first, replies, mod, field):
    files = {"2-01-e2.md": days_md(2, "e2", 1, 3, 2),
             "2-02-b.md": days_md(2, "b", first, replies, mod)}
    folder = write(tmp_path, files=files)
    warning = only(design_warnings(load_course(folder)))
    assert (warning.stage, warning.etivity_slug, warning.field) == (2, "b", field)
    assert "'e2'" in warning.message
    text = (folder / "etivities" / "2-02-b.md").read_text(encoding="utf-8").splitlines()
    assert text[warning.line - 1].lstrip("- ").startswith(field.replace("moderator_days", "day"))


def test_same_days_in_different_stages_do_not_collide(tmp_path):
    files = {"2-01-e2.md": days_md(2, "e2", 1, 3, 2, minutes=90),
             "3-01-e3.md": days_md(3, "e3", 1, 3, 2,
                                                                           minutes=90, initiate=1)}
    assert warnings_for(tmp_path, files=files) == []


@pytest.mark.parametrize("first, replies, mod, field", [
    (8, 8, 2, "first_post_day"),  # replies_day 8 warns too: see the count below
    (1, 9, 2, "replies_day"),
    (1, 3, 8, "moderator_days"),
])
def test_days_after_the_stage_ends(tmp_path, first, replies, mod, field):
    files = {"2-01-e2.md": days_md(2, "e2", first, replies, mod, minutes=90, initiate=1)}
    warnings = warnings_for(tmp_path, files=files)
    assert field in [w.field for w in warnings]
    assert len(warnings) == (2 if first == 8 else 1)
    assert all("after stage 2's 7 suggested days" in w.message for w in warnings)


def test_the_last_day_of_the_stage_is_inside_it(tmp_path):
    files = {"2-01-e2.md": days_md(2, "e2", 1, 7, 7, minutes=90, initiate=1)}
    assert warnings_for(tmp_path, files=files) == []


# --- who starts threads -------------------------------------------------------------------------


def test_stage_one_asking_for_two_new_threads(tmp_path):
    files = {"1-02-help.md": etivity_md(1, "help", minutes=1, initiate=1)}
    warning = only(warnings_for(tmp_path, files=files))
    assert (warning.stage, warning.etivity_slug, warning.field) == (1, "help",
                                                                  "complete_when.initiate")
    assert warning.line == 14
    assert "'e1' (1), 'help' (1)" in warning.message


def test_stage_one_asking_one_etivity_for_two_threads(tmp_path):
    warning = only(warnings_for(tmp_path, files={"1-01-e1.md": etivity_md(1, "e1", initiate=2)}))
    assert warning.etivity_slug == "e1"


def test_stage_one_with_one_thread_and_replies_is_fine(tmp_path):
    files = {"1-02-help.md": etivity_md(1, "help", minutes=1, initiate=0)}
    assert warnings_for(tmp_path, files=files) == []


def test_stage_one_may_offer_more_threads_in_optional_etivities(tmp_path):
    optional = etivity_md(1, "help", minutes=1, initiate=1)
    optional = optional.replace("next: Next.\n", "next: Next.\nrequired: false\n")
    assert warnings_for(tmp_path, files={"1-02-help.md": optional}) == []


@pytest.mark.parametrize("stage", [4, 5])
def test_late_stage_where_nobody_starts_a_thread(tmp_path, stage):
    files = {f"{stage}-01-e{stage}.md": etivity_md(stage, f"e{stage}", initiate=0)}
    warning = only(warnings_for(tmp_path, files=files))
    assert (warning.stage, warning.field, warning.etivity_slug) == (stage, f"stages[{stage}]",
                                                                    None)
    assert "learners lead" in warning.message


def test_stages_two_and_three_need_not_ask_for_threads(tmp_path):
    files = {"2-01-e2.md": etivity_md(2, "e2", initiate=0),
             "3-01-e3.md": etivity_md(3, "e3", initiate=0)}
    assert warnings_for(tmp_path, files=files) == []


# --- the spark ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spark", [
    "A statement.\n\nAnother one, with a [link](https://example.org/?q=1).",
    "Look at `what?` and <https://example.org/?x>.",
    "The scenario below is made up.",
])
def test_spark_without_a_question_or_scenario(tmp_path, spark):
    folder = write(tmp_path, files={"3-01-e3.md": etivity_md(3, "e3", spark=spark)})
    warning = only(design_warnings(load_course(folder)))
    assert (warning.stage, warning.etivity_slug, warning.field) == (3, "e3", "body")
    assert warning.line == 16  # the spark's first line
    assert warning.path == "design-course/etivities/3-01-e3.md"


@pytest.mark.parametrize("spark", [
    "**Scenario:** a resident posts a photo of a broken swing.",
    "## Scenario\n\nA resident posts a photo.",
    "> Scenario: the forum goes quiet.",
    "Which door will you try first?",
])
def test_spark_with_a_question_or_scenario(tmp_path, spark):
    assert warnings_for(tmp_path, files={"3-01-e3.md": etivity_md(3, "e3", spark=spark)}) == []


# --- the real course and the command ------------------------------------------------------------


def test_the_real_course_has_no_design_warnings():
    assert [str(w) for w in design_warnings(load_course(REAL_COURSE))] == []


def test_validate_prints_warnings_and_exits_0(runner, tmp_path):
    folder = write(tmp_path, files={"3-01-e3.md": etivity_md(3, "e3", spark="No question.")})
    result = runner.invoke(args=["course", "validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "warning: design-course/etivities/3-01-e3.md:16: body: the spark asks" in result.output
    assert "1 design warning." in result.output
