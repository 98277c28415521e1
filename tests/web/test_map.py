"""The course map: Salmon's staircase with each e-tivity's state, the next step, the checklist."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from course_app.auth.models import Role
from course_app.auth.services import update_profile
from course_app.clock import utcnow
from course_app.cohorts.services import membership_of
from course_app.courses.models import Course
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.progress.models import Completion, Override
from course_app.rendering import long_date
from learner_journey import etivity, finish_stage_1, start, text


def item(response, slug) -> str:
    """The text of the e-tivity's entry on the map (its <li>)."""
    body = response.get_data(as_text=True)
    for chunk in body.split('<li class="map-etivity')[1:]:
        chunk = chunk.split("</li>", 1)[0]
        if f"/e/{slug}\"" in chunk or f">{slug}<" in chunk:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chunk)).strip()
    raise AssertionError(f"{slug} is not a link on the map")


def step(response, number) -> str:
    body = response.get_data(as_text=True)
    chunk = body.split(f'<li class="step step-{number}', 1)[1]
    chunk = chunk.split('<ul class="map-etivities">')[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chunk)).strip()


def links(response) -> set[str]:
    return set(re.findall(r'href="(/cohorts/\d+/e/[^"]+)"', response.get_data(as_text=True)))


def test_map_needs_login(client, factory):
    cohort = factory.cohort()
    response = client.get(f"/cohorts/{cohort.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


def test_map_is_a_staircase_of_five_steps_in_order(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    response = client.get(f"/cohorts/{cohort.id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f"<title>{cohort.name}: course map" in body
    assert '<nav class="breadcrumbs"' in body
    staircase = body.split('<ol class="staircase">')[1].split("</ol>\n")[0]
    assert re.findall(r'<li class="step step-(\d)', staircase) == ["1", "2", "3", "4", "5"]
    assert "style=" not in body and "<style" not in body


def test_new_learner_sees_stage_1_open_and_the_rest_locked_with_why(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    response = client.get(f"/cohorts/{cohort.id}")
    assert "You are here" in step(response, 1)
    assert "Open" in step(response, 1)
    assert "Locked: opens when you finish stage 1" in step(response, 2)
    assert "Locked: opens when you finish stage 4" in step(response, 5)
    assert "Open" in item(response, "introduce-yourself")
    assert "Still to do: reply to 1 peer, start 1 conversation." in item(response,
                                                                         "introduce-yourself")
    # Locked e-tivities show their titles, not links.
    body = response.get_data(as_text=True)
    assert "Share something of your own" in body
    assert f"/cohorts/{cohort.id}/e/something-of-your-own" not in body
    assert links(response) == {f"/cohorts/{cohort.id}/e/{slug}"
                                for slug in ("welcome", "introduce-yourself", "time-and-help")}


def test_next_step_stands_out_at_the_top(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    page = text(client.get(f"/cohorts/{cohort.id}"))
    assert "You are in stage 1: Access and motivation" in page
    # The course's first e-tivity is next, optional or not (it used to skip `welcome`).
    first = cohort.course.etivities_in(1)[0]
    assert first.slug == "welcome"
    assert f"Next: {first.title} — " in page
    assert page.index(f"Next: {first.title}") < page.index("The five stages")


def test_states_follow_what_the_learner_did(client, factory, login_as):
    cohort = factory.cohort()
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    start(cohort, learner, "introduce-yourself")
    db.session.commit()
    login_as(learner)
    response = client.get(f"/cohorts/{cohort.id}")
    assert "Still to do: reply to 1 peer." in item(response, "introduce-yourself")
    assert "Complete" not in item(response, "introduce-yourself")

    finish_stage_1(cohort, learner, peer)
    db.session.commit()
    response = client.get(f"/cohorts/{cohort.id}")
    assert "Complete" in item(response, "introduce-yourself")
    assert "Still to do" not in item(response, "introduce-yourself")
    assert "Finished" in step(response, 1)
    assert "You are here" in step(response, 2)
    assert "Open" in item(response, "something-of-your-own")
    assert "Locked: opens when you finish stage 2" in step(response, 3)
    assert "Next: Share something of your own" in text(response)


def test_half_done_e_tivity_says_how_many_more(client, factory, login_as):
    cohort = factory.cohort()
    learner, peer, other = (factory.learner_in(cohort) for _ in range(3))
    finish_stage_1(cohort, learner, peer)
    theirs = start(cohort, peer, "something-of-your-own")
    start(cohort, other, "something-of-your-own")
    discussions.reply(theirs, learner, "I like this.", utcnow())
    db.session.commit()
    login_as(learner)
    entry = item(client.get(f"/cohorts/{cohort.id}"), "something-of-your-own")
    assert "Still to do: reply to 1 more peer, start 1 conversation." in entry


def test_done_by_hand_is_noted(client, factory, login_as):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    facilitator = cohort.memberships[0].user
    db.session.add(Completion(cohort_id=cohort.id, user_id=learner.id,
                              etivity_id=etivity(cohort.course, "time-and-help").id,
                              by_hand_by_id=facilitator.id, completed_at=utcnow()))
    db.session.commit()
    login_as(learner)
    entry = item(client.get(f"/cohorts/{cohort.id}"), "time-and-help")
    assert "Complete (marked complete by your facilitator)" in entry


def test_paced_cohort_not_yet_due_shows_the_date(client, factory, login_as):
    starts = date.today() + timedelta(days=10)
    cohort = factory.cohort(paced=True, starts_on=starts)
    login_as(factory.learner_in(cohort))
    response = client.get(f"/cohorts/{cohort.id}")
    assert f"Locked: opens on {long_date(starts)}" in step(response, 1)
    assert links(response) == set()
    page = text(response)
    assert f"Nothing to do right now. Stage 1 opens on {long_date(starts)}." in page
    stage_2 = cohort.release_date(2)
    assert (f"opens when you finish stage 1, and not before {long_date(stage_2)}"
            in step(response, 2))


def test_paced_stage_waits_for_its_date_after_the_last_one_is_finished(client, factory, login_as):
    cohort = factory.cohort(paced=True, starts_on=date.today())
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    finish_stage_1(cohort, learner, peer)
    db.session.commit()
    login_as(learner)
    response = client.get(f"/cohorts/{cohort.id}")
    assert f"Locked: opens on {long_date(cohort.release_date(2))}" in step(response, 2)
    assert "Finished" in step(response, 1)


def test_suggested_days_are_dates_from_the_day_the_stage_opened(client, factory, login_as):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    membership_of(cohort.id, learner.id).joined_at = utcnow() - timedelta(days=10)
    opened = utcnow() - timedelta(days=1)
    db.session.add(Override(cohort_id=cohort.id, user_id=learner.id, stage_number=4,
                            created_at=opened))
    db.session.commit()
    login_as(learner)
    entry = item(client.get(f"/cohorts/{cohort.id}"), "letting-go")
    day_1 = opened.date()
    first, replies = day_1 + timedelta(days=1), day_1 + timedelta(days=3)  # days 2 and 4
    assert (f"First post by {first:%a} {first.day} {first:%b}, "
            f"replies by {replies:%a} {replies.day} {replies:%b}.") in entry


def test_a_suggested_day_that_went_by_says_so_and_a_done_one_goes(client, factory, login_as):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    membership_of(cohort.id, learner.id).joined_at = utcnow() - timedelta(days=10)
    opened = utcnow() - timedelta(days=2)  # stage 4 opened two days ago: day 2 was yesterday
    db.session.add(Override(cohort_id=cohort.id, user_id=learner.id, stage_number=4,
                            created_at=opened))
    db.session.commit()
    login_as(learner)
    first, replies = opened.date() + timedelta(days=1), opened.date() + timedelta(days=3)
    entry = item(client.get(f"/cohorts/{cohort.id}"), "letting-go")
    assert (f"First post by {first:%a} {first.day} {first:%b} (that day has passed), "
            f"replies by {replies:%a} {replies.day} {replies:%b}.") in entry

    letting_go = cohort.course.etivities_in(4)[0]
    assert letting_go.slug == "letting-go"
    discussions.start_thread(cohort, letting_go, learner, "Mine", "My piece.", utcnow())
    db.session.commit()
    entry = item(client.get(f"/cohorts/{cohort.id}"), "letting-go")
    assert "First post by" not in entry and "passed" not in entry  # posted: nothing to nudge
    assert f"Replies by {replies:%a} {replies.day} {replies:%b}." in entry

    override = db.session.scalar(select(Override).where(Override.user_id == learner.id))
    override.created_at = opened - timedelta(days=5)  # now the replies' day went by too
    db.session.commit()
    replies = override.created_at.date() + timedelta(days=3)
    entry = item(client.get(f"/cohorts/{cohort.id}"), "letting-go")
    assert (f"Replies by {replies:%a} {replies.day} {replies:%b}: that day has passed, "
            "but it’s not too late.") in entry


def assert_stage_2_counts_from_today(client, cohort) -> None:
    """The map's stage 2 e-tivity suggests days 1 and 3 counted from today: none passed."""
    entry = item(client.get(f"/cohorts/{cohort.id}"), "something-of-your-own")
    today = utcnow().date()
    replies = today + timedelta(days=2)  # days 1 and 3, from today
    assert (f"First post by {today:%a} {today.day} {today:%b}, "
            f"replies by {replies:%a} {replies.day} {replies:%b}.") in entry
    assert "passed" not in entry


def test_a_stage_opened_early_counts_its_days_from_that_day(client, factory, login_as):
    """The demo: a learner who joined three weeks ago and has not finished stage 1 is stuck
    there; the facilitator opens stage 2 for them today. Stage 2's suggested days count from
    today (none has passed), and neither the queue nor the dashboard lists them as stuck."""
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    learner = factory.learner_in(cohort, name="Dev Patel")
    membership_of(cohort.id, learner.id).joined_at = utcnow() - timedelta(days=21)
    start(cohort, learner, "introduce-yourself", utcnow() - timedelta(days=18))
    db.session.commit()
    queue_url = f"/facilitate/cohorts/{cohort.id}"
    stuck_url = f"/reports/cohorts/{cohort.id}?status=stuck"  # the dashboard's stuck learners
    login_as(facilitator)
    assert "Dev Patel : in stage 1 since" in text(client.get(queue_url))
    assert "Dev Patel" in text(client.get(stuck_url))

    response = client.post(f"{queue_url}/overrides", data={
        "which": "stage", "stage-stage": "2", "stage-learner": str(learner.id)})
    assert response.status_code == 302
    assert "Dev Patel : in stage" not in text(client.get(queue_url))
    assert "No learners match" in text(client.get(stuck_url))
    login_as(learner)
    assert_stage_2_counts_from_today(client, cohort)


def test_a_stage_opened_for_everyone_before_a_learner_joined_counts_from_their_first_day(
        client, factory, login_as):
    """The facilitator opened stage 2 for the whole cohort a month ago; Kim joins today. On
    her first day stage 2's suggested days count from today (none has passed), and neither
    the queue nor the dashboard lists her as stuck."""
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    db.session.add(Override(cohort_id=cohort.id, stage_number=2, created_by_id=facilitator.id,
                            created_at=utcnow() - timedelta(days=30)))
    db.session.commit()
    kim = factory.learner_in(cohort, name="Kim Lee")
    db.session.commit()
    login_as(facilitator)
    assert "Kim Lee : in stage" not in text(client.get(f"/facilitate/cohorts/{cohort.id}"))
    assert "No learners match" in text(client.get(f"/reports/cohorts/{cohort.id}?status=stuck"))
    login_as(kim)
    assert_stage_2_counts_from_today(client, cohort)


def test_checklist_ticks_itself(client, factory, login_as):
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    help_thread = discussions.ensure_help_thread(cohort, facilitator, utcnow())
    learner = factory.learner_in(cohort)
    login_as(learner)
    page = text(client.get(f"/cohorts/{cohort.id}"))
    assert "Getting started 1 of 4 done" in page
    assert "Done: Logged in" in page
    assert "To do: Set up your profile" in page
    assert "To do: Make your first post" in page
    assert "To do: Find where to ask for help" in page

    update_profile(learner, learner.name, "I run the council's pages.")
    db.session.commit()
    assert "Done: Set up your profile" in text(client.get(f"/cohorts/{cohort.id}"))

    start(cohort, learner, "introduce-yourself")
    db.session.commit()
    assert "Done: Make your first post" in text(client.get(f"/cohorts/{cohort.id}"))

    discussions.mark_shown(help_thread, learner, list(help_thread.posts), utcnow())
    db.session.commit()
    page = text(client.get(f"/cohorts/{cohort.id}"))
    assert "Getting started 4 of 4 done" in page
    assert "To do:" not in page


def test_after_stage_1_the_checklist_stays_only_while_something_is_left(client, factory,
                                                                        login_as):
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    help_thread = discussions.ensure_help_thread(cohort, facilitator, utcnow())
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    finish_stage_1(cohort, learner, peer)  # stage 2 now, the profile and help still to do
    db.session.commit()
    login_as(learner)
    page = text(client.get(f"/cohorts/{cohort.id}"))
    assert "You are in stage 2" in page and "Getting started" in page
    update_profile(learner, learner.name, "I run the council's pages.")
    discussions.mark_shown(help_thread, learner, list(help_thread.posts), utcnow())
    db.session.commit()
    assert "Getting started" not in text(client.get(f"/cohorts/{cohort.id}"))  # all done


def test_checklist_links_to_profile_and_help(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    body = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert 'href="/account/profile"' in body
    assert f'href="/cohorts/{cohort.id}/help"' in body
    assert f'href="/cohorts/{cohort.id}/progress"' in body


def test_welcome_message_is_rendered_and_sanitised(client, factory, login_as):
    cohort = factory.cohort()
    cohort.welcome_message = "Hello **everyone**. <script>alert(1)</script>"
    db.session.commit()
    login_as(factory.learner_in(cohort))
    body = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Hello <strong>everyone</strong>." in body
    assert "<script>alert" not in body


def test_facilitator_sees_every_e_tivity_open_without_progress(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    factory.learner_in(cohort)
    login_as(facilitator)
    response = client.get(f"/cohorts/{cohort.id}")
    page = text(response)
    assert "You facilitate this cohort" in page
    assert "Getting started" not in page and "You are here" not in page
    assert cohort.enrolment_key in page
    assert "1 learner" in page
    expected = {f"/cohorts/{cohort.id}/e/{e.slug}" for e in cohort.course.active_etivities}
    assert links(response) == expected
    assert "To complete: read 3 peers’ posts, reply to 3 different peers, start 1 conversation." \
        in item(response, "phrase-book")


def test_reviewer_sees_the_map_but_not_the_key(client, factory, login_as):
    cohort = factory.cohort()
    reviewer = factory.reviewer_in(cohort)
    login_as(reviewer)
    page = text(client.get(f"/cohorts/{cohort.id}"))
    assert "You review this cohort" in page
    assert cohort.enrolment_key not in page


def test_learner_of_one_cohort_gets_404_for_another(client, factory, login_as):
    course = factory.course()
    mine, theirs = factory.cohort(course), factory.cohort(course)
    login_as(factory.learner_in(mine))
    assert client.get(f"/cohorts/{mine.id}").status_code == 200
    assert client.get(f"/cohorts/{theirs.id}").status_code == 404
    assert client.get("/cohorts/999999").status_code == 404


def test_course_without_e_tivities_has_an_empty_state(client, factory, login_as):
    course = Course(slug="empty", title="Nothing yet", summary="", audience="")
    db.session.add(course)
    db.session.commit()
    cohort = factory.cohort(course)
    login_as(factory.learner_in(cohort))
    response = client.get(f"/cohorts/{cohort.id}")
    assert response.status_code == 200
    assert "This course has no e-tivities yet" in text(response)
    assert "finished every e-tivity" not in text(response)
    assert '<ol class="staircase">' not in response.get_data(as_text=True)
