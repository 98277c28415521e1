"""The facilitator's calendar page and today's items on the facilitate home page; each
stage's e-moderator notes beside the queue, on the map and the e-tivity page; each stage's
summary on the learner's map."""

import re

from course_app.clock import utcnow
from course_app.extensions import db
from learner_journey import text


def etivity(cohort, slug):
    return next(e for e in cohort.course.etivities if e.slug == slug)


def today_note(cohort, note="Write to everyone who has not posted yet."):
    """Stage 1 opened today; `welcome` has a moderator note for day 1 (today)."""
    for e in cohort.course.etivities:
        e.moderator_days = []
    etivity(cohort, "welcome").moderator_days = [{"day": 1, "note": note}]
    db.session.commit()


def test_the_calendar_lists_each_day_and_marks_today(client, factory, facilitator, login_as):
    cohort = factory.cohort(facilitator=facilitator, paced=True, starts_on=utcnow().date())
    today_note(cohort)
    login_as(facilitator)
    response = client.get(f"/facilitate/cohorts/{cohort.id}/calendar")
    assert response.status_code == 200
    page = text(response)
    assert "Stage 1, Access and motivation" in page
    assert "Day 1:" in page and "today" in page
    assert "Write to everyone who has not posted yet." in page
    assert 'id="today"' in response.get_data(as_text=True)
    home = text(client.get("/facilitate/"))
    assert "from your calendar" in home
    assert "Write to everyone who has not posted yet." in home
    # Nobody waits in the queue, but the day's work is not done: the card doesn't say
    # "nothing needs you".
    assert "Nobody is waiting on you." in home and "Nothing needs you" not in home


def test_a_self_paced_cohort_gets_an_explanation(client, cohort, facilitator, login_as):
    login_as(facilitator)
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/calendar"))
    assert "is self-paced" in page and "settings" in page
    home = text(client.get("/facilitate/"))
    assert "from your calendar" not in home
    assert "Nothing needs you right now." in home


def test_the_calendar_is_the_facilitators(client, cohort, factory, login_as):
    login_as(factory.learner_in(cohort))
    assert client.get(f"/facilitate/cohorts/{cohort.id}/calendar").status_code == 403


def test_a_moderator_note_is_sanitised(client, factory, facilitator, login_as):
    cohort = factory.cohort(facilitator=facilitator, paced=True, starts_on=utcnow().date())
    today_note(cohort, "<script>alert(1)</script> **Nudge**")
    login_as(facilitator)
    for path in (f"/facilitate/cohorts/{cohort.id}/calendar", "/facilitate/"):
        body = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in body and "Nudge" in body, path


def test_stage_notes_beside_the_queue_and_on_each_stage(client, cohort, facilitator, factory,
                                                        login_as):
    stage1, stage4 = cohort.course.stages[0], cohort.course.stages[3]
    factory.learner_in(cohort)
    login_as(facilitator)
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}"))
    notes = page[page.index("E-moderator notes for now"):]
    assert "Stage 1, Access and motivation (1 learner)" in notes
    assert text_of(stage1.emoderator)[:60] in notes
    assert f"E-moderator notes for stage 4 {text_of(stage4.emoderator)[:40]}" in page
    course_map = text(client.get(f"/cohorts/{cohort.id}"))
    assert text_of(stage4.emoderator)[:60] in course_map
    step = client.get(f"/cohorts/{cohort.id}/e/{etivity(cohort, 'letting-go').slug}")
    assert text_of(stage4.emoderator)[:60] in text(step)


def test_learners_see_stage_summaries_but_not_the_notes(client, cohort, factory, login_as):
    stage2 = cohort.course.stages[1]
    login_as(factory.learner_in(cohort))
    page = text(client.get(f"/cohorts/{cohort.id}"))
    assert text_of(stage2.summary)[:60] in page
    assert text_of(stage2.emoderator)[:60] not in page
    assert "E-moderator notes" not in page


def text_of(markdown: str) -> str:
    """Course text as a page shows it: one line, no Markdown emphasis."""
    return " ".join(markdown.replace("*", "").split())


def test_the_next_link_does_not_skip_an_optional_first_etivity(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    welcome = etivity(cohort, "welcome")
    assert not welcome.required  # what made "Next" skip it
    response = client.get(f"/cohorts/{cohort.id}")
    assert f"Next: {welcome.title}" in text(response)
    # "Make your first post" still leads to the first e-tivity that asks for one.
    link = f'<a href="/cohorts/{cohort.id}/e/introduce-yourself"'
    assert re.search(r"Make your first post\.\s*" + re.escape(link),
                     response.get_data(as_text=True))
