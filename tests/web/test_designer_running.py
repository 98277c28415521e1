"""Changing a course that cohorts are running: say what a change does to whom first, keep
every completion, and record it in each cohort's audit log."""

import html
import re

import pytest
from sqlalchemy import select

from conftest import login
from course_app.auth.models import User
from course_app.clock import utcnow
from course_app.cohorts.models import CohortState, MemberRole
from course_app.courses.models import Course
from course_app.design.impact import Impact
from course_app.extensions import db
from database import counted_get
from designing import etivity, form_of, lower_listen_first, publish
from factories import MembershipFactory


def test_a_raised_rule_says_who_it_affects_then_keeps_completions(client, factory, course,
                                                                 cohort, author):
    from course_app.discussions.services import start_thread
    from course_app.progress.models import Completion

    time_and_help = etivity(course, "time-and-help")  # done when: start 1 conversation
    finisher, waiting = factory.learner_in(cohort), factory.learner_in(cohort)
    start_thread(cohort, time_and_help, finisher, "My slots", "Mondays.", at=utcnow())
    db.session.commit()
    assert db.session.scalar(select(Completion.user_id)) == finisher.id
    login(client, author)
    url = f"/design/{course.slug}/etivities/time-and-help"
    assert client.post(url, data=form_of(time_and_help, observe="1")).status_code == 302
    db.session.expire_all()
    assert etivity(course, "time-and-help").observe == 0  # a draft: nothing changed yet
    publish_url = f"/design/{course.slug}/publish"
    unconfirmed = client.post(publish_url)  # without the impact it was shown: asks again
    assert unconfirmed.status_code == 409
    db.session.expire_all()
    assert etivity(course, "time-and-help").observe == 0
    page = publish(client, course, expect="1 cohort open for enrolment uses this course")
    assert "1 learner has not finished it." in page
    assert "Under the new rule, they will need 1 more read than before." in page
    assert "1 learner who finished it keeps their completion" in page
    assert etivity(course, "time-and-help").observe == 1
    assert db.session.scalars(select(Completion.user_id)).all() == [finisher.id]
    assert waiting.id  # still not complete: needs a read now


@pytest.mark.parametrize("running, open_, heading", [
    (1, 0, "1 running cohort uses this course"),
    (2, 0, "2 running cohorts use this course"),
    (0, 1, "1 cohort open for enrolment uses this course"),
    (0, 2, "2 cohorts open for enrolment use this course"),
    (1, 2, "1 running cohort and 2 cohorts open for enrolment use this course"),
])
def test_the_impact_heading_names_each_cohorts_state(running, open_, heading):
    assert Impact(running, open_).heading == heading


def test_the_publish_page_counts_open_and_running_cohorts_apart(client, factory, course,
                                                                cohort, author):
    """A cohort open for enrolment isn't running yet (the tester saw "2 running cohorts"
    for two that were open for enrolment)."""
    running = factory.cohort(course=course)
    running.state = CohortState.RUNNING
    db.session.commit()
    login(client, author)
    time_and_help = etivity(course, "time-and-help")
    client.post(f"/design/{course.slug}/etivities/time-and-help",
                data=form_of(time_and_help, observe="1"))
    page = client.get(f"/design/{course.slug}/publish").get_data(as_text=True)
    assert "1 running cohort and 1 cohort open for enrolment use this course" in page


def test_a_raised_rule_says_what_each_learner_would_still_need(client, factory, course, cohort,
                                                               author):
    """What the new rule adds for each learner who hasn't finished, from what they have done
    already: someone who read enough is not told they need more reads (the tester saw "3
    learners who have not finished it will need 2 more reads" though one had read 12)."""
    from course_app.discussions.services import start_thread
    from course_app.progress.evidence import record_reads

    time_and_help = etivity(course, "time-and-help")  # done when: start 1 conversation
    finisher = factory.learner_in(cohort)
    posts = [start_thread(cohort, time_and_help, finisher, f"Slot {n}", "Mondays.",
                          at=utcnow()).posts[0] for n in range(3)]
    read_all, read_one, _idle = (factory.learner_in(cohort) for _ in range(3))
    record_reads(cohort, read_all.id, time_and_help.id, posts, utcnow())
    record_reads(cohort, read_one.id, time_and_help.id, posts[:1], utcnow())
    db.session.commit()
    login(client, author)
    client.post(f"/design/{course.slug}/etivities/time-and-help",
                data=form_of(time_and_help, observe="3"))
    page = html.unescape(client.get(f"/design/{course.slug}/publish").get_data(as_text=True))
    lines = re.findall(r"<li>([^<]*)</li>", page.split('id="impact-heading"')[1])
    assert lines[1:] == [
        "3 learners have not finished it.",
        "The change makes no difference to what is left for 1 of them.",
        "Under the new rule, 1 of them will need 2 more reads than before.",
        "Under the new rule, 1 of them will need 3 more reads than before.",
        "1 learner who finished it keeps their completion: completions are never taken back.",
    ]


def test_a_lowered_rule_completes_who_meets_it_now(client, factory, course, cohort, author):
    from course_app.progress.models import Completion

    listen, learner, _url = lower_listen_first(client, factory, course, cohort, author)
    publish(client, course, expect="1 learner meets the new rule already and will complete it "
            "now")
    assert db.session.scalar(select(Completion.user_id).where(
        Completion.etivity_id == listen.id)) == learner.id


def test_retiring_in_a_running_course_asks_first_and_keeps_threads(client, factory, course,
                                                                  cohort, author):
    from course_app.discussions.models import Thread
    from course_app.discussions.services import start_thread

    listen = etivity(course, "listen-first")
    start_thread(cohort, listen, factory.learner_in(cohort), "A case", "Found.", at=utcnow())
    db.session.commit()
    login(client, author)
    url = f"/design/{course.slug}/etivities/listen-first/retire"
    ask = client.post(url)
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Its 1 conversation stays readable" in page
    db.session.expire_all()
    assert not etivity(course, "listen-first").retired
    confirm = page.split('name="confirm" value="')[1].split('"')[0]
    assert client.post(url, data={"confirm": confirm}).status_code == 302
    db.session.expire_all()
    assert etivity(course, "listen-first").retired
    assert db.session.scalar(select(Thread).where(Thread.etivity_id == listen.id)) is not None


def test_changes_reach_the_audit_log_of_each_running_cohort(client, course, cohort, author):
    from course_app.facilitate.models import AuditAction, AuditEntry

    login(client, author)
    listen = etivity(course, "listen-first")
    client.post(f"/design/{course.slug}/etivities/listen-first",
                data=form_of(listen, title="Listen well"))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.cohort_id == cohort.id)) is None
    publish(client, course)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.cohort_id == cohort.id))
    assert entry.action == AuditAction.COURSE_CHANGED and entry.actor_id == author.id
    assert entry.summary == "Ann Author: Changed Listen well"
    assert entry.detail["fields"] == ["title"]


def test_an_upload_in_a_running_course_says_what_it_changes_first(client, course, cohort,
                                                                  author):
    import io
    import zipfile

    login(client, author)
    source = zipfile.ZipFile(io.BytesIO(client.get(f"/design/{course.slug}/download").data))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as archive:
        for info in source.infolist():
            if not info.filename.endswith("pass-it-on.md"):
                archive.writestr(info.filename, source.read(info))

    def upload(**data):
        return client.post(f"/design/{course.slug}/upload", data={
            "archive": (io.BytesIO(changed.getvalue()), "course.zip"), **data},
            content_type="multipart/form-data")
    first = upload()
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "1 cohort open for enrolment uses this course" in page
    assert "leaves learners&#39; maps" in page and "Upload and apply" in page
    db.session.expire_all()
    assert not etivity(course, "pass-it-on").retired
    confirm = page.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    assert upload(confirm=confirm).status_code == 302
    db.session.expire_all()
    assert etivity(course, "pass-it-on").retired


def test_the_publish_page_costs_the_same_with_one_running_cohort_or_four(client, factory,
                                                                         course, cohort, author):
    """A changed rule is counted over every live cohort's learners in a fixed number of
    queries (it had cost three more for each cohort running the course), and each cohort's
    learners are counted in it: a learner in two cohorts is two learners' worth of work."""
    from course_app.discussions.services import start_thread

    def learners_in(cohort_):
        time_and_help = etivity(cohort_.course, "time-and-help")  # done: start 1 conversation
        finisher = factory.learner_in(cohort_)
        start_thread(cohort_, time_and_help, finisher, "My slots", "Mondays.", at=utcnow())
        return factory.learner_in(cohort_)

    both_id, course_id = learners_in(cohort).id, course.id
    db.session.commit()
    login(client, author)
    client.post(f"/design/{course.slug}/etivities/time-and-help",
                data=form_of(etivity(course, "time-and-help"), observe="1"))
    url = f"/design/{course.slug}/publish"
    page, small = counted_get(client, url)  # the session is new afterwards
    assert "1 learner has not finished it." in page.get_data(as_text=True)
    course = db.session.get(Course, course_id)
    for _ in range(3):
        learners_in(factory.cohort(course=course))
    MembershipFactory(cohort=factory.cohort(course=course), user=db.session.get(User, both_id),
                      role=MemberRole.LEARNER)
    db.session.commit()
    page, large = counted_get(client, url)
    text = page.get_data(as_text=True)
    assert "5 cohorts open for enrolment use this course" in text
    assert "5 learners have not finished it." in text
    assert "4 learners who finished it keep their completion" in text
    assert large == small
