"""Weaving, overrides, nudges, the reading view and the audit log, through the web."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.discussions import reading as discussion_reading
from course_app.discussions import services as discussions
from course_app.discussions.models import Thread, ThreadKind
from course_app.discussions.weaves import Citation
from course_app.extensions import db
from course_app.facilitate import audit, nudges, reading
from course_app.facilitate.messages import TEMPLATES
from course_app.facilitate.models import AuditAction, AuditEntry
from course_app.notifications.models import Notification
from course_app.progress.models import Override
from course_app.progress.overrides import open_early
from course_app.progress.standing import learner_progress
from learner_journey import finish_stage_1


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def etivity(cohort, slug="introduce-yourself"):
    return next(e for e in cohort.course.etivities if e.slug == slug)


def start(cohort, author, title, body="Hi all.", slug="introduce-yourself"):
    thread = discussions.start_thread(cohort, etivity(cohort, slug), author, title, body, utcnow())
    db.session.commit()
    return thread


def field_error(response, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


def audits(cohort, action=None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.cohort_id == cohort.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query.order_by(AuditEntry.id)).all()


def section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


@pytest.fixture
def setting(factory):
    facilitator = factory.user(Role.FACILITATOR, name="Farah Facilitator")
    cohort = factory.cohort(facilitator=facilitator)
    ana = factory.learner_in(cohort, name="Ana Okafor")
    ben = factory.learner_in(cohort, name="Ben Marsh")
    return cohort, facilitator, ana, ben


# ---- weaving ------------------------------------------------------------------------

def weave_url(cohort, slug="introduce-yourself"):
    return f"/facilitate/cohorts/{cohort.id}/e/{slug}/weave"


def test_weave_page_lists_the_etivitys_visible_posts(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    a = start(cohort, ana, "Ana's piece", "Listening first, " + "then talking. " * 20)
    b = start(cohort, ben, "Ben's piece", "Ben thinks **tone** matters.")
    hidden = discussions.reply(b, ana, "A reply that gets hidden.", utcnow())
    hidden.hidden_at, hidden.hidden_reason = utcnow(), "No"
    start(cohort, ben, "Elsewhere", "From another e-tivity", slug="time-and-help")
    db.session.commit()
    login_as(facilitator)
    response = client.get(weave_url(cohort))
    assert response.status_code == 200
    page = text(response)
    assert "<title>Weave a summary · Introduce yourself" in page
    assert '<label for="title">Title</label>' in page
    assert '<label for="body">Your summary</label>' in page
    for post in (a.posts[0], b.posts[0]):
        assert f'id="cite_{post.id}"' in page and f'id="quote_{post.id}"' in page
        assert f"#post-{post.id}" in page
    assert f'id="cite_{hidden.id}"' not in page
    assert "From another e-tivity" not in page
    assert "Ben thinks tone matters." in page  # an excerpt, without the Markdown
    excerpt = re.search(r'<p class="excerpt">(.*?)<a', page, re.S).group(1).strip()
    assert excerpt.endswith("…") and len(excerpt) <= 151


def test_weave_page_with_no_posts_says_what_comes_next(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    login_as(facilitator)
    page = text(client.get(weave_url(cohort)))
    assert "Nothing to weave yet" in page and "Publish the summary" not in page


def test_weave_needs_a_post_and_keeps_what_was_typed(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    a = start(cohort, ana, "Ana's piece")
    login_as(facilitator)
    response = client.post(weave_url(cohort), data={"title": "What we heard",
                                                     "body": "My summary text"})
    assert response.status_code == 400
    page = text(response)
    assert "Choose at least one post to cite." in page
    assert 'value="What we heard"' in page and "My summary text</textarea>" in page
    response = client.post(weave_url(cohort), data={"title": "", "body": "x",
                                                     f"cite_{a.posts[0].id}": "y"})
    assert response.status_code == 400
    assert field_error(response, "title") == "Give the summary a title."
    assert db.session.scalar(select(func.count(Citation.id))) == 0
    assert audits(cohort) == []


def test_weave_citing_two_posts_sits_on_top_of_the_etivity(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    a = start(cohort, ana, "Ana's piece", "Listen before you speak, always.")
    start(cohort, ben, "Ben's piece", "Tone matters more than speed.")
    long_thread = start(cohort, ben, "Long one", "Opening")
    for n in range(discussion_reading.POSTS_PER_PAGE + 2):
        discussions.reply(long_thread, ana if n % 2 else ben, f"Reply number {n}", utcnow())
    db.session.commit()
    late = long_thread.posts[-1]
    login_as(facilitator)
    response = client.post(weave_url(cohort), data={
        "title": "What we heard this week", "body": "Two ideas *keep* coming back.",
        f"cite_{a.posts[0].id}": "y", f"quote_{a.posts[0].id}": "Listen before you speak",
        f"cite_{late.id}": "y",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{cohort.id}/e/introduce-yourself#weaves"
    weave = db.session.scalar(select(Thread).where(Thread.kind == ThreadKind.WEAVE))
    assert weave.title == "What we heard this week"
    [entry] = audits(cohort, "weave")
    assert entry.intervention

    login_as(ben)
    page = text(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"))
    weaves = section(page, 'id="weaves"', "</section>")
    assert page.index('id="weaves"') < page.index('id="threads"')
    assert page.index('id="weaves"') < page.index("Why this matters")
    assert "What we heard this week" in weaves
    assert "Two ideas <em>keep</em> coming back." in weaves
    assert "Facilitator" in weaves
    assert "“Listen before you speak”" in weaves and "— Ana Okafor" in weaves
    assert f'href="/cohorts/{cohort.id}/threads/{a.id}?page=1#post-{a.posts[0].id}"' in weaves
    # The cited reply sits on page 2 of its thread: the link lands there.
    assert f'href="/cohorts/{cohort.id}/threads/{long_thread.id}?page=2#post-{late.id}"' in weaves
    # The quote defaults to the post.
    assert f"“Reply number {discussion_reading.POSTS_PER_PAGE + 1}”" in weaves
    # Not a conversation piece: not in the list, no unread count of its own.
    pieces = section(page, 'id="threads"', "</section>")
    assert "What we heard this week" not in pieces
    assert [s.thread.title
            for s in discussion_reading.summaries(list(db.session.scalars(
                discussion_reading.pieces(cohort, etivity(cohort)))), ben)
            ] == ["Long one", "Ben's piece", "Ana's piece"]
    # Its own thread page lists the citations under the summary.
    response = client.get(f"/cohorts/{cohort.id}/threads/{weave.id}")
    if response.status_code == 302:
        response = client.get(response.headers["Location"])
    page = text(response)
    assert "Drawn from 2 posts" in page and "— Ana Okafor" in page


def test_the_posts_to_cite_come_a_page_at_a_time_and_keep_what_was_ticked(
        client, login_as, setting):
    """A busy e-tivity's posts come 20 to a page. The pages' buttons send the form, so the
    title, the summary and each post ticked (with its quote) come along, listed above the
    page as ticked on other pages; Publish cites them all, in conversation order."""
    from course_app.facilitate import weaving

    cohort, facilitator, ana, ben = setting
    thread = start(cohort, ana, "Busy one", "Where it started: reply number 00")
    for n in range(1, weaving.CANDIDATES_PER_PAGE + 5):
        discussions.reply(thread, ben if n % 2 else ana, f"Reply number {n:02d}", utcnow())
    db.session.commit()
    first, late = thread.posts[0], thread.posts[-1]
    login_as(facilitator)
    page = text(client.get(weave_url(cohort)))
    assert page.count('class="cite-post"') == weaving.CANDIDATES_PER_PAGE
    assert "There are 25 posts" in page and "20 on each page" in page
    assert "Page 1 of 2." in page and 'name="go" value="2"' in page
    assert page.index("Publish the summary") < page.index('name="go"')  # Enter publishes
    assert f'id="cite_{late.id}"' not in page

    typed = {"title": "What we heard", "body": "Two threads of thought.",
             f"cite_{first.id}": "y", f"quote_{first.id}": "Where it started"}
    response = client.post(weave_url(cohort), data={**typed, "go": "2"})
    assert response.status_code == 200  # no errors: nothing was published
    page = text(response)
    assert "Page 2 of 2." in page and 'value="What we heard"' in page
    assert "Two threads of thought.</textarea>" in page
    chosen = section(page, 'id="cite-chosen"', "</section>")
    assert "Ticked on other pages (1)" in page and "in “Busy one”" in chosen
    box = re.search(rf'<input[^>]*id="cite_{first.id}"[^>]*>', chosen).group(0)
    assert "checked" in box
    assert 'value="Where it started"' in chosen
    assert f'id="cite_{late.id}"' in page and page.count('class="cite-post"') == 6
    assert db.session.scalar(select(func.count(Citation.id))) == 0

    assert f'action="{weave_url(cohort)}?page=2"' in page  # a refused Publish stays here
    refused = text(client.post(weave_url(cohort) + "?page=2", data={**typed, "title": ""}))
    assert "Give the summary a title." in refused and "Page 2 of 2." in refused
    assert "Ticked on other pages (1)" in refused
    # Back to page 1: the ticked post is in its place, not repeated above.
    back = text(client.post(weave_url(cohort), data={**typed, "go": "1",
                                                    f"cite_{late.id}": "y"}))
    assert "Ticked on other pages (1)" in back and back.count(f'id="cite_{first.id}"') == 1
    # Publish from page 2: both cited, oldest first, the quote as typed.
    done = client.post(weave_url(cohort), data={**typed, f"cite_{late.id}": "y"})
    assert done.status_code == 302
    weave = db.session.scalar(select(Thread).where(Thread.kind == ThreadKind.WEAVE))
    citations = db.session.scalars(select(Citation).where(
        Citation.weave_post_id == weave.posts[0].id).order_by(Citation.id)).all()
    assert [(c.cited_post_id, c.quote) for c in citations] == [
        (first.id, "Where it started"), (late.id, "Reply number 24")]


def test_the_weave_forms_page_buttons_and_ticks_refuse_nonsense(client, login_as, setting,
                                                                 monkeypatch):
    """Odd page numbers show the first or last page, a page no list has is a 404, ticks of
    posts that can't be cited are dropped, and a weave cites at most MOST_CITED posts."""
    from course_app.facilitate import weaving

    cohort, facilitator, ana, ben = setting
    posts = [start(cohort, ana, f"Piece {n}").posts[0] for n in range(3)]
    login_as(facilitator)
    for go in ("", "x", "-4", "0", "99"):  # the first page, or the last
        response = client.post(weave_url(cohort), data={"go": go, "title": "Kept"})
        assert response.status_code == 200 and 'value="Kept"' in text(response), go
    assert client.post(weave_url(cohort), data={"go": str(10**20)}).status_code == 404
    # Ticks of no post, or of posts from elsewhere, are not listed, and cite nothing.
    other = start(cohort, ben, "Elsewhere", slug="time-and-help").posts[0]
    odd = {"cite_abc": "y", f"cite_{10**20}": "y", "cite_-3": "y", f"cite_{other.id}": "y"}
    page = text(client.post(weave_url(cohort), data={**odd, "go": "1"}))
    assert "Ticked on other pages" not in page and f'id="cite_{other.id}"' not in page
    response = client.post(weave_url(cohort), data={**odd, "title": "T", "body": "B"})
    assert response.status_code == 400 and "Choose at least one post to cite." in text(response)
    # A weave cites a few posts, not a thousand.
    monkeypatch.setattr(weaving, "MOST_CITED", 2)
    response = client.post(weave_url(cohort), data={"title": "T", "body": "B", **{
        f"cite_{post.id}": "y" for post in posts}})
    assert response.status_code == 400 and "Cite at most 2 posts" in text(response)
    assert db.session.scalar(select(func.count(Citation.id))) == 0


def test_a_weaves_quote_must_be_words_from_the_cited_post(client, login_as, setting):
    """A quote shown in quotation marks under a learner's name is their words: anything else
    is refused beside its field, with what was typed kept. The words are compared as readers
    see them (no Markdown), whatever the case, spacing or kind of quote marks."""
    cohort, facilitator, ana, ben = setting
    a = start(cohort, ana, "Ana's piece",
              "Hi all, I'm Ana. I care about **plain**   language\nand \"short\" sentences.")
    b = start(cohort, ben, "Ben's piece", "Tone matters more than speed.")
    pa, pb = a.posts[0], b.posts[0]
    login_as(facilitator)
    made_up = "this sentence is not in the post at all"
    response = client.post(weave_url(cohort), data={
        "title": "What we heard", "body": "Two ideas.", f"cite_{pa.id}": "y",
        f"quote_{pa.id}": made_up, f"cite_{pb.id}": "y", f"quote_{pb.id}": "Tone matters"})
    assert response.status_code == 400
    assert field_error(response, f"quote_{pa.id}") == (
        "That quote isn't in Ana Okafor's post: copy the words from it, or leave it empty to "
        "use its opening.")
    page = text(response)
    assert f'value="{made_up}"' in page and 'value="What we heard"' in page
    assert db.session.scalar(select(func.count(Citation.id))) == 0
    assert audits(cohort) == []
    # The Markdown behind the words, or its own quote marks, don't count as words of it.
    response = client.post(weave_url(cohort), data={
        "title": "T", "body": "B", f"cite_{pa.id}": "y", f"quote_{pa.id}": "**plain**"})
    assert response.status_code == 400 and field_error(response, f"quote_{pa.id}")

    loosely = "“I’M ANA. i care about plain language and “short” sentences”"
    response = client.post(weave_url(cohort), data={
        "title": "What we heard", "body": "Two ideas.", f"cite_{pa.id}": "y",
        f"quote_{pa.id}": loosely, f"cite_{pb.id}": "y", f"quote_{pb.id}": " tone   MATTERS "})
    assert response.status_code == 302
    quotes = db.session.scalars(select(Citation.quote).order_by(Citation.id)).all()
    assert quotes == [loosely, "tone MATTERS"]


def test_a_quote_for_a_post_not_ticked_is_refused_not_dropped(client, login_as, setting):
    """A quote typed for a post whose box isn't ticked would be lost without a word: the
    weave is refused beside that quote, what was typed is kept, nothing is stored. A quote
    of only spaces is no quote."""
    cohort, facilitator, ana, ben = setting
    pa = start(cohort, ana, "Ana's piece", "Listen before you speak.").posts[0]
    pb = start(cohort, ben, "Ben's piece", "Tone matters more than speed.").posts[0]
    login_as(facilitator)
    typed = {"title": "What we heard", "body": "Two ideas.", f"cite_{pa.id}": "y",
             f"quote_{pb.id}": "Tone matters"}
    response = client.post(weave_url(cohort), data=typed)
    assert response.status_code == 400
    message = ("You wrote a quote for Ben Marsh's post: tick “Cite this post” to cite it, or "
               "clear the quote.")
    assert field_error(response, f"quote_{pb.id}") == message
    page = text(response)
    assert f'<a href="#quote_{pb.id}">{message}</a>' in section(page, "There is a problem",
                                                                 "</ul>")
    assert 'value="Tone matters"' in page and 'value="What we heard"' in page
    assert "checked" in re.search(rf'<input[^>]*id="cite_{pa.id}"[^>]*>', page).group(0)
    assert db.session.scalar(select(func.count(Citation.id))) == 0
    assert audits(cohort) == []
    response = client.post(weave_url(cohort), data={**typed, f"quote_{pb.id}": "   "})
    assert response.status_code == 302
    assert db.session.scalars(select(Citation.cited_post_id)).all() == [pa.id]


def test_a_quote_for_a_post_not_ticked_travels_from_page_to_page(client, login_as, setting):
    """The pages' buttons carry a quote typed for a post left unticked, like a ticked one:
    it is listed above the next page with its quote, and Publish there refuses it."""
    from course_app.facilitate import weaving

    cohort, facilitator, ana, ben = setting
    thread = start(cohort, ana, "Busy one", "Where it started: reply number 00")
    for n in range(1, weaving.CANDIDATES_PER_PAGE + 5):
        discussions.reply(thread, ben if n % 2 else ana, f"Reply number {n:02d}", utcnow())
    db.session.commit()
    first, second, late = thread.posts[0], thread.posts[1], thread.posts[-1]
    login_as(facilitator)
    typed = {"title": "What we heard", "body": "Two threads of thought.",
             f"cite_{second.id}": "y", f"quote_{first.id}": "Where it started"}
    page = text(client.post(weave_url(cohort), data={**typed, "go": "2"}))
    assert "Page 2 of 2." in page
    chosen = section(page, 'id="cite-chosen"', "</section>")
    assert "Ticked or quoted on other pages (2)" in page
    assert 'value="Where it started"' in chosen
    box = re.search(rf'<input[^>]*id="cite_{first.id}"[^>]*>', chosen).group(0)
    assert "checked" not in box
    response = client.post(weave_url(cohort) + "?page=2",
                           data={**typed, f"cite_{late.id}": "y"})
    assert response.status_code == 400
    assert field_error(response, f"quote_{first.id}").startswith(
        "You wrote a quote for Ana Okafor's post")
    assert "Page 2 of 2." in text(response)
    assert db.session.scalar(select(func.count(Citation.id))) == 0
    # Cleared, it is neither carried nor refused.
    page = text(client.post(weave_url(cohort), data={
        **typed, f"quote_{first.id}": "", "go": "2"}))
    assert "Ticked on other pages (1)" in page and f'id="cite_{first.id}"' not in page


def test_a_weave_quotes_the_opening_of_a_post_in_plain_words(client, login_as, setting):
    """Left empty, a quote is the post's opening as readers see it: no Markdown, cut at a
    word to a short line."""
    from course_app.discussions.weaves import OPENING

    cohort, facilitator, ana, ben = setting
    body = ("Hi all, I'm Nora. I work in **housing** comms. " + "I like *short* words. " * 20)
    a = start(cohort, ana, "Nora's piece", body)
    login_as(facilitator)
    response = client.post(weave_url(cohort), data={"title": "Sum", "body": "Up",
                                                     f"cite_{a.posts[0].id}": "y"})
    assert response.status_code == 302
    quote = db.session.scalar(select(Citation.quote))
    assert quote.startswith("Hi all, I'm Nora. I work in housing comms. I like short words.")
    assert "*" not in quote and quote.endswith("…") and len(quote) <= OPENING <= 150
    login_as(ben)
    weaves = section(text(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself")),
                     'id="weaves"', "</section>")
    assert f"“{quote}”" in weaves and "**" not in weaves


def test_hidden_cited_post_is_not_quoted(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    a = start(cohort, ana, "Ana's piece", "Secret words")
    login_as(facilitator)
    client.post(weave_url(cohort), data={"title": "Sum", "body": "Up",
                                         f"cite_{a.posts[0].id}": "y"})
    client.post(f"/facilitate/cohorts/{cohort.id}/posts/{a.posts[0].id}/hide",
                data={"reason": "Private"})
    login_as(ben)
    weaves = section(text(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself")),
                     'id="weaves"', "</section>")
    assert "Secret words" not in weaves and "That post is no longer shown." in weaves


# ---- overrides ------------------------------------------------------------------------

def overrides_url(cohort, **query):
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/facilitate/cohorts/{cohort.id}/overrides" + (f"?{tail}" if tail else "")


def map_step(page: str, number: int) -> str:
    return section(page, f'id="step-{number}"', f'id="step-{number + 1}"')


def test_overrides_page_preselects_a_learner_and_has_empty_states(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    login_as(facilitator)
    response = client.get(overrides_url(cohort, learner=ben.id))
    assert response.status_code == 200
    page = text(response)
    assert "<title>Open early, mark complete" in page
    assert re.search(rf'<option selected value="{ben.id}">Ben Marsh</option>', page)
    assert '<label for="stage-stage">Stage</label>' in page
    assert '<label for="complete-etivity">E-tivity</label>' in page
    assert ">Stage 1:" not in section(page, 'id="stage-stage"', "</select>")
    assert "Nothing opened early" in page and "Nothing marked complete by hand" in page


def test_open_stage_2_early_for_one_learner(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    login_as(facilitator)
    response = client.post(overrides_url(cohort), data={
        "which": "stage", "stage-stage": "2", "stage-learner": str(ana.id)})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Stage 2 is open for Ana Okafor now." in page
    opened = section(page, "Opened early", "Marked complete by hand")
    assert "Ana Okafor" in opened and "Stage 2" in opened and "Farah Facilitator" in opened
    [entry] = audits(cohort, "open-early")
    assert entry.summary == "Opened stage 2 early for Ana Okafor"

    today = utcnow().date()
    assert learner_progress(cohort, ana.id, today).stages[2].open
    assert not learner_progress(cohort, ben.id, today).stages[2].open
    login_as(ana)
    step = map_step(text(client.get(f"/cohorts/{cohort.id}")), 2)
    assert "Locked" not in step and "Open" in step
    login_as(ben)
    step = map_step(text(client.get(f"/cohorts/{cohort.id}")), 2)
    assert "Locked: opens when you finish stage 1" in step

    login_as(facilitator)  # again: refused beside the field, nothing logged twice
    response = client.post(overrides_url(cohort), data={
        "which": "stage", "stage-stage": "2", "stage-learner": str(ana.id)})
    assert response.status_code == 400
    assert field_error(response, "stage-stage") == "Stage 2 is already open for Ana Okafor."
    assert len(audits(cohort, "open-early")) == 1


def test_open_for_everyone_asks_first(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    login_as(facilitator)
    data = {"which": "etivity", "etivity-etivity": str(etivity(cohort, "something-of-your-own").id),
            "etivity-learner": "everyone"}
    response = client.post(overrides_url(cohort), data=data)
    assert response.status_code == 200
    page = text(response)
    assert "Open “" in page and "early for everyone?" in page
    assert 'name="etivity-confirm" value="yes"' in page
    assert db.session.scalar(select(func.count(Override.id))) == 0
    response = client.post(overrides_url(cohort), data={**data, "etivity-confirm": "yes"})
    assert response.status_code == 302
    assert db.session.scalar(select(Override.user_id)) is None


def test_choose_a_learner_is_explained_beside_the_field(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    login_as(facilitator)
    response = client.post(overrides_url(cohort), data={
        "which": "complete", "complete-learner": "", "complete-etivity": ""})
    assert response.status_code == 400
    assert field_error(response, "complete-learner") == "Choose a learner."
    assert field_error(response, "complete-etivity") == "Choose an e-tivity."


def test_changes_so_far_show_the_newest_and_all_a_page_at_a_time(client, login_as, setting,
                                                                  factory, monkeypatch):
    """A long course collects many changes by hand: the overrides page shows the newest of
    each kind, and "See all" pages through them, each page costing the same queries."""
    from course_app.facilitate.views import overrides as views
    from course_app.progress.overrides import mark_complete_by_hand
    from database import counted_get

    monkeypatch.setattr(views, "CHANGES_SHOWN", 2)
    monkeypatch.setattr(views, "CHANGES_PER_PAGE", 3)
    cohort, facilitator, ana, ben = setting
    etivities = [e for e in cohort.course.etivities if e.stage_number == 1]
    start = utcnow() - timedelta(days=30)

    def change(learners, hours: int) -> None:
        for n, learner in enumerate(learners):
            at = start + timedelta(hours=hours + n)
            open_early(cohort, facilitator.id, at, stage_number=2, user_id=learner.id)
            mark_complete_by_hand(cohort, learner.id, etivities[0].id, facilitator.id, at)
        db.session.commit()

    def learners(*names):
        return [factory.learner_in(cohort, name=name) for name in names]

    change(learners("Early Ed", "Middle Mo", "Late Lu", "Last Li"), 0)
    login_as(facilitator)
    page = text(client.get(overrides_url(cohort)))
    opened = section(page, "<h3>Opened early</h3>", "<h3>")
    assert "Last Li" in opened and "Late Lu" in opened and "Middle Mo" not in opened
    assert "See all 4 opened early</a> (the most recent are above)" in opened
    by_hand = page.split("<h3>Marked complete by hand</h3>")[1]
    assert "Last Li" in by_hand and "Middle Mo" not in by_hand
    assert "See all 4 marked complete by hand" in by_hand

    def all_page(which, **query):
        response, cost = counted_get(client, f"/facilitate/cohorts/{cohort.id}/overrides/"
                                             f"{which}", **query)
        assert response.status_code == 200
        return text(response), cost

    costs = {}
    for which in ("opened", "by-hand"):
        first, costs[which] = all_page(which)
        assert "4 changes, the newest first; showing 1–3." in first, which
        assert first.index("Last Li") < first.index("Late Lu") < first.index("Middle Mo")
        assert "Early Ed" not in first
        second, _ = all_page(which, page=2)
        assert "Early Ed" in second and "Middle Mo" not in second
    change(learners("Later Ky", "Latest Jo", "Newest Al"), 10)
    assert {which: all_page(which)[1] for which in costs} == costs


def test_the_pages_of_all_changes_say_what_to_do_when_there_are_none(client, login_as,
                                                                     setting):
    cohort, facilitator, ana, ben = setting
    login_as(facilitator)
    base = f"/facilitate/cohorts/{cohort.id}/overrides"
    page = text(client.get(f"{base}/opened"))
    assert "<h1>Opened early in " in page and "Nothing opened early" in page
    assert f'href="{base}"' in page
    page = text(client.get(f"{base}/by-hand"))
    assert "Nothing marked complete by hand" in page and "See all" not in page
    assert client.get(f"{base}/everything").status_code == 404


def test_mark_complete_by_hand_shows_on_the_learners_map(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    e = etivity(cohort, "time-and-help")
    login_as(facilitator)
    data = {"which": "complete", "complete-learner": str(ben.id), "complete-etivity": str(e.id)}
    page = text(client.post(overrides_url(cohort), data=data))
    assert f"Mark “{e.title}” complete for Ben Marsh?" in page and "can't be undone" in page
    response = client.post(overrides_url(cohort), data={**data, "complete-confirm": "yes"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    by_hand = page.split("Marked complete by hand")[-1]
    assert "Ben Marsh" in by_hand and e.title in by_hand and "Farah Facilitator" in by_hand
    assert audits(cohort, "complete-by-hand")[0].target == f"user {ben.id}"

    login_as(ben)
    page = text(client.get(f"/cohorts/{cohort.id}"))
    assert "Complete (marked complete by your facilitator)" in page
    progress = text(client.get(f"/cohorts/{cohort.id}/progress"))
    assert "(marked complete by your facilitator)" in progress


# ---- nudges ---------------------------------------------------------------------------

def nudge_url(cohort, **query):
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/facilitate/cohorts/{cohort.id}/nudge" + (f"?{tail}" if tail else "")


@pytest.fixture
def stage_2_observers(factory, setting):
    """Ana and Ben are in stage 2; Cara only reads there, Dev replies there; Eve only read
    in stage 1."""
    cohort, facilitator, ana, ben = setting
    cara, dev, eve = (factory.learner_in(cohort, name=n) for n in ("Cara", "Dev", "Eve"))
    at = utcnow() - timedelta(hours=2)
    finish_stage_1(cohort, ana, ben, at)
    finish_stage_1(cohort, cara, dev, at)
    finish_stage_1(cohort, dev, cara, at)
    shared = start(cohort, ana, "Ana shares", slug="something-of-your-own")
    discussions.mark_shown(shared, cara, shared.posts, utcnow())
    discussions.reply(shared, dev, "Nice one", utcnow())
    intro = start(cohort, ben, "Ben again")
    discussions.mark_shown(intro, eve, intro.posts, utcnow())
    db.session.commit()
    return cohort, facilitator, {u.name: u for u in (ana, ben, cara, dev, eve)}


def test_nudge_preview_lists_exactly_the_stage_2_observers(client, login_as, stage_2_observers):
    cohort, facilitator, people = stage_2_observers
    login_as(facilitator)
    page = text(client.get(nudge_url(cohort)))
    assert "<title>Nudge learners" in page and "Preview recipients" in page
    assert "Send to" not in page  # nothing to send before a preview
    response = client.get(nudge_url(cohort, who="group:observers", stage=2))
    assert response.status_code == 200
    page = text(response)
    names = re.findall(r"<li>(.*?)</li>", section(page, 'class="recipients"', "</ul>"))
    expected = [u.name for u in nudges.learners_in_group(cohort, "observers", utcnow(), 2)]
    assert names == expected == ["Cara"]
    assert "Send to Cara" in page
    assert "{name}" in page and "{cohort}" in page  # the placeholders are explained
    assert f'name="recipients" type="hidden" value="{people["Cara"].id}"' in page


def test_a_long_list_of_recipients_folds_away_with_every_name_in_it(client, factory, login_as,
                                                                    cohort, facilitator):
    for n in range(12):
        factory.learner_in(cohort, name=f"Learner {n:02}")
    db.session.commit()
    login_as(facilitator)
    twelve = client.get(nudge_url(cohort, who="group:all")).get_data(as_text=True)
    assert "recipients-all" not in twelve and twelve.count("<li>Learner ") == 12
    factory.learner_in(cohort, name="Learner 12")
    db.session.commit()
    page = client.get(nudge_url(cohort, who="group:all")).get_data(as_text=True)
    folded = section(page, 'class="recipients-all"', "</details>")
    assert "<summary>Show all 13 names</summary>" in folded
    assert re.findall(r"<li>(.*?)</li>", folded) == [f"Learner {n:02}" for n in range(13)]
    assert "Send to 13 learners" in page


def test_nudge_sends_to_the_previewed_learners_only(client, login_as, stage_2_observers):
    cohort, facilitator, people = stage_2_observers
    login_as(facilitator)
    before = db.session.scalar(select(func.count(Notification.id)))
    response = client.post(nudge_url(cohort), data={
        "who": "group:observers", "stage": "2", "recipients": str(people["Cara"].id),
        "text": "Hi {name}, could you reply to one post in {cohort}?"})
    assert response.status_code == 302
    assert "Sent to 1 learner." in text(client.get(response.headers["Location"]))
    new = db.session.scalars(select(Notification).order_by(Notification.id).offset(before)).all()
    assert [n.user_id for n in new] == [people["Cara"].id]
    assert new[0].text == (f"Farah Facilitator wrote to you: Hi Cara, could you reply to one "
                           f"post in {cohort.name}?")
    [entry] = audits(cohort, "nudge")
    assert entry.intervention and entry.detail["learners"] == [people["Cara"].id]
    assert "learners who have only read so far, in stage 2" in entry.summary


def test_a_nudge_with_a_placeholder_it_cant_fill_is_not_sent(client, login_as,
                                                            stage_2_observers):
    """{Name} or {unknown} would reach learners as typed: refused beside the message, which
    is kept, naming the placeholders it doesn't know and those it does."""
    cohort, facilitator, people = stage_2_observers
    login_as(facilitator)
    before = db.session.scalar(select(func.count(Notification.id)))
    typed = "Hi {name}, how is {Name} getting on in {cohort}? {unknown} {Name}"
    response = client.post(nudge_url(cohort), data={
        "who": "group:observers", "stage": "2", "recipients": str(people["Cara"].id),
        "text": typed})
    assert response.status_code == 400
    assert field_error(response, "text") == (
        "{Name} and {unknown} aren't placeholders a message can fill, so learners would see "
        "them as typed. The placeholders it knows are {name} (the learner's name) and "
        "{cohort} (the cohort's name).")
    assert f"{typed}</textarea>" in text(response)
    summary = section(text(response), "There is a problem", "</ul>")
    assert summary.count("<li>") == 1 and '<a href="#text">{Name} and {unknown}' in summary
    assert db.session.scalar(select(func.count(Notification.id))) == before
    assert audits(cohort, "nudge") == []


def test_nudge_to_a_group_that_changed_is_not_sent(client, login_as, stage_2_observers):
    cohort, facilitator, people = stage_2_observers
    login_as(facilitator)
    response = client.post(nudge_url(cohort), data={
        "who": "group:observers", "stage": "2",
        "recipients": f"{people['Cara'].id},{people['Eve'].id}", "text": "Hello"})
    assert response.status_code == 400
    page = text(response)
    assert "changed since you previewed it" in page and "Hello</textarea>" in page
    assert audits(cohort, "nudge") == []


def test_nudge_one_learner_from_a_link_and_a_template(client, login_as, stage_2_observers):
    cohort, facilitator, people = stage_2_observers
    dev = people["Dev"]
    login_as(facilitator)
    page = text(client.get(nudge_url(cohort, learner=dev.id, template=2)))
    assert re.search(rf'<option selected value="learner:{dev.id}">Dev</option>', page)
    assert "Send to Dev" in page
    textarea = section(page, 'id="text"', "</textarea>")
    assert TEMPLATES[1][1] in textarea
    response = client.post(nudge_url(cohort), data={
        "who": f"learner:{dev.id}", "recipients": str(dev.id), "text": "  "})
    assert response.status_code == 400
    assert field_error(response, "text") == "Write the message first."


def test_nudge_needs_a_stage_for_in_stage(client, login_as, stage_2_observers):
    """The stage's label says when it is needed, and a missing one is in the page's error
    summary, linked to the field, like every form's errors."""
    cohort, facilitator, people = stage_2_observers
    login_as(facilitator)
    response = client.get(nudge_url(cohort, who="group:in-stage"))
    assert response.status_code == 400
    message = "Choose a stage for “learners now in a stage”."
    assert field_error(response, "stage") == message
    page = text(response)
    assert re.search(r'<label for="stage">In stage \(needed for “Learners now in a stage”\)'
                     r'</label>', page)
    assert "(optional)" not in section(page, 'id="who-heading"', "</form>")
    summary = section(page, "There is a problem", "</ul>")
    assert f'<a href="#stage">{message}</a>' in summary
    assert page.index("There is a problem") < page.index('id="who-heading"')
    page = text(client.get(nudge_url(cohort, who="group:in-stage", stage=5)))
    assert "Nobody matches that choice right now" in page and "Send to" not in page


def test_nudge_emails_when_mail_is_configured(client, login_as, stage_2_observers):
    from course_app.jobs import queue
    from course_app.mail.models import MailboxMessage

    cohort, facilitator, people = stage_2_observers
    queue.huey.flush()  # the emails about the setting's own replies
    login_as(facilitator)
    response = client.post(nudge_url(cohort), data={
        "who": "group:observers", "stage": "2", "recipients": str(people["Cara"].id),
        "text": "Hi {name}"})
    assert response.status_code == 302
    assert queue.run_pending() == 1
    sent = db.session.scalars(select(MailboxMessage)).all()
    assert [m.to for m in sent] == [people["Cara"].email]
    assert "Hi Cara" in sent[0].text
    assert sent[0].subject == f"{facilitator.name} wrote to you ({cohort.name})"


# ---- the reading view -------------------------------------------------------------------

def test_reading_view_matches_the_query(client, login_as, setting, factory):
    cohort, facilitator, ana, ben = setting
    cara = factory.learner_in(cohort, name="Cara")
    e = etivity(cohort)
    login_as(facilitator)
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/e/{e.slug}/reading"))
    assert "Nobody has read a peer's post here yet" in page
    ta, tb = start(cohort, ana, "A", "from A"), start(cohort, ben, "B", "from B")
    discussions.reply(tb, ben, "more from B", utcnow())
    for thread in (ta, tb):
        discussions.mark_shown(thread, cara, thread.posts, utcnow())
    discussions.mark_shown(ta, ben, ta.posts, utcnow())
    db.session.commit()
    response = client.get(f"/facilitate/cohorts/{cohort.id}/e/{e.slug}/reading")
    assert response.status_code == 200
    page = text(response)
    assert "<title>Who has read whom · Introduce yourself" in page
    for row in reading.reading_view(cohort, e):
        cells = re.search(rf'<th scope="row">{row.user.name}</th>(.*?)</tr>', page, re.S).group(1)
        numbers = re.findall(r"<td>(\d+)", cells)
        assert numbers[:3] == [str(row.posts_read), str(len(row.peers)), str(row.counts.observe)]
        for peer, n in row.peers:
            assert f"{peer.name}: {n} post" in cells
    cara_row = re.search(r'<th scope="row">Cara</th>(.*?)</tr>', page, re.S).group(1)
    assert "<details>" in cara_row and "Ben Marsh: 2 posts" in cara_row


def test_reading_view_pages_through_a_large_cohort(client, login_as, setting, factory,
                                                   monkeypatch):
    from course_app.facilitate.views import reading as view

    monkeypatch.setattr(view, "READERS_PER_PAGE", 2)
    cohort, facilitator, _ana, _ben = setting  # Ana Okafor and Ben Marsh
    factory.learner_in(cohort, name="Cara")
    db.session.commit()
    login_as(facilitator)
    path = f"/facilitate/cohorts/{cohort.id}/e/{etivity(cohort).slug}/reading"
    first = text(client.get(path))
    assert "3 learners, by name; showing 1–2." in first
    assert '<th scope="row">Ana Okafor</th>' in first and "Cara</th>" not in first
    assert f'href="{path}?page=2"' in first
    second = text(client.get(path, query_string={"page": 2}))
    assert '<th scope="row">Cara</th>' in second and "Ana Okafor</th>" not in second


# ---- the audit log ----------------------------------------------------------------------

def test_audit_log_lists_filters_and_pages(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    a = start(cohort, ana, "Ana's piece")
    login_as(facilitator)
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/audit"))
    assert "Nothing here yet" in page
    client.post(f"/facilitate/cohorts/{cohort.id}/posts/{a.posts[0].id}/hide",
                data={"reason": "Spam"})
    client.post(f"/facilitate/cohorts/{cohort.id}/threads/{a.id}/flags", data={"locked": "1"})
    client.post(nudge_url(cohort), data={"who": f"learner:{ben.id}", "recipients": str(ben.id),
                                         "text": "Hi"})
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/audit"))
    rows = re.findall(r"<tr( class=\"is-intervention\")?>\s*<td><time", page)
    assert len(rows) == 3
    assert page.index("Nudged 1 learner: Ben Marsh") < page.index("Locked “Ana's piece”") \
        < page.index("Hid a post by Ana Okafor: Spam")
    assert "Farah Facilitator" in page and "Intervention" in page
    assert f'href="/cohorts/{cohort.id}/threads/{a.id}?page=1#post-{a.posts[0].id}"' in page
    assert ">Ana Okafor’s post in “Ana's piece”</a>" in page

    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/audit?action=hide"))
    assert "Hid a post" in page and "Locked “" not in page
    assert "Nudged" not in page.split("<table")[1]
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/audit?interventions=y"))
    table = page.split("<table")[1]
    assert "Nudged 1 learner" in table and "Hid a post" not in table
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/audit?action=hide&interventions=y"))
    assert "Nothing matches this filter." in page


def test_audit_log_pages_fifty_at_a_time_newest_first(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    start_at = utcnow() - timedelta(days=1)
    for n in range(audit.PER_PAGE + 5):
        audit.record(cohort, facilitator, AuditAction.KEY, f"Entry number {n:03d}",
                     start_at + timedelta(minutes=n))
    db.session.commit()
    login_as(facilitator)
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/audit"))
    assert "Entry number 054" in page and "Entry number 005" in page
    assert "Entry number 004" not in page
    assert page.index("Entry number 054") < page.index("Entry number 053")
    assert "Page 1 of 2" in page and "Older entries" in page
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/audit?page=2"))
    assert "Entry number 004" in page and "Entry number 000" in page
    assert "Entry number 005" not in page and "Newer entries" in page
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/audit?page=9"))
    assert "Page 2 of 2" in page and "Entry number 000" in page  # past the end: the last


def test_audit_log_page_links_keep_the_filters(client, login_as, setting):
    cohort, facilitator, ana, ben = setting
    start_at = utcnow() - timedelta(days=1)
    for n in range(2 * audit.PER_PAGE + 2):
        audit.record(cohort, facilitator, AuditAction.NUDGE if n % 2 else AuditAction.KEY,
                     f"Entry number {n:03d}", start_at + timedelta(minutes=n),
                     intervention=bool(n % 2))
    db.session.commit()
    login_as(facilitator)
    base = f"/facilitate/cohorts/{cohort.id}/audit"
    body = client.get(f"{base}?action=nudge&interventions=y").get_data(as_text=True)
    assert "Page 1 of 2" in body
    older = re.search(r'<a href="([^"]+)" rel="next">Older entries</a>', body).group(1)
    assert html.unescape(older) == f"{base}?page=2&action=nudge&interventions=y"
    page = text(client.get(html.unescape(older)))
    assert "Entry number 001" in page and "Entry number 000" not in page


def test_a_post_first_learner_sees_weaves_once_they_have_posted(client, login_as, setting):
    """A weave quotes peers' posts, so it waits, like the pieces, until they post their own."""
    cohort, facilitator, ana, ben = setting
    e = etivity(cohort, "letting-go")
    assert e.post_first
    for learner in (ana, ben):
        open_early(cohort, facilitator.id, utcnow(), stage_number=4, user_id=learner.id)
    a = start(cohort, ana, "Ana lets go", "Peers' words", slug="letting-go")
    login_as(facilitator)
    client.post(weave_url(cohort, "letting-go"), data={"title": "Where we are", "body": "So far",
                                                       f"cite_{a.posts[0].id}": "y"})
    login_as(ben)
    page = text(client.get(f"/cohorts/{cohort.id}/e/letting-go"))
    assert 'id="weaves"' not in page and "Where we are" not in page
    start(cohort, ben, "Ben lets go", slug="letting-go")
    page = text(client.get(f"/cohorts/{cohort.id}/e/letting-go"))
    assert "Where we are" in section(page, 'id="weaves"', "</section>")
