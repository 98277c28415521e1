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
    assert re.sub(r"<[^>]+>", "", link) == "What’s this? A spark, in Words we use"


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


# ---- one name for one thing (the plain-language review) ------------------------------------

def test_the_help_conversation_is_called_ask_for_help_everywhere(client, factory, login_as):
    """One name, "Ask for help" (not "Help", "help conversation" or "Ask for help here"), and
    one promise, "every working day", as the course's own e-tivities say."""
    from course_app.facilitate.messages import TEMPLATES

    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    discussions.ensure_help_thread(cohort, cohort.memberships[0].user, utcnow())
    db.session.commit()
    login_as(ana)
    glossary = visible(client.get("/glossary"))
    assert "Ask for help Every cohort has one conversation called “Ask for help”" in glossary
    assert "The facilitators read it every working day." in glossary
    map_page = visible(client.get(f"/cohorts/{cohort.id}"))
    assert "Open “Ask for help”: the facilitators read it every working day." in map_page
    thread = visible(client.get(f"/cohorts/{cohort.id}/help", follow_redirects=True))
    assert "The facilitators read it every working day." in thread
    pages = {"glossary": glossary, "map": map_page, "thread": thread}
    login_as(cohort.memberships[0].user)
    pages["facilitate"] = visible(client.get(f"/facilitate/cohorts/{cohort.id}"))
    assert "Ask for help" in pages["facilitate"]
    for name, words in pages.items():
        assert "help conversation" not in words.lower(), name
        assert "Ask for help here" not in words and "every day" not in words, name
    for title, message in TEMPLATES:
        assert "help conversation" not in message and "every day" not in message, title


def test_a_stage_is_called_a_stage(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    map_page = visible(client.get(f"/cohorts/{cohort.id}"))
    assert "one stage at a time" in map_page and "Each stage opens when" in map_page
    assert "Each step" not in map_page and "one step at a time" not in map_page
    assert "A course climbs five stages" in visible(client.get("/glossary"))


def test_the_toolkit_is_explained_where_a_learner_meets_it(client, factory, login_as):
    import toolkit_world

    world = toolkit_world.build(factory)
    glossary = client.get("/glossary").get_data(as_text=True)
    assert 'id="toolkit"' in glossary and 'id="editor"' in glossary
    assert 'id="current-version"' in glossary
    login_as(world.peer)
    assert "toolkit" in glossary_links(client.get(f"/cohorts/{world.cohort.id}"))
    assert "toolkit" in glossary_links(
        client.get(f"/cohorts/{world.cohort.id}/e/{world.etivity.slug}"))
    toolkit = visible(client.get(f"/cohorts/{world.cohort.id}/toolkit"))
    assert "The sections this cohort builds together" in toolkit and "piece" not in toolkit
    assert "Download as a text file (Markdown)" in toolkit


def test_a_cohort_and_an_enrolment_key_are_explained(client, factory, login_as):
    cohort = factory.cohort()
    register = visible(client.get("/account/register"))
    assert "join a cohort: the group of people you take the course with" in register
    course = visible(client.get(f"/courses/{cohort.course.slug}"))
    assert "join with your enrolment key" in course and "your key" not in course
    login_as(factory.learner_in(cohort))
    assert "cohort" in glossary_links(client.get("/"))


def test_a_learner_reads_of_api_tokens_only_if_they_can_make_them(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    page = visible(client.get("/account/password"))
    assert "API token" not in page and "is logged out. This device stays logged in." in page
    login_as(cohort.memberships[0].user)  # a facilitator: the reports' tokens are theirs
    assert "API tokens you made stop working" in visible(client.get("/account/password"))


def test_form_messages_are_plain_and_one_a_field(client):
    long_email = "a" * 250 + "@example.org"
    page = client.post("/account/register", data={
        "email": long_email, "name": "Ana", "password": "x" * 300, "confirm": "x" * 300})
    words = visible(page)
    assert words.count("Enter an email address with at most 254 characters.") == 2  # + summary
    assert "Enter a real email" not in words and "Field must be" not in words
    assert "Use at most 256 characters." in words


def test_the_reply_box_says_how_to_format_without_naming_markdown(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    thread = start(cohort, ana, "introduce-yourself")
    db.session.commit()
    login_as(ana)
    page = visible(client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1"))
    assert "You can format your text: **bold**, *italic*, - lists." in page
    assert "Markdown" not in page
    assert "You can format your text" in visible(client.get(
        f"/cohorts/{cohort.id}/e/introduce-yourself"))


def test_refusals_say_what_to_do(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    refused = client.get(f"/facilitate/cohorts/{cohort.id}")
    assert refused.status_code == 403
    assert "If you think you should see it, ask your facilitator." in visible(refused)
    wrong_way = client.put(f"/cohorts/{cohort.id}")
    assert wrong_way.status_code == 405
    assert "Go back and try again from the page you were on." in visible(wrong_way)


def test_a_retired_e_tivity_and_a_closed_cohort_say_why_there_is_no_reply(client, factory,
                                                                          login_as):
    from course_app.cohorts.models import CohortState

    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    thread = start(cohort, ana, "introduce-yourself")
    login_as(ana)
    # Open for enrolment takes posts too: the page offers the form, not a refusal.
    assert cohort.state == CohortState.OPEN
    assert "Start a conversation" in visible(client.get(f"/cohorts/{cohort.id}/e/welcome"))
    thread.etivity.retired = True
    db.session.commit()
    page = visible(client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1"))
    assert ("This e-tivity is no longer part of the course, so replies are closed. You can "
            "still read the conversation.") in page
    thread.etivity.retired = False
    cohort.state = CohortState.CLOSED
    db.session.commit()
    closed = "This cohort has closed: you can still read everything in it."
    assert closed in visible(client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1"))
    assert closed in visible(client.get(f"/cohorts/{cohort.id}/e/introduce-yourself"))
    assert closed in visible(client.get("/"))


def test_posts_say_why_they_cant_be_changed(factory):
    import pytest

    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    thread = start(cohort, ana, "introduce-yourself")
    post = thread.posts[0]
    with pytest.raises(discussions.PostError, match="You can only withdraw your own posts."):
        discussions.delete_post(post, ben, utcnow())
    post.deleted_at = utcnow()
    db.session.commit()
    with pytest.raises(discussions.PostError,
                       match="This post was hidden or withdrawn, so it can't be edited."):
        discussions.edit_post(post, ana, "Something else.", utcnow())


def test_the_words_name_the_glossary_and_the_profile_field_as_they_are_called(client, factory,
                                                                               login_as):
    glossary = visible(client.get("/glossary"))
    assert "Weave (a facilitator's summary)" in glossary
    assert "read two of your peers' posts and reply to one" in glossary
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    assert "“A line about yourself”" in visible(client.get("/account/delete"))
    assert "Logged in as" in visible(client.get("/account/profile"))


def test_the_toolkit_says_whether_it_is_published(client, factory, login_as):
    import toolkit_world

    world = toolkit_world.build(factory)
    url = f"/cohorts/{world.cohort.id}/toolkit"
    login_as(world.facilitator)
    client.post(url + "/publish", data={"publish": "yes"})
    login_as(world.peer)
    assert "This toolkit is published: people outside the cohort can read it." in visible(
        client.get(url))
    login_as(world.facilitator)
    client.post(url + "/publish", data={"publish": "no"})
    page = visible(client.get(url))
    assert "The toolkit is no longer public." in page
    assert "Save publishing choice" in page


def test_unread_notifications_are_counted_in_words(client, factory, login_as):
    from course_app.notifications.models import NotificationKind
    from course_app.notifications.services import notify

    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    for n in range(2):
        notify(ana.id, NotificationKind.REPLY, f"Ben replied {n}.", utcnow(),
               link=f"/cohorts/{cohort.id}", cohort_id=cohort.id)
    db.session.commit()
    login_as(ana)
    page = visible(client.get("/notifications"))
    assert "You have 2 unread notifications." in page and "Go to it" in page


def test_a_cohorts_state_is_said_in_the_same_words_everywhere(client, factory, login_as):
    """"open for enrolment", as the facilitate pages say it: the map and the reports list had
    shown the stored value ("State: open")."""
    from course_app.cohorts.models import CohortState

    cohort = factory.cohort()
    assert cohort.state == CohortState.OPEN
    login_as(cohort.memberships[0].user)
    assert "Open for enrolment" in text(client.get(f"/cohorts/{cohort.id}"))
    assert "Open for enrolment" in text(client.get("/reports/"))
    assert "State: open" not in text(client.get(f"/cohorts/{cohort.id}"))


def test_the_cohort_forms_say_when_in_the_day_a_stage_opens(client, factory, login_as):
    """A release date is a day in UTC (the app's one clock): the forms say so, so nobody in
    another zone expects it at their own midnight."""
    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    for path in ("/facilitate/cohorts/new", f"/facilitate/cohorts/{cohort.id}/settings"):
        assert "A stage opens at the start of its date in UTC" in text(client.get(path)), path
