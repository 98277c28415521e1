"""Drafts and history in the designer: every change paged at the same cost, an earlier text
restored as a draft, a draft discarded after saying what is lost, a new e-tivity's draft
moved to another stage, a retired e-tivity's draft."""

import html

from sqlalchemy import select

from conftest import login
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.design import drafts, services
from course_app.design.models import CourseChange
from course_app.extensions import db
from designing import (
    confirmation,
    course_texts_form,
    etivity,
    form_of,
    lower_listen_first,
    publish,
)


def test_history_pages_through_every_change_at_the_same_cost(client, factory, course, author,
                                                             monkeypatch):
    """A course's and an e-tivity's history, newest first, a page at a time; each page runs
    the same queries however many changes (and authors) there are."""
    from course_app.design.views import common
    from database import statements_sent

    monkeypatch.setattr(common, "HISTORY_PER_PAGE", 3)
    listen = etivity(course, "listen-first")

    def changes(n: int, start: int = 0) -> None:
        for i in range(start, start + n):  # each by an author of their own
            who = factory.user(Role.LEARNER, name=f"Author {i}")
            services.record(course, who, "etivity-edited", f"Change {i}", utcnow(), listen,
                            {"minutes": [i, i + 1]})
        db.session.commit()

    changes(4)
    login(client, author)
    course_history = f"/design/{course.slug}/history"
    listen_history = f"/design/{course.slug}/etivities/listen-first/history"

    def cost(path: str, **query) -> tuple[str, int]:
        client.get(path, query_string=query)  # caches warmed
        db.session.remove()  # as a request starts: nobody loaded yet
        with statements_sent() as sent:
            response = client.get(path, query_string=query)
        assert response.status_code == 200
        return html.unescape(response.get_data(as_text=True)), len(sent)

    before = {}
    for path in (course_history, listen_history):
        first, before[path] = cost(path)
        assert "4 changes; showing 1–3." in first, first
        assert "Change 3" in first and "Author 1" in first and "Change 0" not in first
        assert f'href="{path}?page=2" rel="next">Older changes' in first
        second, _ = cost(path, page=2)
        assert "Change 0" in second and "Change 1" not in second
        assert cost(path, page="x")[0] == first  # an odd page number shows the first
        assert "Change 0" in cost(path, page=99)[0]  # past the end: the last page
        assert client.get(path, query_string={"page": 10**20}).status_code == 404
    changes(6, start=4)
    for path in (course_history, listen_history):
        assert cost(path)[1] == before[path], path


def test_history_restores_the_earlier_text_as_a_draft(client, course, author):
    login(client, author)
    listen = etivity(course, "listen-first")
    url = f"/design/{course.slug}/etivities/listen-first"
    client.post(url, data=form_of(listen, title="A new title", minutes="40"))
    publish(client, course)
    change = db.session.scalar(select(CourseChange).where(
        CourseChange.etivity_id == listen.id))
    history = client.get(f"{url}/history").get_data(as_text=True)
    restore = f"{url}/history/{change.id}/restore"
    assert restore in history
    assert client.post(restore).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'value="Listen first"' in page and 'value="35"' in page
    assert "Draft — not yet published" in page
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "A new title"
    assert drafts.draft_for(course, "listen-first").fields == {"title": "Listen first",
                                                               "minutes": 35}
    publish(client, course)
    assert etivity(course, "listen-first").title == "Listen first"


def test_a_draft_can_be_discarded_after_saying_what_is_lost(client, course, author):
    login(client, author)
    listen = etivity(course, "listen-first")
    edit = f"/design/{course.slug}/etivities/listen-first"
    client.post(edit, data=form_of(listen, title="Not this"))
    draft = drafts.draft_for(course, "listen-first")
    page = client.get(f"/design/{course.slug}/publish").get_data(as_text=True)
    assert "Not this" in page and f"/drafts/{draft.id}/discard" in page
    assert "<dt>Title</dt>" in page and "Individual task" not in page
    discard = f"/design/{course.slug}/drafts/{draft.id}/discard"
    ask = client.post(discard)
    asked = html.unescape(ask.get_data(as_text=True))
    assert ask.status_code == 200 and "<h1>Discard the draft of Not this?</h1>" in asked
    assert "last saved by Ann Author" in asked and "can't be brought back" in asked
    assert drafts.draft_for(course, "listen-first") is not None
    # Saved again before the second press: it asks again, showing the newer draft.
    client.post(edit, data=form_of(listen, title="Not this either",
                                   version=str(etivity(course, "listen-first").version)))
    again = html.unescape(client.post(discard, data={"confirm": confirmation(asked)})
                          .get_data(as_text=True))
    assert "saved again since you asked" in again and "Not this either?" in again
    assert drafts.draft_for(course, "listen-first").fields["title"] == "Not this either"
    done = client.post(discard, data={"confirm": confirmation(again)})
    assert done.status_code == 302
    assert drafts.draft_for(course, "listen-first") is None
    empty = client.get(f"/design/{course.slug}/publish").get_data(as_text=True)
    assert "Nothing to publish" in empty
    db.session.expire_all()
    assert etivity(course, "listen-first").title == "Listen first"


def test_saving_the_published_text_again_drops_the_draft(client, course, author):
    login(client, author)
    url = f"/design/{course.slug}/etivities/listen-first"
    client.post(url, data=form_of(etivity(course, "listen-first"), title="For a while"))
    assert drafts.draft_for(course, "listen-first") is not None
    as_typed = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v  # a browser's CRLF
                for k, v in form_of(etivity(course, "listen-first")).items()}
    assert any("\r\n" in v for v in as_typed.values())
    client.post(url, data=as_typed)
    assert drafts.draft_for(course, "listen-first") is None


def test_a_new_etivitys_draft_moves_to_another_stage_before_it_is_published(client, course,
                                                                            author):
    login(client, author)
    base = f"/design/{course.slug}/etivities"
    second = course.etivities_in(2)[0].slug
    client.post(f"{base}/{second}/copy")
    copy = f"{second}-copy"
    board = client.get(f"/design/{course.slug}").get_data(as_text=True)
    card = board[board.index(f'id="card-{copy}"'):]
    card = card[card.index('class="storyboard-actions"'):]
    card = card[:card.index("</div>")]
    assert f'action="{base}/{copy}/move"' in card and 'id="to-' + copy + '"' in card
    assert "Up<" not in card and "Copy<" not in card and "Retire<" not in card

    moved = client.post(f"{base}/{copy}/move", data={"to": "stage-4"}, follow_redirects=True)
    assert "it is added at the end of that stage when you publish" in moved.get_data(True)
    assert drafts.draft_for(course, copy).stage == 4
    for to, says in (("up", "Choose a stage to move it to"), ("stage-4", "already in stage 4"),
                     ("stage-9", "Choose a stage from 1 to 5"), ("", "Choose a stage from 1 to 5")):
        answer = client.post(f"{base}/{copy}/move", data={"to": to}, follow_redirects=True)
        assert says in answer.get_data(as_text=True), to
        assert drafts.draft_for(course, copy).stage == 4
    assert "A new e-tivity in stage 4" in publish(client, course)
    assert course.etivities_in(4)[-1].slug == copy
    assert second in [e.slug for e in course.etivities_in(2)]


def test_a_retired_etivitys_draft_changes_nothing_learners_see_until_it_is_brought_back(
        client, factory, course, cohort, author):
    """Its new rule is published with it, but a retired e-tivity earns nothing: the publish
    page says so (not "will complete it now"), and bringing it back earns what it allows."""
    from course_app.progress.models import Completion

    listen, learner, url = lower_listen_first(client, factory, course, cohort, author)
    ask = client.post(f"{url}/retire").get_data(as_text=True)
    confirm = ask.split('name="confirm" value="')[1].split('"')[0]
    client.post(f"{url}/retire", data={"confirm": confirm})
    board = html.unescape(client.get(f"/design/{course.slug}").get_data(as_text=True))
    retired = board[board.index('id="card-listen-first"'):]
    assert retired.index("Draft — published with the course, seen only if brought back") < (
        retired.index("Bring back"))

    page = publish(client, course, expect="is retired: learners see no change unless it is "
                   "brought back")
    assert ("Changes to a retired e-tivity of stage 2: learners see them only if it is brought "
            "back") in page
    assert "will complete it now" not in page
    earned = select(Completion.user_id).where(Completion.etivity_id == listen.id)
    assert etivity(course, "listen-first").observe == 0
    assert db.session.scalar(earned) is None
    assert client.post(f"{url}/restore").status_code == 302
    db.session.expire_all()
    assert not etivity(course, "listen-first").retired
    assert db.session.scalar(earned) == learner.id


def test_a_draft_is_named_by_what_it_changes_everywhere(client, course, author):
    """The course's texts; an e-tivity by its title as drafted, or as published when the
    draft leaves the title alone (not by its slug); a new e-tivity's by its own title."""
    login(client, author)
    client.post(f"/design/{course.slug}/course",
                data=course_texts_form(client, course, audience="Everyone in the team"))
    listen = etivity(course, "listen-first")
    client.post(f"/design/{course.slug}/etivities/listen-first",
                data=form_of(listen, minutes="50"))
    second = course.etivities_in(2)[0]
    client.post(f"/design/{course.slug}/etivities/{second.slug}/copy")
    texts, changed = drafts.draft_for(course, drafts.COURSE_KEY), drafts.draft_for(
        course, "listen-first")
    copy = drafts.draft_for(course, f"{second.slug}-copy")
    assert "title" not in changed.fields
    assert (texts.what, changed.what, copy.what) == (
        "the course's texts", "Listen first", f"{second.title} (copy)")

    page = html.unescape(client.get(f"/design/{course.slug}/publish").get_data(as_text=True))
    for heading in ("The course's texts", "Listen first", f"{second.title} (copy)"):
        assert f">{heading}</a></h3>" in page, heading
    for draft in (texts, changed, copy):
        asked = html.unescape(client.post(f"/design/{course.slug}/drafts/{draft.id}/discard")
                              .get_data(as_text=True))
        assert f"<h1>Discard the draft of {draft.what}?</h1>" in asked
        assert ("This new e-tivity" in asked) == (draft is copy), draft.what
        assert draft.is_new == (draft is copy)
    done = client.post(f"/design/{course.slug}/drafts/{copy.id}/discard",
                       data={"confirm": confirmation(asked)}, follow_redirects=True)
    assert (f"Discarded the draft of {second.title} (copy): the published version stands."
            in html.unescape(done.get_data(as_text=True)))


def test_two_authors_at_once_the_differences_are_named_by_the_forms_labels(client, course,
                                                                          author):
    login(client, author)
    listen = etivity(course, "listen-first")
    url = f"/design/{course.slug}/etivities/listen-first"
    old = form_of(listen)
    assert client.post(url, data={**old, "purpose": "Theirs", "observe": "4"}).status_code == 302
    page = client.post(url, data={**old, "purpose": "Mine", "observe": "5"}).get_data(
        as_text=True)
    assert '<th scope="row">Purpose</th>' in page and '<th scope="row">Read</th>' in page
    assert '<th scope="row">purpose</th>' not in page and '<th scope="row">observe' not in page
    texts = course_texts_form(client, course)
    client.post(f"/design/{course.slug}/course", data={**texts, "stages-1-title": "Theirs"})
    page = client.post(f"/design/{course.slug}/course",
                       data={**texts, "stages-1-title": "Mine"}).get_data(as_text=True)
    assert '<th scope="row">Stage 2: stage title</th>' in page and "stages[2]" not in page


def test_the_publish_page_shows_each_field_under_its_name_with_its_lines(client, course,
                                                                        author):
    """At 320 px the Draft column of a table was cut off, a new e-tivity's Published column
    was all "—", and Markdown of several lines ran together."""
    login(client, author)
    listen = etivity(course, "listen-first")
    spark = "Plenty.\n\n* * *\n\n> quote\n\n1. one\n1. two"
    client.post(f"/design/{course.slug}/etivities/listen-first", data=form_of(
        listen, title="Meet your peers", spark=spark))
    client.post(f"/design/{course.slug}/stages/1/new", data=form_of(
        listen, slug="brand-new", title="Brand new"))
    page = client.get(f"/design/{course.slug}/publish").get_data(as_text=True)
    _, mine, ours = page.split('<h3 class="h-small">')  # stage 1's new draft comes first
    assert "Brand new" in mine and "Published:" not in mine and "<dt>Title</dt>" in mine
    assert "Meet your peers" in ours and "<table" not in ours
    assert "<dt>Spark</dt>" in ours and "Published:" in ours and "Draft:" in ours
    assert f"<pre>{html.escape(spark)}</pre>" in ours
    assert "“Meet your peers”: what its draft changes" in html.unescape(ours)
    assert "peers&#39;s" not in page and "peers's" not in page
