"""My progress: counts against each rule (the same numbers as the API), the level, the chart.

The rules, the weekly profile and the chart are tested without pages in tests/unit/
(test_rules.py, test_standing.py, test_progress_charts.py)."""

import re
import xml.etree.ElementTree as ET

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.progress.models import Completion
from learner_journey import etivity, finish_stage_1, start, text


def rows(response) -> dict[str, dict[str, str]]:
    """{slug: {"state": …, "observe": "2 (3 needed)", …}} from the page's progress tables."""
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
    # One wording for a count against its rule, short of it, at it or past it.
    assert table["introduce-yourself"]["interact"] == "1 (1 needed)"
    assert table["introduce-yourself"]["observe"] == "1 (none needed)"
    assert table["welcome"]["observe"] == "2 (1 needed)"
    assert table["something-of-your-own"] == {
        "state": "→ Open", "observe": "1 (none needed)", "interact": "1 (2 needed)",
        "initiate": "0 (1 needed)"}
    assert table["phrase-book"]["state"] == "⊘ Locked"
    assert table["phrase-book"]["observe"] == "0 (3 needed)"
    assert " of " not in " ".join(v for row in table.values() for k, v in row.items()
                                  if k != "state")
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
            expected = f"{e[mode]} ({wanted or 'none'} needed)"
            assert row[mode] == expected, (e["slug"], mode)
            checked += e[mode]
    assert checked >= 6  # the comparison saw real activity, not only zeros


def test_what_is_left_comes_right_after_the_etivitys_name(client, factory, login_as):
    """On a phone (320 px) a table shows its first columns and scrolls for the rest: what is
    still to do comes first after the name, in every stage's table, so it shows unscrolled
    (checked in Chromium at 320 px: both columns fit, the counts are to the right)."""
    cohort = factory.cohort()
    learner = busy_learner(cohort, factory)
    login_as(learner)
    body = client.get(f"/cohorts/{cohort.id}/progress").get_data(as_text=True)
    tables = re.findall(r'<table class="data progress-table">(.*?)</table>', body, re.S)
    assert len(tables) == len(cohort.course.stages)
    for table in tables:
        assert re.findall(r'<th scope="col">(.*?)</th>', table) == [
            "E-tivity", "Still to do", "State", "Peers' posts read", "Peers replied to",
            "Conversations started"]
    cells = re.findall(r'<tr id="etivity-([\w-]+)"[^>]*>\s*<th scope="row">.*?</th>\s*'
                       r'<td class="([\w-]+)">\s*(.*?)\s*</td>', body, re.S)
    assert len(cells) == body.count('<tr id="etivity-')
    assert {cell for _, cell, _ in cells} == {"still-to-do"}
    left = {slug: words for slug, _, words in cells}
    assert left["something-of-your-own"] == "Reply to 1 more peer, start 1 conversation."
    assert left["phrase-book"] == "Opens with its stage."
    assert left["introduce-yourself"].startswith("Nothing left: completed")


def test_done_by_hand_is_noted(client, factory, login_as):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    db.session.add(Completion(cohort_id=cohort.id, user_id=learner.id,
                              etivity_id=etivity(cohort.course, "time-and-help").id,
                              by_hand_by_id=cohort.memberships[0].user_id, completed_at=utcnow()))
    db.session.commit()
    login_as(learner)
    table = rows(client.get(f"/cohorts/{cohort.id}/progress"))
    assert table["time-and-help"]["state"] == "✓ Complete (marked complete by your facilitator)"


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
    assert 'aria-labelledby="participation-title" aria-describedby="participation-desc"' in svg
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
