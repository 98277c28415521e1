"""E-tivity pages, threads and posts: what learners and facilitators see and can do."""

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.courses.models import Etivity
from course_app.discussions import reading, services
from course_app.discussions.models import Post, PostRead, Thread
from course_app.extensions import db
from course_app.progress.evidence import void_post
from course_app.progress.models import Completion
from course_app.progress.rules import Counts, EtivityState
from course_app.progress.standing import counts_for, learner_progress

# ---- helpers -----------------------------------------------------------------



def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def etivity(cohort, slug: str) -> Etivity:
    return db.session.scalar(
        select(Etivity).where(Etivity.course_id == cohort.course_id, Etivity.slug == slug))


def etivity_url(cohort, slug="introduce-yourself") -> str:
    return f"/cohorts/{cohort.id}/e/{slug}"


def thread_url(cohort, thread, **query) -> str:
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/cohorts/{cohort.id}/threads/{thread.id}" + (f"?{tail}" if tail else "")


def start(cohort, author, slug="introduce-yourself", title="Hello from me", body="Hi all.",
          at=None):
    thread = services.start_thread(cohort, etivity(cohort, slug), author, title, body,
                                   at or utcnow())
    db.session.commit()
    return thread


def answer(thread, author, body="Nice to meet you.", parent=None, at=None):
    post = services.reply(thread, author, body, at or utcnow(), parent=parent)
    db.session.commit()
    return post


def field_error(response, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', text(response), re.S)
    return match.group(1).strip() if match else ""


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def counts(cohort, user, slug="introduce-yourself") -> Counts:
    return counts_for(cohort.id, user.id).get((user.id, etivity(cohort, slug).id),
                                                        Counts())


def open_thread(client, cohort, thread, **query):
    """Open a thread page, following the jump to the first unread post."""
    response = client.get(thread_url(cohort, thread, **query))
    if response.status_code == 302:
        response = client.get(response.headers["Location"])
    return response


def post_count() -> int:
    return db.session.scalar(select(func.count(Post.id)))


# ---- the e-tivity page ---------------------------------------------------------

def test_etivity_page_shows_the_template_fields_in_order(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort, name="Ana Okafor")
    login_as(ana)
    response = client.get(etivity_url(cohort))
    assert response.status_code == 200
    page = text(response)
    e = etivity(cohort, "introduce-yourself")
    assert f"<title>{e.title} · {cohort.name}" in page
    headings = ["Why this matters", "Spark", "Your task", "How to respond to others", "Time",
                "What comes next"]
    positions = [page.index(f">{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    assert (page.index("People talk more freely")
            < page.index("Start a conversation (the button is at the bottom of this page)"))
    assert f"About {e.minutes} minutes, spread over {e.days} days." in page
    assert "Still to do: reply to 1 more peer, start 1 more conversation." in page
    assert "E-moderator notes" not in page
    assert e.emoderator[:40] not in page
    assert "No conversations yet. Start the first one below." in page
    # Breadcrumbs lead back to the cohort's map.
    assert f'<a href="/cohorts/{cohort.id}">{cohort.name}</a>' in page


def test_facilitator_sees_the_emoderator_notes(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    login_as(facilitator)
    page = text(client.get(etivity_url(cohort)))
    assert "E-moderator notes" in page
    assert "Reply to every introduction within a working day" in page
    assert "Your progress here" not in page


def test_where_facilitators_posts_count_the_page_asks_for_posts(client, factory, login_as):
    """Welcome's task is to open the facilitator's "Ground rules": its rule, what is left and
    what was done speak of posts, not peers' posts (which would never be enough)."""
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    assert etivity(cohort, "welcome").observe_facilitators
    page = text(client.get(etivity_url(cohort, "welcome")))
    assert "To complete it: read 1 post." in page
    assert "So far you have read 0 posts, replied to" in page
    assert "Still to do: read 1 more post." in page
    assert "peer’s post" not in page
    from learner_journey import text as words

    assert "Welcome: find your way around optional Still to do: read 1 post." in words(
        client.get(f"/cohorts/{cohort.id}"))
    assert "Welcome: find your way around optional Read 1 post." in words(
        client.get(f"/cohorts/{cohort.id}/progress"))


def test_unknown_or_retired_etivity_is_404(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    assert client.get(etivity_url(cohort, "no-such-thing")).status_code == 404
    etivity(cohort, "welcome").retired = True
    db.session.commit()
    assert client.get(etivity_url(cohort, "welcome")).status_code == 404


def test_thread_list_counts_replies_and_unread(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben, cara = (factory.learner_in(cohort, name=n) for n in ("Ana", "Ben", "Cara"))
    thread = start(cohort, ana, title="Ana says hello")
    answer(thread, ben, "Hello Ana")
    answer(thread, ben, "And again")
    login_as(cara)
    page = text(client.get(etivity_url(cohort)))
    assert "Ana says hello" in page
    assert "2 replies" in page
    assert "3 unread" in page
    assert open_thread(client, cohort, thread).status_code == 200
    page = text(client.get(etivity_url(cohort)))
    assert "unread" not in page.split('id="threads"')[1].split('id="start"')[0]
    answer(thread, ben, "Third time")
    page = text(client.get(etivity_url(cohort)))
    assert "3 replies" in page and "1 unread" in page


def test_start_a_thread(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    login_as(ana)
    response = client.post(etivity_url(cohort), data={
        "title": "Ana from the council", "body": "I run our **press** office.",
        "submission_key": "1" * 32})
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread).where(Thread.cohort_id == cohort.id))
    first = thread.posts[0].id
    assert response.headers["Location"] == thread_url(cohort, thread) + f"#post-{first}"
    assert thread.title == "Ana from the council" and thread.piece is None
    page = text(client.get(response.headers["Location"]))
    assert "Your conversation is up." in page
    assert "<strong>press</strong>" in page
    assert counts(cohort, ana).initiate == 1


def test_piece_template_fills_the_form_without_javascript(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    login_as(ana)
    e = etivity(cohort, "time-and-help")
    tips = next(p for p in e.pieces if p["name"] == "Tips")
    page = text(client.get(etivity_url(cohort, "time-and-help")))
    assert 'id="template-choice"' in page and ">Tips</option>" in page
    assert tips["body"].strip() not in page.split('id="body"')[1]

    page = text(client.get(etivity_url(cohort, "time-and-help") + "?piece=Tips"))
    textarea = page.split('id="body"')[1].split("</textarea>")[0]
    assert tips["body"].strip() in textarea
    assert re.search(r'<input[^>]*name="piece"[^>]*value="Tips"', page)

    response = client.post(etivity_url(cohort, "time-and-help"), data={
        "title": "My times", "body": tips["body"] + "Tuesdays", "piece": "Tips"})
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread).where(Thread.cohort_id == cohort.id))
    assert thread.piece == "Tips"


def test_unknown_piece_is_ignored(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    page = text(client.get(etivity_url(cohort, "time-and-help") + "?piece=Nope"))
    assert "Starting from the" not in page
    client.post(etivity_url(cohort, "time-and-help"),
                data={"title": "Mine", "body": "Text", "piece": "Nope"})
    assert db.session.scalar(select(Thread.piece)) is None


def test_reviewer_reads_but_cannot_post(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    thread = start(cohort, ana)
    reviewer = factory.reviewer_in(cohort)
    login_as(reviewer)
    page = text(client.get(etivity_url(cohort)))
    assert 'id="start-heading"' not in page  # no "Start a conversation" form
    assert open_thread(client, cohort, thread).status_code == 200
    assert client.post(etivity_url(cohort), data={"title": "x", "body": "y"}).status_code == 403
    assert client.post(thread_url(cohort, thread), data={"body": "y"}).status_code == 403
    assert post_count() == 1


def test_anonymous_visitor_is_sent_to_log_in(client, factory):
    cohort = factory.cohort()
    response = client.get(etivity_url(cohort))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


# ---- locked e-tivities ---------------------------------------------------------

def test_a_stage_2_etivity_is_locked_for_a_new_learner(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana = factory.learner_in(cohort)
    thread = start(cohort, facilitator, slug="something-of-your-own", title="An example")
    login_as(ana)
    response = client.get(etivity_url(cohort, "something-of-your-own"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    assert any("opens when you finish stage 1" in m for m in flashes(client))
    response = client.post(etivity_url(cohort, "something-of-your-own"),
                           data={"title": "Sneaky", "body": "Early"})
    assert response.status_code == 302
    assert client.get(thread_url(cohort, thread)).status_code == 302
    assert client.post(thread_url(cohort, thread), data={"body": "Early"}).status_code == 302
    assert post_count() == 1


def test_facilitator_can_always_read_a_later_stage(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    login_as(facilitator)
    assert client.get(etivity_url(cohort, "letting-go")).status_code == 200


def test_paced_stage_says_when_it_opens(client, factory, login_as):
    cohort = factory.cohort(paced=True, starts_on=utcnow().date() + timedelta(days=3))
    login_as(factory.learner_in(cohort))
    response = client.get(etivity_url(cohort))
    assert response.status_code == 302
    assert any("This opens on" in m for m in flashes(client))


# ---- threads and replies -------------------------------------------------------

def test_reply_to_a_particular_post_shows_whom_it_answers(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben, cara = (factory.learner_in(cohort, name=n) for n in ("Ana", "Ben", "Cara"))
    thread = start(cohort, ana, body="Opening words")
    bens = answer(thread, ben, "Ben's particular point about bins")
    login_as(cara)
    page = text(open_thread(client, cohort, thread, page=1, reply_to=bens.id))
    assert "Replying to <strong>Ben</strong>" in page
    assert re.search(rf'<input[^>]*name="parent_id"[^>]*value="{bens.id}"', page)
    response = client.post(thread_url(cohort, thread),
                           data={"body": "I agree with you, Ben", "parent_id": str(bens.id)})
    assert response.status_code == 302
    reply = db.session.scalar(select(Post).where(Post.body == "I agree with you, Ben"))
    assert reply.parent_id == bens.id
    assert response.headers["Location"].endswith(f"#post-{reply.id}")
    page = text(client.get(response.headers["Location"]))
    assert "Your reply is posted." in page
    article = page.split(f'id="post-{reply.id}"')[1].split("</article>")[0]
    assert "In reply to" in article and ">Ben</a>" in article
    assert re.search(rf'<article id="post-{reply.id}"[^>]*class="[^"]*post-nested', page)


def test_reply_to_a_post_of_another_thread_is_refused(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    first, second = start(cohort, ana, title="One"), start(cohort, ben, title="Two")
    login_as(ben)
    before = post_count()
    response = client.post(thread_url(cohort, first),
                           data={"body": "Misplaced", "parent_id": str(second.posts[0].id)})
    assert response.status_code == 400
    assert "not in this conversation" in field_error(response, "body")
    assert "Misplaced" in text(response)
    assert post_count() == before


def test_counting_rules_for_replies(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana, ben = factory.learner_in(cohort, name="Ana"), factory.learner_in(cohort, name="Ben")
    anas = start(cohort, ana, title="Ana's piece")
    farahs = start(cohort, facilitator, title="Facilitator's piece")
    login_as(ben)
    url = thread_url(cohort, anas)
    client.post(url, data={"body": "First reply to Ana"})
    client.post(url, data={"body": "Second reply to Ana"})
    assert counts(cohort, ben).interact == 1  # the same peer twice counts once
    own = db.session.scalar(select(Post).where(Post.body == "Second reply to Ana"))
    client.post(url, data={"body": "Replying to myself", "parent_id": str(own.id)})
    client.post(thread_url(cohort, farahs), data={"body": "Replying to the facilitator"})
    assert counts(cohort, ben).interact == 1
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id == ben.id)) == 4


def test_reading_counts_peers_posts_only(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    anas = start(cohort, ana)
    answer(anas, facilitator, "Welcome, Ana")
    login_as(ana)
    open_thread(client, cohort, anas)
    assert counts(cohort, ana).observe == 0  # own post and the facilitator's: not observing
    answer(anas, ben, "Hi Ana")
    open_thread(client, cohort, anas)
    assert counts(cohort, ana).observe == 1


def test_a_thread_loaded_as_a_picture_records_no_read(client, factory, login_as):
    """A post's <img src="/cohorts/…/threads/…"> makes the reader's browser fetch the page
    (Sec-Fetch-Dest: image): that is not the reader opening it, so nothing is read or
    observed. Only opening it as a page (document, or a client that sends no header) is."""
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    anas = start(cohort, ana)
    login_as(ben)
    url = thread_url(cohort, anas, page=1)

    def reads() -> int:
        return db.session.scalar(select(func.count()).select_from(PostRead)
                                 .where(PostRead.user_id == ben.id))

    for dest in ("image", "script", "style", "iframe", "empty"):
        assert client.get(url, headers={"Sec-Fetch-Dest": dest}).status_code == 200
    assert reads() == 0 and counts(cohort, ben).observe == 0
    client.get(url, headers={"Sec-Fetch-Dest": "document"})
    assert reads() == 1 and counts(cohort, ben).observe == 1


def test_hidden_post_stops_counting_but_earned_completion_stays(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana, ben, cara = (factory.learner_in(cohort) for _ in range(3))
    anas = start(cohort, ana)
    e = etivity(cohort, "introduce-yourself")

    # Ben earns the completion (one piece, one reply to a peer); then his reply is hidden.
    start(cohort, ben)
    bens_reply = answer(anas, ben, "Hello Ana")
    assert db.session.scalar(select(Completion).where(Completion.user_id == ben.id))
    bens_reply.hidden_at = utcnow()
    void_post(bens_reply.id, utcnow())
    db.session.commit()
    assert counts(cohort, ben).interact == 0
    standing = learner_progress(cohort, ben.id, utcnow().date())
    assert next(p for p in standing.etivities if p.etivity.id == e.id).state == \
        EtivityState.COMPLETE

    # Cara replies first; her reply is hidden before she starts her own piece: not complete.
    caras_reply = answer(anas, cara, "Hi")
    caras_reply.hidden_at = utcnow()
    void_post(caras_reply.id, utcnow())
    db.session.commit()
    start(cohort, cara)
    assert counts(cohort, cara) == Counts(0, 0, 1)
    assert db.session.scalar(select(Completion).where(Completion.user_id == cara.id)) is None


def test_hidden_and_withdrawn_posts(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana, ben = factory.learner_in(cohort, name="Ana"), factory.learner_in(cohort, name="Ben")
    thread = start(cohort, ana)
    hidden = answer(thread, ben, "Something unkind about Ana")
    hidden.hidden_at, hidden.hidden_reason, hidden.hidden_by_id = \
        utcnow(), "it named a colleague", facilitator.id
    withdrawn = answer(thread, ben, "Something I regret")
    withdrawn.deleted_at = utcnow()
    db.session.commit()

    login_as(ana)
    page = text(open_thread(client, cohort, thread))
    assert "This post was hidden by a facilitator: it named a colleague" in page
    assert "Something unkind" not in page
    assert "Withdrawn by its author" in page and "Something I regret" not in page

    login_as(ben)
    page = text(open_thread(client, cohort, thread))
    assert "This post was hidden by a facilitator: it named a colleague" in page
    assert "Something unkind about Ana" in page
    assert "Something I regret" not in page
    assert client.get(f"/cohorts/{cohort.id}/posts/{hidden.id}/edit").status_code == 403


def test_facilitator_posts_are_marked(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR, name="Farah")
    cohort = factory.cohort(facilitator=facilitator)
    ana = factory.learner_in(cohort)
    thread = start(cohort, ana)
    welcome = answer(thread, facilitator, "Welcome!")
    login_as(ana)
    page = text(open_thread(client, cohort, thread))
    article = page.split(f'id="post-{welcome.id}"')[1].split("</article>")[0]
    assert "Farah" in article and "Facilitator" in article


def test_locked_thread_takes_no_replies(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ana)
    thread.locked = True
    db.session.commit()
    login_as(ben)
    page = text(open_thread(client, cohort, thread))
    assert "This conversation is locked by a facilitator." in page
    assert 'id="reply-form"' not in page
    assert client.post(thread_url(cohort, thread), data={"body": "Let me in"}).status_code == 403
    assert post_count() == 1


def test_help_redirects_to_the_help_thread(client, factory, login_as):
    facilitator = factory.user(Role.FACILITATOR)
    cohort = factory.cohort(facilitator=facilitator)
    ana = factory.learner_in(cohort)
    login_as(ana)
    assert client.get(f"/cohorts/{cohort.id}/help").headers["Location"] == f"/cohorts/{cohort.id}"
    help_thread = services.ensure_help_thread(cohort, facilitator, utcnow())
    db.session.commit()
    response = client.get(f"/cohorts/{cohort.id}/help")
    assert response.headers["Location"] == thread_url(cohort, help_thread)
    page = text(open_thread(client, cohort, help_thread))
    # One name, "Ask for help": the title, the last crumb (not a second "Help" before it).
    assert "<h1>Ask for help</h1>" in page and "Ask for help here" not in page
    assert '<li aria-current="page">Ask for help</li>' in page and ">Help</li>" not in page
    assert page.count(">Ask for help</") == 2  # the crumb and the title, nothing doubled
    assert "facilitators read it every working day" in " ".join(page.split())
    response = client.post(thread_url(cohort, help_thread), data={"body": "Where is the map?"})
    assert response.status_code == 302
    assert reading.has_read_help(cohort, ana)


# ---- pagination and unread -----------------------------------------------------

def test_long_thread_is_paginated_and_opens_at_the_first_unread(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben, cara = (factory.learner_in(cohort) for _ in range(3))
    thread = start(cohort, ana)
    per_page = reading.POSTS_PER_PAGE
    for n in range(per_page * 2 + 4):
        answer(thread, ben if n % 2 else ana, f"Reply number {n}")
    posts = list(thread.posts)
    login_as(cara)

    response = client.get(thread_url(cohort, thread))
    assert response.status_code == 302
    first_unread = thread_url(cohort, thread, page=1) + f"#post-{posts[0].id}"
    assert response.headers["Location"] == first_unread
    page = text(client.get(thread_url(cohort, thread, page=1)))
    assert "Jump to first unread" in page
    assert "Page 1 of 3" in page and "Next page" in page
    assert f'id="post-{posts[per_page].id}"' not in page

    # Page 1 is read now: opening the thread goes to the first post of page 2.
    response = client.get(thread_url(cohort, thread))
    assert response.headers["Location"] == \
        thread_url(cohort, thread, page=2) + f"#post-{posts[per_page].id}"
    read = db.session.scalar(select(func.count()).select_from(PostRead)
                             .where(PostRead.user_id == cara.id))
    assert read == per_page

    # Page 3 read out of order: the first unread is still on page 2.
    client.get(thread_url(cohort, thread, page=3))
    page = text(client.get(thread_url(cohort, thread, page=3)))
    assert f"page=2#post-{posts[per_page].id}" in page and "Jump to first unread" in page
    client.get(thread_url(cohort, thread, page=2))
    page = text(client.get(thread_url(cohort, thread)))  # all read: the latest page, no jump
    assert "Jump to first unread" not in page
    assert f'id="post-{posts[-1].id}"' in page


# ---- editing and deleting your own post -----------------------------------------

def test_edit_keeps_the_revision_history(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ana, body="My first wording")
    post = thread.posts[0]
    login_as(ana)
    page = text(client.get(f"/cohorts/{cohort.id}/posts/{post.id}/edit"))
    assert "<h1>Edit your post</h1>" in page and "My first wording</textarea>" in page
    response = client.post(f"/cohorts/{cohort.id}/posts/{post.id}/edit",
                           data={"body": "My better wording"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#post-{post.id}")
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.body == "My better wording"
    assert [r.body for r in post.revisions] == ["My first wording"]

    login_as(ben)
    page = text(open_thread(client, cohort, thread))
    assert "edited" in page
    history = page.split('<details class="revisions">')[1].split("</details>")[0]
    assert "My first wording" in history
    assert client.get(f"/cohorts/{cohort.id}/posts/{post.id}/edit").status_code == 403
    assert client.post(f"/cohorts/{cohort.id}/posts/{post.id}/edit",
                       data={"body": "Ben was here"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Post, post.id).body == "My better wording"


def test_withdraw_asks_first_then_withdraws(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ana)
    reply = answer(thread, ben, "A reply I'll regret")
    url = f"/cohorts/{cohort.id}/posts/{reply.id}/withdraw"
    login_as(ana)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    login_as(ben)
    page = text(client.get(url))
    assert "Are you sure you want to withdraw this post?" in page
    assert "Yes, withdraw my post" in page and "No, keep it" in page
    db.session.expire_all()
    assert db.session.get(Post, reply.id).deleted_at is None
    response = client.post(url)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, reply.id).deleted_at is not None
    page = text(client.get(response.headers["Location"]))
    assert "Withdrawn by its author" in page and "A reply I'll regret" not in page
    assert client.get(url).status_code == 403  # nothing left to withdraw


# ---- length limits -------------------------------------------------------------

def test_length_limits_are_explained_beside_the_field(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    login_as(ana)
    long_title = "T" * (services.TITLE_MAX + 1)
    response = client.post(etivity_url(cohort), data={"title": long_title, "body": "Fine"})
    assert response.status_code == 400
    assert f"up to {services.TITLE_MAX} characters" in field_error(response, "title")
    assert long_title in text(response)

    long_body = "word " * (services.BODY_MAX // 5 + 10)
    response = client.post(etivity_url(cohort), data={"title": "Fine", "body": long_body})
    assert response.status_code == 400
    assert "Posts can be up to 10,000 characters" in field_error(response, "body")
    assert long_body.strip() in text(response)

    response = client.post(etivity_url(cohort), data={"title": "Fine", "body": "   "})
    assert field_error(response, "body") == "Write something before you send it."
    assert post_count() == 0

    thread = start(cohort, ana)
    response = client.post(thread_url(cohort, thread), data={"body": long_body})
    assert response.status_code == 400
    assert "Posts can be up to" in field_error(response, "body")
    response = client.post(f"/cohorts/{cohort.id}/posts/{thread.posts[0].id}/edit",
                           data={"body": long_body})
    assert response.status_code == 400
    assert "Posts can be up to" in field_error(response, "body")
    assert post_count() == 1
