"""What screen-reader users meet (issue 12): a heading per post, landmarks only where they
help, charts whose summary is read once, and a dashboard grid that says its tags once per
row and lets people show one stage at a time, without JavaScript."""

import html
import re
from pathlib import Path

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member
from course_app.discussions import services as discussions
from course_app.extensions import db
from learner_journey import etivity, start

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_each_post_has_a_heading_with_author_and_time(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort, name="Ana Okafor")
    ben = factory.learner_in(cohort, name="Ben Ross")
    thread = start(cohort, ana, "introduce-yourself")
    reply = discussions.reply(thread, ben, "Hello Ana.", utcnow())
    db.session.commit()
    login_as(ana)
    page = page_of(client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1"))
    headings = re.findall(r'<h3 class="post-heading" id="post-(\d+)-by">(.*?)</h3>', page, re.S)
    assert [int(post_id) for post_id, _ in headings] == [thread.posts[0].id, reply.id]
    words = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip() for _, h in headings]
    assert words[0].startswith("Ana Okafor you ·, ") and "(link to this post)" in words[0]
    assert words[1].startswith("Ben Ross ·, ")
    assert '<time datetime=' in headings[1][1]
    # h1 (the title), h2 (posts), h3 (each post): no level skipped
    assert '<h2 class="visually-hidden">Posts</h2>' in page


def test_sections_are_not_landmarks():
    """A labelled <section> is a region landmark; the frame's few landmarks are enough."""
    labelled = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
                if re.search(r"<section\b[^>]*aria-label", path.read_text())]
    assert labelled == []


def test_the_e_tivity_page_has_few_landmarks(client, factory, login_as):
    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    page = page_of(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"))
    landmarks = (len(re.findall(r"<(header|footer|main|nav|aside)\b", page))
                 + len(re.findall(r'role="region"', page)))
    # header, main nav, breadcrumbs, main, the e-moderator's notes, footer
    assert landmarks <= 6, landmarks


def test_tables_add_no_landmarks(client, factory, login_as):
    """My progress has five tables, each in a box keyboard users can scroll: named groups,
    so the page keeps the frame's landmarks only."""
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    page = page_of(client.get(f"/cohorts/{cohort.id}/progress"))
    assert page.count('role="group" tabindex="0"') == 5
    assert 'role="region"' not in page
    assert len(re.findall(r"<(header|footer|main|nav|aside)\b", page)) <= 5


def _grid_world(factory):
    cohort = factory.cohort(name="Grid cohort")
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    lina = factory.learner_in(cohort, name="Lina Learner")
    return cohort, facilitator, lina


def test_grid_tags_are_in_their_own_cell_with_commas(client, factory, login_as):
    cohort, facilitator, lina = _grid_world(factory)
    cohort.silent_days = 1
    membership = next(m for m in cohort.memberships if m.user_id == lina.id)
    membership.joined_at = utcnow().replace(year=utcnow().year - 1)
    db.session.commit()
    login_as(facilitator)
    page = page_of(client.get(f"/reports/cohorts/{cohort.id}"))
    row = page.split('<th scope="row" class="learner-head">')[1].split("</tr>")[0]
    name, rest = row.split("</th>", 1)
    assert "tag" not in name  # the row header is the name alone: read before every cell
    status = rest.split('<td class="status">')[1].split("</td>")[0]
    assert re.sub(r"<[^>]+>", "", status).strip() == "stuck, inactive"
    assert '<th scope="col" rowspan="2">Status</th>' in page


def test_a_learner_on_track_says_so(client, factory, login_as):
    cohort, facilitator, _lina = _grid_world(factory)
    login_as(facilitator)
    page = page_of(client.get(f"/reports/cohorts/{cohort.id}"))
    status = page.split('<td class="status">')[1].split("</td>")[0]
    assert re.sub(r"<[^>]+>", "", status).strip() == "on track"


def test_the_grid_can_show_one_stage(client, factory, login_as):
    cohort, facilitator, _lina = _grid_world(factory)
    login_as(facilitator)
    whole = page_of(client.get(f"/reports/cohorts/{cohort.id}?status=on-track"))
    assert whole.count('class="stage-head"') == 5
    assert 'aria-describedby="grid-hint"' in whole and "scroll it sideways" in whole
    links = re.findall(r'<a href="([^"]*)"[^>]*>Stage (\d)<span', whole)
    assert [n for _, n in links] == ["1", "2", "3", "4", "5"]
    assert links[2][0] == f"/reports/cohorts/{cohort.id}?show=3&status=on-track#learners"
    three = page_of(client.get(f"/reports/cohorts/{cohort.id}?status=on-track&show=3"))
    assert three.count('class="stage-head"') == 1
    assert "Stage 3:" in three.split('class="stage-head"')[1][:80]
    stage_3 = [e.title for e in cohort.course.etivities if e.stage_number == 3]
    stage_1 = [e.title for e in cohort.course.etivities if e.stage_number == 1]
    grid = three.split('<table class="data grid">')[1].split("</table>")[0]
    assert all(t in grid for t in stage_3) and not any(t in grid for t in stage_1)
    assert "Only stage 3's e-tivities are shown" in three
    # the filter form and the page links keep the choice
    assert '<input type="hidden" name="show" value="3">' in three
    current = re.search(r'<a href="[^"]*show=3[^"]*#learners" aria-current="true">Stage 3', three)
    assert current


def test_an_unknown_stage_shows_them_all(client, factory, login_as):
    cohort, facilitator, _lina = _grid_world(factory)
    login_as(facilitator)
    page = page_of(client.get(f"/reports/cohorts/{cohort.id}?show=9"))
    assert page.count('class="stage-head"') == 5


def test_a_reviewer_prints_one_stage(client, factory, login_as):
    cohort, _facilitator, _lina = _grid_world(factory)
    reviewer = factory.user(Role.LEARNER, name="Rosa Reviewer")
    add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow())
    db.session.commit()
    login_as(reviewer)
    page = page_of(client.get(f"/reports/cohorts/{cohort.id}/print?show=2"))
    assert page.count('class="stage-head"') == 1
    assert etivity(cohort.course, "introduce-yourself").title not in page.split(
        '<table class="data grid">')[1]
