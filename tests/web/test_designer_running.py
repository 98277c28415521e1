"""Changing a course that cohorts are running: say what a change does to whom first, keep
every completion, and record it in each cohort's audit log."""

from sqlalchemy import select

from conftest import login
from course_app.clock import utcnow
from course_app.extensions import db
from designing import etivity, form_of, lower_listen_first, publish


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
    page = publish(client, course, expect="1 running cohort uses this course")
    assert "1 learner who has not finished it will need 1 more read" in page
    assert "1 learner who finished it keep" in page
    assert etivity(course, "time-and-help").observe == 1
    assert db.session.scalars(select(Completion.user_id)).all() == [finisher.id]
    assert waiting.id  # still not complete: needs a read now


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
    assert ask.status_code == 200 and "Its 1 thread stays readable" in page
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
    assert first.status_code == 200 and "1 running cohort uses this course" in page
    assert "leaves learners&#39; maps" in page and "Upload and apply" in page
    db.session.expire_all()
    assert not etivity(course, "pass-it-on").retired
    confirm = page.split('name="confirm" type="hidden" value="')[1].split('"')[0]
    assert upload(confirm=confirm).status_code == 302
    db.session.expire_all()
    assert etivity(course, "pass-it-on").retired
