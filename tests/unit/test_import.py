"""Re-importing a course keeps ids, posts and earned progress; a changed rule earns, never takes."""

import re
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conftest import DEFAULT_COURSE
from course_app.clock import utcnow
from course_app.content import load_course
from course_app.courses.models import Course, Etivity, Stage
from course_app.courses.services import import_course
from course_app.discussions.models import Thread
from course_app.discussions.services import reply, start_thread
from course_app.extensions import db
from course_app.progress.evidence import reevaluate_cohort
from course_app.progress.models import Completion

WELCOME = "1-01-welcome.md"
TIME_AND_HELP = "1-03-time-and-help.md"  # complete_when: initiate 1
LISTEN_FIRST = "2-02-listen-first.md"  # complete_when: observe 3, initiate 1


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def ids() -> dict[str, int]:
    return dict(db.session.execute(select(Etivity.slug, Etivity.id)).all())


def reimport(folder):
    result = import_course(load_course(folder))
    db.session.commit()
    return result


def etivity(slug: str) -> Etivity:
    return db.session.scalar(select(Etivity).where(Etivity.slug == slug))


def slug_of(folder, filename: str) -> str:
    text = (folder / "etivities" / filename).read_text(encoding="utf-8")
    return re.search(r"^slug: (\S+)$", text, re.M).group(1)


def edit(folder, filename: str, old: str, new: str) -> None:
    path = folder / "etivities" / filename
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {filename}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_rule(folder, filename: str, rule: dict[str, int]) -> None:
    """Replace the complete_when block of an e-tivity file."""
    path = folder / "etivities" / filename
    text = path.read_text(encoding="utf-8")
    block = "complete_when:\n" + "".join(f"  {k}: {v}\n" for k, v in rule.items())
    new, n = re.subn(r"^complete_when:\n(?:  .*\n)+", block, text, count=1, flags=re.M)
    assert n == 1
    path.write_text(new, encoding="utf-8")


@pytest.fixture
def folder(tmp_path):
    """A copy of the default course, under the same folder name (the slug)."""
    copy = tmp_path / "engaging-online"
    shutil.copytree(DEFAULT_COURSE, copy)
    return copy


@pytest.fixture
def imported(app, folder):
    return reimport(folder).course


@pytest.fixture
def cohort(factory, imported):
    return factory.cohort(course=imported)


# ---- ids and counts ----------------------------------------------------------

def test_importing_default_course_twice_keeps_ids_and_counts(app, empty_database):
    first = reimport(DEFAULT_COURSE)
    before = (ids(), count(Course), count(Stage), count(Etivity))
    second = reimport(DEFAULT_COURSE)
    assert (ids(), count(Course), count(Stage), count(Etivity)) == before
    assert first.created and not second.created
    assert second.course.id == first.course.id
    assert (second.added, second.updated, second.retired) == ([], [], [])


def test_changed_title_is_updated_and_id_kept(imported, folder):
    slug = slug_of(folder, WELCOME)
    before = etivity(slug).id
    edit(folder, WELCOME, 'title: "Welcome: find your way around"', 'title: "Welcome aboard"')
    result = reimport(folder)
    assert result.updated == [slug]
    db.session.expire_all()
    assert etivity(slug).title == "Welcome aboard"
    assert etivity(slug).id == before


def test_changed_course_title_is_updated_and_id_kept(imported, folder):
    course_id = imported.id
    path = folder / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title: Engaging online", "title: Engaging online, second edition", 1), encoding="utf-8")
    result = reimport(folder)
    assert result.course.id == course_id
    assert result.course.title == "Engaging online, second edition"
    assert count(Course) == 1


def test_reimport_updates_toolkit_moderator_days_and_weekly_minutes(imported, folder):
    slug = slug_of(folder, WELCOME)
    before = etivity(slug)
    assert before.toolkit_slug is None and before.observe_facilitators is True
    assert [d["day"] for d in before.moderator_days] == [1, 7]
    assert imported.weekly_minutes == 90
    edit(folder, WELCOME, "complete_when:",
         "toolkit:\n  slug: first-steps\n  title: First steps\ncomplete_when:")
    edit(folder, WELCOME, "  - day: 7\n", "  - day: 6\n")
    edit(folder, WELCOME, "observe_facilitators: true", "observe_facilitators: false")
    path = folder / "course.yaml"
    text = path.read_text(encoding="utf-8").replace("weekly_minutes: 90", "weekly_minutes: 75")
    path.write_text(text.replace("about 90 minutes a week", "about 75 minutes a week"),
                    encoding="utf-8")
    result = reimport(folder)
    assert result.updated == [slug]
    db.session.expire_all()
    changed = etivity(slug)
    assert (changed.toolkit_slug, changed.toolkit_title) == ("first-steps", "First steps")
    assert [d["day"] for d in changed.moderator_days] == [1, 6]
    assert changed.moderator_days[1]["note"].startswith("See who has opened nothing yet")
    assert changed.observe_facilitators is False
    assert result.course.weekly_minutes == 75


# ---- posts survive -----------------------------------------------------------

def test_posts_survive_a_reimport(cohort, factory, folder):
    learner = factory.learner_in(cohort)
    peer = factory.learner_in(cohort)
    target = etivity(slug_of(folder, TIME_AND_HELP))
    thread = start_thread(cohort, target, learner, "My slots", "Tuesday and Thursday mornings.",
                          at=utcnow())
    reply(thread, peer, "Same obstacle here: meetings.", at=utcnow())
    db.session.commit()
    thread_id = thread.id

    edit(folder, TIME_AND_HELP, "minutes: 20", "minutes: 25")
    reimport(folder)
    db.session.expire_all()

    thread = db.session.get(Thread, thread_id)
    assert thread.etivity_id == target.id
    assert [p.body for p in thread.posts] == ["Tuesday and Thursday mornings.",
                                             "Same obstacle here: meetings."]
    assert etivity(target.slug).minutes == 25


# ---- retiring ----------------------------------------------------------------

def test_removed_etivity_is_retired_and_its_threads_kept(cohort, factory, folder, tmp_path):
    slug = slug_of(folder, WELCOME)
    learner = factory.learner_in(cohort)
    thread = start_thread(cohort, etivity(slug), learner, "Hello", "First impressions.",
                          at=utcnow())
    db.session.commit()
    thread_id, etivity_id = thread.id, etivity(slug).id

    shutil.move(folder / "etivities" / WELCOME, tmp_path / WELCOME)
    result = reimport(folder)
    db.session.expire_all()

    assert result.retired == [slug]
    assert etivity(slug).retired is True
    assert etivity(slug).id == etivity_id
    assert slug not in [e.slug for e in result.course.active_etivities]
    kept = db.session.get(Thread, thread_id)
    assert kept.etivity_id == etivity_id
    assert [p.body for p in kept.posts] == ["First impressions."]


def test_putting_a_retired_etivity_back_unretires_it(imported, folder, tmp_path):
    slug = slug_of(folder, WELCOME)
    etivity_id = etivity(slug).id
    shutil.move(folder / "etivities" / WELCOME, tmp_path / WELCOME)
    reimport(folder)
    shutil.move(tmp_path / WELCOME, folder / "etivities" / WELCOME)
    result = reimport(folder)
    db.session.expire_all()

    assert etivity(slug).retired is False
    assert etivity(slug).id == etivity_id
    assert slug in [e.slug for e in result.course.active_etivities]
    assert result.added == []


def test_retiring_twice_reports_it_once(imported, folder, tmp_path):
    slug = slug_of(folder, WELCOME)
    shutil.move(folder / "etivities" / WELCOME, tmp_path / WELCOME)
    assert reimport(folder).retired == [slug]
    assert reimport(folder).retired == []


# ---- rules changed by a re-import --------------------------------------------

def test_lowered_rule_earns_completion_on_reevaluation(cohort, factory, folder):
    learner = factory.learner_in(cohort)
    target = etivity(slug_of(folder, LISTEN_FIRST))
    assert target.observe == 3 and target.initiate == 1
    start_thread(cohort, target, learner, "A case", "What I found.", at=utcnow())
    db.session.commit()
    assert count(Completion) == 0, "one thread alone does not meet observe 3"

    set_rule(folder, LISTEN_FIRST, {"initiate": 1})
    reimport(folder)
    assert reevaluate_cohort(cohort, utcnow()) == 1
    db.session.commit()

    completion = db.session.scalar(select(Completion))
    assert (completion.user_id, completion.etivity_id) == (learner.id, target.id)
    assert completion.evidence["rule"] == {"observe": 0, "interact": 0, "initiate": 1}
    assert len(completion.evidence["initiate"]) == 1


def test_reevaluation_earns_nothing_when_no_rule_is_met(cohort, factory, folder):
    learner = factory.learner_in(cohort)
    start_thread(cohort, etivity(slug_of(folder, LISTEN_FIRST)), learner, "A case", "Found.",
                 at=utcnow())
    db.session.commit()
    set_rule(folder, LISTEN_FIRST, {"observe": 2, "initiate": 1})
    reimport(folder)
    assert reevaluate_cohort(cohort, utcnow()) == 0
    assert count(Completion) == 0


def test_raised_rule_never_removes_an_earned_completion(cohort, factory, folder):
    learner = factory.learner_in(cohort)
    target = etivity(slug_of(folder, TIME_AND_HELP))
    start_thread(cohort, target, learner, "My slots", "Mondays.", at=utcnow() - timedelta(hours=1))
    db.session.commit()
    earned = db.session.scalar(select(Completion))
    assert earned is not None and earned.user_id == learner.id
    earned_id, earned_at = earned.id, earned.completed_at

    set_rule(folder, TIME_AND_HELP, {"observe": 3, "interact": 2, "initiate": 2})
    reimport(folder)
    assert reevaluate_cohort(cohort, utcnow()) == 0
    db.session.commit()
    db.session.expire_all()

    assert etivity(target.slug).initiate == 2
    kept = db.session.scalars(select(Completion)).all()
    assert [(c.id, c.completed_at) for c in kept] == [(earned_id, earned_at)]
    assert kept[0].evidence["rule"] == {"observe": 0, "interact": 0, "initiate": 1}


def test_cli_import_reevaluates_cohorts(runner, cohort, factory, folder):
    learner = factory.learner_in(cohort)
    start_thread(cohort, etivity(slug_of(folder, LISTEN_FIRST)), learner, "A case", "Found.",
                 at=utcnow())
    db.session.commit()
    set_rule(folder, LISTEN_FIRST, {"initiate": 1})
    result = runner.invoke(args=["course", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    assert "1 completion earned" in result.output
    assert count(Completion) == 1
