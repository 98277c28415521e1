"""My progress: counts against each rule (the same numbers as the API), the level, the chart."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.progress import rules
from course_app.progress.charts import participation_chart, summary
from course_app.progress.models import Activity, Completion
from course_app.progress.rules import Counts, Level, participation_level
from course_app.progress.evidence import void_post
from course_app.progress.standing import weekly_profile
from learner_journey import (etivity, finish_stage_1,
                             start, text)

SVG = "{http://www.w3.org/2000/svg}"


def rows(response) -> dict[str, dict[str, str]]:
    """{slug: {"state": …, "observe": "2 of 3", …}} from the page's progress tables."""
    body = response.get_data(as_text=True)
    found = {}
    for slug, row in re.findall(r'<tr id="etivity-([\w-]+)"[^>]*>(.*?)</tr>', body, re.S):
        cells = {}
        for name in ("state-cell", "count-observe", "count-interact", "count-initiate"):
            cell = re.search(rf'<td class="{name}">(.*?)</td>', row, re.S).group(1)
            cells[name.removeprefix("count-").removesuffix("-cell")] = re.sub(
                r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        found[slug] = cells
    return found


def busy_learner(cohort, factory):
    learner, peer, other = (factory.learner_in(cohort) for _ in range(3))
    theirs = finish_stage_1(cohort, learner, peer)
    discussions.mark_shown(theirs, learner, list(theirs.posts), utcnow())
    piece = start(cohort, peer, "something-of-your-own")
    start(cohort, other, "something-of-your-own")
    discussions.reply(piece, learner, "Nice one.", utcnow())
    discussions.mark_shown(piece, learner, list(piece.posts), utcnow())
    for author in (peer, other):  # two reads where the welcome asks for one
        first_look = start(cohort, author, "welcome")
        discussions.mark_shown(first_look, learner, list(first_look.posts), utcnow())
    db.session.commit()
    return learner


# ---- the page ------------------------------------------------------------------

def test_progress_needs_login(client, factory):
    cohort = factory.cohort()
    response = client.get(f"/cohorts/{cohort.id}/progress")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


def test_page_shows_counts_against_each_rule(client, factory, login_as):
    cohort = factory.cohort()
    learner = busy_learner(cohort, factory)
    login_as(learner)
    response = client.get(f"/cohorts/{cohort.id}/progress")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<title>Your progress" in body and "<h1>Your progress</h1>" in body
    assert "style=" not in body and "<script>" not in body
    table = rows(response)
    assert table["introduce-yourself"]["state"] == "✓ Complete"
    assert table["introduce-yourself"]["interact"] == "1 of 1"
    assert table["introduce-yourself"]["observe"] == "1 (none needed)"
    assert table["welcome"]["observe"] == "2 (1 needed)"
    assert table["something-of-your-own"] == {
        "state": "→ Open", "observe": "1 (none needed)", "interact": "1 of 2",
        "initiate": "0 of 1"}
    assert table["phrase-book"]["state"] == "⊘ Locked"
    assert table["phrase-book"]["observe"] == "0 of 3"
    page = text(response)
    assert "Next: Share something of your own — reply to 1 more peer, start 1 conversation." in page


def test_page_numbers_agree_with_the_api(client, factory, login_as):
    cohort = factory.cohort()
    learner = busy_learner(cohort, factory)
    login_as(learner)
    table = rows(client.get(f"/cohorts/{cohort.id}/progress"))
    client.post("/account/logout")
    login_as(cohort.memberships[0].user)
    data = client.get(f"/api/v1/cohorts/{cohort.id}/progress").get_json()
    mine = next(p for p in data["learners"] if p["id"] == learner.id)
    assert set(table) == {e["slug"] for e in mine["etivities"]}
    checked = 0
    for e in mine["etivities"]:
        row = table[e["slug"]]
        assert row["state"].endswith(e["state"].capitalize())
        for mode in ("observe", "interact", "initiate"):
            wanted = e["rule"][mode]
            if not wanted:
                expected = f"{e[mode]} (none needed)"
            elif e[mode] > wanted:
                expected = f"{e[mode]} ({wanted} needed)"
            else:
                expected = f"{e[mode]} of {wanted}"
            assert row[mode] == expected, (e["slug"], mode)
            checked += e[mode]
    assert checked >= 6  # the comparison saw real activity, not only zeros


def test_done_by_hand_is_noted(client, factory, login_as):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    db.session.add(Completion(cohort_id=cohort.id, user_id=learner.id,
                              etivity_id=etivity(cohort.course, "time-and-help").id,
                              by_hand_by_id=cohort.memberships[0].user_id, completed_at=utcnow()))
    db.session.commit()
    login_as(learner)
    table = rows(client.get(f"/cohorts/{cohort.id}/progress"))
    assert table["time-and-help"]["state"] == "✓ Complete (marked by your facilitator)"


def test_level_word_and_chart_appear(client, factory, login_as):
    cohort = factory.cohort()
    learner = busy_learner(cohort, factory)
    login_as(learner)
    response = client.get(f"/cohorts/{cohort.id}/progress")
    page = text(response)
    assert "How you take part: Interactor" in page
    body = response.get_data(as_text=True)
    svg = body[body.index("<svg"):body.index("</svg>") + len("</svg>")]
    ET.fromstring(svg)
    assert 'aria-labelledby="participation-title participation-desc"' in svg
    assert "The numbers behind the chart" in page


def test_new_learner_gets_an_empty_chart_state(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    response = client.get(f"/cohorts/{cohort.id}/progress")
    page = text(response)
    assert "Nothing yet. This chart fills in as you read, reply and start conversations" in page
    assert "<svg" not in response.get_data(as_text=True)
    assert "How you take part: Observer" in page


def test_facilitator_gets_a_note_not_an_empty_page(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    login_as(facilitator)
    response = client.get(f"/cohorts/{cohort.id}/progress")
    assert response.status_code == 200
    assert "You facilitate this cohort, so you have no progress of your own here" in text(response)
    assert f'href="/api/v1/cohorts/{cohort.id}/progress"' in response.get_data(as_text=True)


def test_learner_of_one_cohort_gets_404_for_anothers_progress(client, factory, login_as):
    course = factory.course()
    mine, theirs = factory.cohort(course), factory.cohort(course)
    login_as(factory.learner_in(mine))
    assert client.get(f"/cohorts/{mine.id}/progress").status_code == 200
    assert client.get(f"/cohorts/{theirs.id}/progress").status_code == 404


# ---- the level rule ------------------------------------------------------------

@pytest.mark.parametrize("counts, level", [
    (Counts(), Level.OBSERVER),
    (Counts(observe=40), Level.OBSERVER),
    (Counts(observe=3, initiate=5), Level.OBSERVER),  # posting without ever replying
    (Counts(interact=1), Level.INTERACTOR),
    (Counts(interact=4, initiate=rules.INITIATOR_THREADS - 1), Level.INTERACTOR),
    (Counts(interact=1, initiate=rules.INITIATOR_THREADS), Level.INITIATOR),
])
def test_participation_level(counts, level):
    assert participation_level(counts) == level
    assert participation_level(counts) in ("observer", "interactor", "initiator")


def test_describe_left_says_more_only_where_something_is_done():
    rule = rules.CompletionRule(observe=3, interact=2, initiate=1)
    assert rules.describe_left(rule, Counts()) == (
        "read 3 peers’ posts, reply to 2 different peers, start 1 conversation")
    assert rules.describe_left(rule, Counts(observe=1, interact=1)) == (
        "read 2 more peers’ posts, reply to 1 more peer, start 1 conversation")
    assert rules.describe_left(rule, Counts(3, 2, 1)) == ""


def test_describe_lock():
    today = date(2027, 1, 1)
    locked = rules.StageStatus(2, False, rules.LockReason.PREVIOUS_STAGE, None)
    assert rules.describe_lock(locked, today) == "opens when you finish stage 1"
    dated = rules.StageStatus(2, False, rules.LockReason.DATE, date(2027, 1, 12))
    assert rules.describe_lock(dated, today) == "opens on 12 January 2027"
    both = rules.StageStatus(3, False, rules.LockReason.PREVIOUS_STAGE, date(2027, 1, 12))
    assert rules.describe_lock(both, today) == (
        "opens when you finish stage 2, and not before 12 January 2027")
    assert rules.describe_lock(rules.StageStatus(1, True), today) == ""


def test_day_of_counts_the_opening_day_as_day_1():
    assert rules.day_of(date(2027, 2, 2), 1) == date(2027, 2, 2)
    assert rules.day_of(date(2027, 2, 2), 4) == date(2027, 2, 5)


# ---- the weekly profile ----------------------------------------------------------

def test_weekly_profile_counts_events_per_week_and_fills_gaps(factory):
    cohort = factory.cohort()
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    today = utcnow().date()
    monday = today - timedelta(days=today.weekday())
    three_weeks_ago = utcnow() - timedelta(weeks=3)
    theirs = start(cohort, peer, "introduce-yourself", three_weeks_ago)
    start(cohort, learner, "introduce-yourself", three_weeks_ago)
    discussions.mark_shown(theirs, learner, list(theirs.posts), three_weeks_ago)
    discussions.reply(theirs, learner, "Hi!", utcnow())
    hidden = start(cohort, learner, "time-and-help", utcnow())
    void_post(hidden.posts[0].id, utcnow())
    db.session.commit()
    # The learner joined a minute ago, but acted earlier: the profile starts with the activity.
    weeks = weekly_profile(cohort.id, learner.id, today)
    assert [w.start for w in weeks] == [monday - timedelta(weeks=n) for n in (3, 2, 1, 0)]
    assert [w.as_tuple()[1:] for w in weeks] == [(1, 0, 1), (0, 0, 0), (0, 0, 0), (0, 1, 0)]


def test_weekly_profile_of_someone_who_just_joined_is_one_empty_week(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date()
    assert [w.as_tuple()[1:] for w in weekly_profile(cohort.id, learner.id, today)] == [(0, 0, 0)]


def test_weekly_profile_keeps_to_the_last_weeks(factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    today = utcnow().date() + timedelta(weeks=40)
    assert len(weekly_profile(cohort.id, learner.id, today, weeks=26)) == 26


# ---- the chart -------------------------------------------------------------------

WEEKS = [(date(2027, 1, 4), 5, 1, 1), (date(2027, 1, 11), 0, 0, 0), (date(2027, 1, 18), 9, 4, 2)]


def test_chart_is_well_formed_svg_that_names_itself():
    svg = participation_chart(WEEKS)
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Your participation, week by week"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "read 14 peers’ posts" in desc.text and "started 3 conversations" in desc.text
    assert "busiest week began on 18 Jan" in desc.text
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 9  # three per week
    heights = [float(r.get("height")) for r in bars]
    assert heights[6] > heights[0] > 0 and heights[3] == 0  # 9 reads > 5 reads > none


def test_chart_escapes_its_text_and_prefixes_ids():
    svg = participation_chart(WEEKS, chart_id="a<b", title='Tom & "Jerry" <3')
    root = ET.fromstring(str(svg))
    assert root.find(f"{SVG}title").text == 'Tom & "Jerry" <3'
    assert root.find(f"{SVG}title").get("id") == "ab-title"


def test_chart_with_no_weeks_is_still_valid():
    root = ET.fromstring(str(participation_chart([])))
    assert root.find(f"{SVG}title") is not None
    assert summary([]).startswith("No activity yet")
    assert summary([(date(2027, 1, 4), 0, 0, 0)]).startswith("No activity yet")


def test_activity_rows_are_what_the_profile_counts(factory):
    """Guard against the profile drifting from the activity log it reads."""
    cohort = factory.cohort()
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    finish_stage_1(cohort, learner, peer)
    db.session.commit()
    total = sum(w.observe + w.interact + w.initiate
                for w in weekly_profile(cohort.id, learner.id, utcnow().date()))
    assert total == db.session.query(Activity).filter_by(user_id=learner.id).count()
