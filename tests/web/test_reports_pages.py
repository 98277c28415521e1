"""The reports pages: who may open each one, the dashboard's filters, sort and pages, the
downloads, the printable view, and the learner's and e-tivity's reports."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from course_app.auth.models import Role, User
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member
from course_app.discussions import services as discussions
from course_app.discussions.reading import post_path
from course_app.extensions import db
from course_app.progress.overrides import mark_complete_by_hand
from course_app.rendering import exact_time
from course_app.reports import exports, queries
from course_app.reports import views as report_views
from learner_journey import etivity, start, text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(factory):
    cohort = factory.cohort(name="Spring 2027: Ärzte & co")
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    learner = factory.learner_in(cohort, name="Lina Learner")
    peer = factory.learner_in(cohort, name="Pat Peer")
    reviewer = factory.user(Role.LEARNER, name="Rosa Reviewer")
    add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow())
    other = factory.cohort(name="Other cohort")  # the same course
    outsider = next(m.user for m in other.memberships if m.role == MemberRole.FACILITATOR)
    admin = factory.user(Role.ADMIN)
    nobody = factory.user(Role.LEARNER)
    db.session.commit()
    return dict(cohort=cohort, facilitator=facilitator, learner=learner, peer=peer,
                reviewer=reviewer, other=other, outsider=outsider, admin=admin, nobody=nobody)


def urls(w) -> dict[str, str]:
    c = w["cohort"].id
    return {
        "dashboard": f"/reports/cohorts/{c}",
        "print": f"/reports/cohorts/{c}/print",
        "csv": f"/reports/cohorts/{c}/progress.csv",
        "json": f"/reports/cohorts/{c}/progress.json",
        "etivity": f"/reports/cohorts/{c}/e/introduce-yourself",
        "compare": f"/reports/courses/{w['cohort'].course.slug}/compare",
        "own report": f"/reports/cohorts/{c}/learners/{w['learner'].id}",
        "peer's report": f"/reports/cohorts/{c}/learners/{w['peer'].id}",
    }


COHORT_PAGES = ("dashboard", "print", "csv", "json", "etivity")


# ---- who may open what ------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in(world, client):
    for name, url in {**urls(world), "index": "/reports/"}.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert "/account/login" in response.headers["Location"], name


def test_a_learner_sees_only_their_own_report(world, client, login_as):
    login_as(world["learner"])
    pages = urls(world)
    for name in (*COHORT_PAGES, "compare"):
        assert client.get(pages[name]).status_code == 403, name
    own = client.get(pages["own report"])
    assert own.status_code == 200
    assert "Your progress report" in text(own)
    assert client.get(pages["peer's report"]).status_code == 404
    home = client.get("/reports/")
    assert home.status_code == 200 and "You don't facilitate or review any cohort" in text(home)
    assert 'href="/reports/"' not in client.get("/").get_data(as_text=True)  # no nav link


def test_a_facilitator_of_another_cohort_finds_nothing(world, client, login_as):
    login_as(world["outsider"])
    pages = urls(world)
    for name in (*COHORT_PAGES, "own report", "peer's report"):
        assert client.get(pages[name]).status_code == 404, name
    compare = client.get(pages["compare"])  # their own cohort of the course only
    assert compare.status_code == 200
    assert "Other cohort" in text(compare) and "Spring 2027" not in text(compare)


@pytest.mark.parametrize("who", ["reviewer", "facilitator", "admin"])
def test_reviewers_facilitators_and_admins_open_every_report(world, client, login_as, who):
    login_as(world[who])
    for name, url in {**urls(world), "index": "/reports/"}.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response.headers["Cache-Control"] == "private, no-store", name
    home = client.get("/")
    assert 'href="/reports/"' in home.get_data(as_text=True)  # the nav link


def test_compare_is_404_for_strangers_and_unknown_courses(world, client, login_as):
    login_as(world["nobody"])
    assert client.get(urls(world)["compare"]).status_code == 404
    assert client.get("/reports/courses/no-such-course/compare").status_code == 404
    login_as(world["reviewer"])
    assert client.get(f"/reports/cohorts/{world['cohort'].id}/e/no-such-thing").status_code == 404
    assert client.get(f"/reports/cohorts/{world['cohort'].id}/learners/"
                      f"{world['reviewer'].id}").status_code == 404  # not a learner


def test_index_groups_cohorts_by_course_with_figures_and_links(world, client, login_as):
    login_as(world["admin"])
    page = client.get("/reports/")
    body = page.get_data(as_text=True)
    assert "<h1>Reports</h1>" in body and "<title>Reports – Staircase</title>" in body
    course = world["cohort"].course
    assert body.count(f'href="/reports/courses/{course.slug}/compare"') == 1
    assert f'href="/reports/cohorts/{world["cohort"].id}"' in body
    assert f'href="/reports/cohorts/{world["other"].id}"' in body
    row = re.search(r"Spring 2027: Ärzte &amp; co</a></th>(.*?)</tr>", body, re.S).group(1)
    assert [int(n) for n in re.findall(r"<td>(\d+)</td>", row)][:1] == [2]  # enrolled


# ---- the dashboard: filters, sort, pages --------------------------------------------------------

def grid_names(response) -> list[str]:
    """The learners of the page's first grid (the printable view draws several)."""
    grids = grid_tables(response)
    return re.findall(r'class="learner-head">\s*<a href="[^"]+">([^<]+)</a>',
                      grids[0]) if grids else []


def grid_tables(response) -> list[str]:
    return re.findall(r'<table class="data grid.*?</table>', response.get_data(as_text=True),
                      re.S)


def required_in(course, stage):
    return [e for e in course.active_etivities if e.stage_number == stage and e.required]


@pytest.fixture
def stages_world(factory):
    """Learners in known places: stuck or moving in stages 1, 2 and 3."""
    cohort = factory.cohort()
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    long_ago = utcnow() - timedelta(days=30)
    a_fortnight_ago = utcnow() - timedelta(days=15)  # stuck in 2 or 3, not 20 days idle

    def finish(user, stages, at):
        for number in stages:
            for e in required_in(cohort.course, number):
                mark_complete_by_hand(cohort, user.id, e.id, facilitator.id, at)

    def joined(name, at):
        user = factory.user(name=name)
        add_member(cohort, user, MemberRole.LEARNER, at)
        return user

    stuck_2 = joined("Ada Stuck-in-two", a_fortnight_ago)
    finish(stuck_2, [1], a_fortnight_ago)
    moving_2 = factory.learner_in(cohort, name="Bea Moving-in-two")
    finish(moving_2, [1], utcnow())
    joined("Cy Stuck-in-one", long_ago)
    factory.learner_in(cohort, name="Di Fresh")
    stuck_3 = joined("Ed Stuck-in-three", a_fortnight_ago)
    finish(stuck_3, [1, 2], a_fortnight_ago)
    db.session.commit()
    return cohort, facilitator


def test_stuck_in_stage_2_shows_exactly_those_learners(stages_world, client, login_as):
    cohort, facilitator = stages_world
    login_as(facilitator)
    url = f"/reports/cohorts/{cohort.id}"
    response = client.get(url + "?status=stuck&stage=2")
    assert grid_names(response) == ["Ada Stuck-in-two"]
    assert "1 of 5 learners" in text(response)
    body = response.get_data(as_text=True)
    assert '<option selected value="2">' in body and '<option selected value="stuck">' in body
    assert grid_names(client.get(url + "?status=stuck")) == [
        "Ada Stuck-in-two", "Cy Stuck-in-one", "Ed Stuck-in-three"]
    assert grid_names(client.get(url + "?stage=2")) == ["Ada Stuck-in-two", "Bea Moving-in-two"]
    assert grid_names(client.get(url + "?inactive=20")) == ["Cy Stuck-in-one"]
    assert grid_names(client.get(url + "?status=on-track")) == ["Bea Moving-in-two", "Di Fresh"]
    nobody = client.get(url + "?status=completed")
    assert grid_names(nobody) == []
    assert "No learners match. Clear the filters." in text(nobody)


def test_the_filter_form_has_labels_and_keeps_bad_values_out(stages_world, client, login_as):
    cohort, facilitator = stages_world
    login_as(facilitator)
    response = client.get(f"/reports/cohorts/{cohort.id}?stage=9&inactive=lots&level=guru")
    assert response.status_code == 200
    assert len(grid_names(response)) == 5  # nothing was filtered on a bad value
    body = response.get_data(as_text=True)
    for label in ("Current stage", "Status", "Participation level", "Inactive for at least (days)",
                  "Sort by", "Order"):
        assert re.search(rf"<label for=\"\w+\">{re.escape(label)}</label>", body), label
    assert "Enter a whole number of days" in body
    assert '<button type="submit">Show learners</button>' in body


def test_the_filters_fold_away_on_a_phone_only_while_nothing_is_chosen(stages_world, client,
                                                                       login_as):
    """The filters are a <details>: closed unless a filter, a sort or an error is there to
    see (a phone shows its toggle; wider screens show the fields whatever: app.css)."""
    cohort, facilitator = stages_world
    login_as(facilitator)
    url = f"/reports/cohorts/{cohort.id}"

    def box(query: str) -> str:
        body = client.get(url + query).get_data(as_text=True)
        return re.search(r'<details class="filter-box"[^>]*>', body).group(0)

    assert "open" not in box("")
    assert "open" not in box("?show=2")  # which stage's e-tivities show is not a filter
    for chosen in ("?status=stuck", "?sort=stage", "?order=desc", "?inactive=lots"):
        assert box(chosen) == '<details class="filter-box" open>', chosen
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert ".filter-box::details-content { content-visibility: visible; }" in css


def test_sort_by_stage_descending(stages_world, client, login_as):
    cohort, facilitator = stages_world
    login_as(facilitator)
    names = grid_names(client.get(f"/reports/cohorts/{cohort.id}?sort=stage&order=desc"))
    assert names[0] == "Ed Stuck-in-three"
    assert set(names[1:3]) == {"Ada Stuck-in-two", "Bea Moving-in-two"}
    assert set(names[3:]) == {"Cy Stuck-in-one", "Di Fresh"}
    assert grid_names(client.get(f"/reports/cohorts/{cohort.id}")) == sorted(names)


def _bulk_learners(cohort, n, template_user):
    """Learners without paying for a password hash each."""
    users = []
    for i in range(n):
        user = User(email=f"bulk{cohort.id}-{i}@example.org", name=f"Bulk {i:03d}",
                    password_hash=template_user.password_hash,
                    created_at=utcnow())
        db.session.add(user)
        users.append(user)
    db.session.flush()
    for user in users:
        add_member(cohort, user, MemberRole.LEARNER, utcnow())
    db.session.commit()
    return users


def test_big_cohorts_come_a_page_at_a_time_and_page_links_keep_the_filters(
        factory, client, login_as):
    size = report_views.PAGE_SIZE
    cohort = factory.cohort()
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    _bulk_learners(cohort, size + 5, facilitator)
    login_as(facilitator)
    first = client.get(f"/reports/cohorts/{cohort.id}?level=observer")
    assert len(grid_names(first)) == size
    assert f"{size + 5} of {size + 5} learners; showing 1–{size} (page 1 of 2)" in text(first)
    body = first.get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', body).group(1)
    assert "level=observer" in link and "page=2" in link
    second = client.get(link.replace("&amp;", "&"))
    assert grid_names(second) == [f"Bulk {i:03d}" for i in range(size, size + 5)]
    assert client.get(f"/reports/cohorts/{cohort.id}?page=99").status_code == 200  # last page
    printable = client.get(f"/reports/cohorts/{cohort.id}/print?level=observer")
    assert len(grid_names(printable)) == size + 5  # paper gets everyone (in each table)


# ---- dashboard contents: cells, charts, escaping -----------------------------------------------

def test_cells_say_their_state_in_words_and_names_are_escaped(factory, client, login_as):
    cohort = factory.cohort()
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    sneaky = factory.learner_in(cohort, name="<script>alert(1)</script>")
    peer = factory.learner_in(cohort, name="Pat Peer")
    start(cohort, peer, "introduce-yourself")
    theirs = start(cohort, sneaky, "introduce-yourself")
    discussions.reply(theirs, peer, "Welcome!", utcnow())
    mark_complete_by_hand(cohort, sneaky.id, etivity(cohort.course, "time-and-help").id,
                                   facilitator.id, utcnow())
    db.session.commit()
    login_as(facilitator)
    response = client.get(f"/reports/cohorts/{cohort.id}")
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "complete: read 0, replied to 1, started 1" in body  # Pat in introduce-yourself
    assert "done by hand: read 0, replied to 0, started 0" in body
    assert "open: read 0, replied to 0, started 0" in body
    assert "locked: read 0, replied to 0, started 0" in body
    assert ('<th scope="colgroup" colspan="3" class="stage-head">'
            'Stage 1: Access and motivation</th>') in body
    slug = etivity(cohort.course, "introduce-yourself").slug
    assert f'href="/reports/cohorts/{cohort.id}/e/{slug}"' in body
    assert f'href="/reports/cohorts/{cohort.id}/learners/{peer.id}"' in body
    # the funnel, the weekly chart and the interaction map, each drawn for wide screens and
    # for phones
    assert body.count('role="img"') == 6
    for chart in ("funnel", "cohort-weekly", "interaction-map"):
        assert f'id="{chart}-title"' in body and f'id="{chart}-narrow-title"' in body
    page = text(response)
    assert "Nobody has replied to them yet Pat Peer" in page  # listed in words too
    # Pat finished introduce-yourself, stage 1's one required e-tivity; the other has not.
    for words in ("Download CSV", "Download JSON", "Printable view", "Enrolled 2",
                  "Reached stage 2 1", "At risk"):
        assert words in page, words


def test_a_cohort_without_learners_says_what_to_do(factory, client, login_as):
    cohort = factory.cohort()
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    login_as(facilitator)
    page = text(client.get(f"/reports/cohorts/{cohort.id}"))
    assert "No learners have joined" in page and "send invites" in page


# ---- downloads and print -----------------------------------------------------------------------

def test_csv_download_opens_cleanly_in_a_spreadsheet(world, client, login_as, factory):
    factory.learner_in(world["cohort"], name='=HYPERLINK("http://evil.example")')
    login_as(world["reviewer"])
    response = client.get(urls(world)["csv"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    today = utcnow().date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="spring-2027-arzte-co-progress-{today}.csv"')
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    names = {r["learner"] for r in rows}
    assert names == {"Lina Learner", "Pat Peer", "'=HYPERLINK(\"http://evil.example\")"}


def test_the_downloads_are_not_handed_to_a_page_loading_them_as_a_picture(world, client,
                                                                          login_as, caplog):
    """A post's picture of a download would export the cohort as each reader who opens it."""
    login_as(world["reviewer"])
    cohort = world["cohort"].id
    paths = [urls(world)["csv"], f"/reports/cohorts/{cohort}/progress.json",
             f"/reports/cohorts/{cohort}/interactions.csv"]
    with caplog.at_level("INFO", logger="course_app.security"):
        for path in paths:
            for dest in ("image", "empty", "iframe"):
                response = client.get(path, headers={"Sec-Fetch-Dest": dest})
                assert response.status_code == 400, (path, dest)
                assert "Content-Disposition" not in response.headers
    assert not [r for r in caplog.records if "event=export" in r.getMessage()]
    for path in paths:
        assert client.get(path, headers={"Sec-Fetch-Dest": "document"}).status_code == 200


def test_json_download_is_the_same_as_the_export(world, client, login_as, monkeypatch):
    now = utcnow()
    monkeypatch.setattr(report_views, "utcnow", lambda: now)
    login_as(world["facilitator"])
    response = client.get(urls(world)["json"])
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith('.json"')
    assert response.get_json() == exports.as_json(queries.dashboard(world["cohort"], now))


def test_the_printable_view_renders_and_print_styles_exist(world, client, login_as):
    login_as(world["reviewer"])
    response = client.get(urls(world)["print"])
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Spring 2027: Ärzte &amp; co: progress</h1>" in body
    assert 'class="print-report"' in body and "<table" in body
    assert 'class="filters' not in body  # no filter form on paper
    assert grid_names(response) == ["Lina Learner", "Pat Peer"]
    css = (ROOT / "static" / "css" / "app.css").read_text()
    print_rules = css[css.rindex("@media print"):]
    assert "table-header-group" in print_rules and ".report-filters" in print_rules


def test_the_printable_view_draws_each_stage_in_a_table_of_its_own(world, client, login_as):
    """The whole grid is wider than a landscape page: on paper each stage's e-tivities come in
    a table of their own, with each learner's name and status again, so every column prints;
    the screen's dashboard keeps them side by side in one table."""
    login_as(world["reviewer"])
    course = world["cohort"].course
    stages = sorted({e.stage_number for e in course.active_etivities})
    tables = grid_tables(client.get(urls(world)["print"]))
    learners, grids = tables[0], tables[1:]
    for column in ("Status", "Stage now", "Participation level", "Last active"):
        assert f">{column}</th>" in learners
    assert 'class="stage-head"' not in learners and "/e/" not in learners
    assert len(grids) == len(stages)
    printed = []
    for number, grid in zip(stages, grids, strict=True):
        assert re.findall(r'class="stage-head">Stage (\d+):', grid) == [str(number)]
        slugs = re.findall(r'href="/reports/cohorts/\d+/e/([^"]+)"', grid)
        assert slugs == [e.slug for e in course.active_etivities if e.stage_number == number]
        names = re.findall(r'class="learner-head">\s*<a href="[^"]+">([^<]+)</a>', grid)
        assert names == ["Lina Learner", "Pat Peer"]
        assert grid.count('<td class="status">') == 2 and ">Participation level</th>" not in grid
        printed += slugs
    assert sorted(printed) == sorted(e.slug for e in course.active_etivities)  # each once
    assert len(grid_tables(client.get(urls(world)["dashboard"]))) == 1  # the screen's grid


def test_the_printable_view_gives_dates_and_the_dashboards_page_size(world, client, login_as,
                                                                      monkeypatch):
    """"23 hours ago" means nothing on paper a week later: the printed times are dates and
    times. The line about pages names the dashboard's own page size."""
    start(world["cohort"], world["learner"], "introduce-yourself",
          at=utcnow() - timedelta(hours=23))
    db.session.commit()
    monkeypatch.setattr(report_views, "PAGE_SIZE", 7)
    login_as(world["reviewer"])
    response = client.get(urls(world)["print"])
    body = response.get_data(as_text=True)
    assert "<time" in grid_tables(response)[0]  # Lina's last activity
    assert 'data-kind="relative"' not in body and " ago<" not in body
    assert "Every learner is on it, not 7 to a page as on the dashboard" in text(response)


# ---- the learner's and the e-tivity's reports ----------------------------------------------------

def test_learner_report_shows_timeline_posts_and_levels(world, client, login_as):
    cohort, learner, peer = world["cohort"], world["learner"], world["peer"]
    theirs = start(cohort, peer, "introduce-yourself", title="Pat says hello")
    mine = start(cohort, learner, "introduce-yourself", title="Lina says hello")
    discussions.reply(theirs, learner, "Hello Pat!", utcnow())
    discussions.mark_shown(theirs, learner, list(theirs.posts), utcnow())  # reads Pat's post
    for thread in (mine, theirs):  # Pat reads Lina's two posts: Pat's reading, not hers
        discussions.mark_shown(thread, peer, list(thread.posts), utcnow())
    db.session.commit()
    login_as(world["reviewer"])
    response = client.get(urls(world)["own report"])
    page = text(response)
    body = response.get_data(as_text=True)
    assert "Lina Learner: progress report" in page
    assert "Home Reports Spring 2027: Ärzte & co Lina Learner" in page  # breadcrumbs
    assert f'/cohorts/{cohort.id}/threads/{theirs.id}?post=' in body
    assert post_path(cohort.id, mine.id, mine.posts[0].id) in body
    assert "Replied in “Pat says hello”" in page and "Started “Lina says hello”" in page
    assert "Completed “Introduce yourself”" in page
    assert "Read 1 peer’s post in “Introduce yourself”" in page and "Read 2" not in page
    assert "Participation level: Interactor" in page  # stage 1
    assert "Participation level: Observer" in page  # stage 2, open now, nothing done there
    # Stages 3 to 5 are locked for Lina: no level where she couldn't take part yet.
    assert page.count("Participation level:") == 2 and page.count("Not open yet.") == 3
    assert "<time" in body
    login_as(learner)
    own = text(client.get(urls(world)["own report"]))
    assert "Your progress report" in own and "Your posts" in own
    assert "Home Spring 2027: Ärzte & co Your progress report" in own


def test_the_timeline_gives_each_entry_its_date_with_how_long_ago(world, client, login_as):
    """"1 week ago" on every line says little: each entry shows its moment too, as a <time>
    the reader's browser shows on their own calendar (a UTC day was a day off for some)."""
    cohort, learner = world["cohort"], world["learner"]
    days = [utcnow() - timedelta(days=n, hours=1) for n in (8, 10)]
    start(cohort, learner, "introduce-yourself", at=days[0])
    start(cohort, learner, "time-and-help", at=days[1])
    db.session.commit()
    login_as(learner)
    body = client.get(urls(world)["own report"]).get_data(as_text=True)
    timeline = body[body.index('id="timeline"'):]
    entries = re.findall(r'<li class="event[^"]*">(.*?)</time>\)', timeline, re.S)
    assert entries and all(entry.endswith("1 week ago") for entry in entries)
    moments = {re.search(r'data-kind="absolute">([^<]*)</time>', entry).group(1)
               for entry in entries}
    assert moments == {exact_time(d) for d in days}


def test_etivity_report_figures_on_a_known_dataset(world, client, login_as, factory):
    cohort, a, b = world["cohort"], world["learner"], world["peer"]
    c = factory.learner_in(cohort, name="Cal Third")
    t0 = utcnow() - timedelta(days=1)
    t1 = start(cohort, a, "introduce-yourself", at=t0, title="A's hello")
    t2 = start(cohort, b, "introduce-yourself", at=t0, title="B's hello")
    lonely = start(cohort, c, "introduce-yourself", at=t0, title="C's lonely hello")
    b_reply = discussions.reply(t1, b, "Hi A", t0 + timedelta(hours=2))
    discussions.reply(t1, c, "Hi A from C", t0 + timedelta(hours=3))
    discussions.reply(t1, a, "Thanks B", t0 + timedelta(hours=4), parent=b_reply)
    discussions.reply(t2, c, "Hi B", t0 + timedelta(hours=4))
    discussions.reply(lonely, c, "Anyone?", t0 + timedelta(hours=5))  # to themself
    db.session.commit()
    login_as(world["facilitator"])
    response = client.get(urls(world)["etivity"])
    page = text(response)
    for figure in ("Participants 3 of 3", "Completed 3 of 3", "Conversations 3", "Posts 8",
                   "Replies 5", "Distinct reply pairs 4", "Median time to a first reply 3 hours"):
        assert figure in page, figure
    body = response.get_data(as_text=True)
    assert f'href="/cohorts/{cohort.id}/threads/{lonely.id}"' in body
    unanswered = page[page.index("Conversations nobody has answered"):]
    assert "C's lonely hello" in unanswered and "A's hello" not in unanswered


def test_durations_in_words():
    words = report_views.in_words
    assert words(None) == ""
    assert words(timedelta(seconds=20)) == "under a minute"
    assert words(timedelta(minutes=1)) == "1 minute"
    assert words(timedelta(minutes=40)) == "40 minutes"
    assert words(timedelta(hours=3)) == "3 hours"
    assert words(timedelta(hours=30)) == "30 hours"
    assert words(timedelta(days=3)) == "3 days"


def test_the_reports_list_and_a_comparison_page_through_many_cohorts(client, factory, login_as,
                                                                     monkeypatch):
    """Each cohort's figures come from its whole dashboard: a page of cohorts at a time, so
    both pages cost the same with 3 cohorts as with 5."""
    from database import statements_sent

    monkeypatch.setattr(report_views, "COHORTS_PER_PAGE", 2)
    admin, course = factory.user(Role.ADMIN), factory.course()
    for n in range(3):
        factory.learner_in(factory.cohort(course=course, name=f"Cohort {n}"))
    db.session.commit()
    login_as(admin)
    compare = f"/reports/courses/{course.slug}/compare"

    def page(path, **query):
        client.get(path, query_string=query)
        with statements_sent() as sent:
            response = client.get(path, query_string=query)
        assert response.status_code == 200
        return text(response), len(sent)

    costs = {}
    for path in ("/reports/", compare):
        first, costs[path] = page(path)
        assert "Cohort 2" in first and "Cohort 1" in first and "Cohort 0" not in first, path
        assert "3 cohorts" in first and "showing 1–2." in first, path
        second, _ = page(path, page=2)
        assert "Cohort 0" in second and "Cohort 2" not in second, path
    for n in range(3, 5):
        factory.learner_in(factory.cohort(course=course, name=f"Cohort {n}"))
    db.session.commit()
    assert {path: page(path)[1] for path in costs} == costs


def test_an_etivity_reports_unanswered_conversations_come_a_page_at_a_time(
        client, factory, login_as, monkeypatch):
    monkeypatch.setattr(report_views, "UNANSWERED_PER_PAGE", 2)
    cohort = factory.cohort()
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    for n in range(3):
        start(cohort, factory.learner_in(cohort), "introduce-yourself", title=f"Alone {n}",
              at=utcnow() - timedelta(hours=5 - n))
    db.session.commit()
    login_as(facilitator)
    path = f"/reports/cohorts/{cohort.id}/e/introduce-yourself"
    first = text(client.get(path))
    assert "Alone 0" in first and "Alone 1" in first and "Alone 2" not in first
    assert "3 conversations, oldest first; showing 1–2." in first
    assert f'href="{path}?page=2#unanswered"' in client.get(path).get_data(as_text=True)
    second = text(client.get(path, query_string={"page": 2}))
    assert "Alone 2" in second and "Alone 0" not in second
    assert "Conversations 3 Posts 3" in second  # the figures count them all, on any page


def test_a_busy_learners_report_shows_their_newest_posts_and_pages_the_timeline(
        client, factory, login_as, monkeypatch):
    monkeypatch.setattr(report_views, "POSTS_SHOWN", 2)
    monkeypatch.setattr(report_views, "TIMELINE_PER_PAGE", 3)
    cohort = factory.cohort()
    busy = factory.learner_in(cohort, name="Busy Bea")
    for n in range(4):
        start(cohort, busy, "introduce-yourself", title=f"Piece {n}",
              at=utcnow() - timedelta(hours=10 - n))
    db.session.commit()
    login_as(busy)
    path = f"/reports/cohorts/{cohort.id}/learners/{busy.id}"
    first = client.get(path)
    page = text(first)
    posts = page[page.index("Your posts"):page.index("Timeline")]
    assert "Piece 3" in posts and "Piece 2" in posts and "Piece 1" not in posts
    assert "The newest 2 of 4 posts; every one is in the timeline ." in posts
    timeline = page[page.index("Timeline"):]
    assert [f"Started “Piece {n}”" in timeline for n in range(4)] == [False, True, True, True]
    assert f'href="{path}?page=2#timeline"' in first.get_data(as_text=True)
    older = text(client.get(path, query_string={"page": 2}))
    assert "Started “Piece 0”" in older[older.index("Timeline"):]
