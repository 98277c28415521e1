"""Words a new learner understands (issue 12): one name for a conversation, the course's own
words explained in a glossary linked from where they first appear, "Withdraw" from the link
to the result."""

import html
import re

from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.progress.rules import INITIATOR_THREADS
from learner_journey import start, text


def visible(response) -> str:
    """The words on the page, scripts' and attributes' text aside."""
    return text(response)


def glossary_links(response) -> set[str]:
    return set(re.findall(r'href="/glossary#([\w-]+)"', response.get_data(as_text=True)))


def test_the_glossary_explains_each_word_with_an_anchor(client):
    response = client.get("/glossary")  # no login needed: invitees read it before joining
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for anchor in ("stages", "e-tivity", "spark", "conversation", "conversation-piece", "weave",
                   "levels", "observer", "interactor", "initiator", "facilitator", "help"):
        assert f'id="{anchor}"' in page, anchor
    assert f"{INITIATOR_THREADS} or more conversations of your own" in text(response)
    assert "<title>Words we use – Staircase</title>" in page


def test_every_page_links_to_the_glossary_in_its_footer(client):
    footer = client.get("/account/login").get_data(as_text=True).split("<footer")[1]
    assert 'href="/glossary">Words we use</a>' in footer


def test_words_link_to_the_glossary_where_they_first_appear(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    login_as(ana)
    assert {"e-tivity", "spark", "conversation"} <= glossary_links(
        client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"))
    assert {"stages", "e-tivity"} <= glossary_links(client.get(f"/cohorts/{cohort.id}"))
    assert "levels" in glossary_links(client.get(f"/cohorts/{cohort.id}/progress"))
    link = re.search(r'<a class="whats-this" href="/glossary#spark">(.*?)</a>',
                     client.get(f"/cohorts/{cohort.id}/e/introduce-yourself")
                     .get_data(as_text=True)).group(1)
    assert re.sub(r"<[^>]+>", "", link) == "What’s this? A spark, in the glossary"


def test_a_weave_says_what_it_is(client, factory, login_as):
    from course_app.facilitate import weaving
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    etivity = next(e for e in cohort.course.etivities if e.slug == "introduce-yourself")
    thread = start(cohort, ana, "introduce-yourself")
    weaving.weave(cohort, etivity, cohort.memberships[0].user, "What we heard", "A summary.",
                  [(thread.posts[0], "")], utcnow())
    db.session.commit()
    login_as(ana)
    assert "weave" in glossary_links(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"))


def test_a_learner_reads_conversation_never_thread(client, factory, login_as):
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ana, "introduce-yourself")
    discussions.reply(thread, ben, "Hello.", utcnow())
    db.session.commit()
    login_as(ana)
    pages = [client.get(f"/cohorts/{cohort.id}"), client.get(f"/cohorts/{cohort.id}/progress"),
             client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"),
             client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1")]
    for response in pages:
        words = visible(response).lower()
        assert "thread" not in words, response.request.path
    etivity_page = visible(pages[2])
    assert "Conversations" in etivity_page and "Start a conversation" in etivity_page
    # The course's own term, said once, where the list of conversations begins.
    assert etivity_page.count("conversation piece") == 1


def test_withdraw_is_the_word_on_the_link_the_page_and_the_result(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    thread = start(cohort, ana, "introduce-yourself")
    db.session.commit()
    login_as(ana)
    page = client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1").get_data(as_text=True)
    url = f"/cohorts/{cohort.id}/posts/{thread.posts[0].id}/withdraw"
    assert f'<a href="{url}">Withdraw<span class="visually-hidden"> your post</span></a>' in page
    assert "Delete" not in html.unescape(page).split("<main")[1]
    question = visible(client.get(url))
    assert "withdraw this post?" in question and "Yes, withdraw my post" in question
    done = client.post(url, follow_redirects=True)
    assert "Your post is withdrawn." in visible(done) and "Withdrawn by its author" in visible(done)
    assert client.get(f"/cohorts/{cohort.id}/posts/{thread.posts[0].id}/delete").status_code == 404
