"""What people write is shown as text, never run: every trick comes out inert in the thread page."""

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from course_app.clock import utcnow
from course_app.courses.models import Etivity
from course_app.discussions import services
from course_app.extensions import db
from course_app.rendering import render_markdown

ATTACKS = {
    "script": "<script>alert('script')</script>",
    "javascript link": "[click me](javascript:alert('link'))",
    "javascript link, mixed case": "[click me](JaVaScRiPt:alert('link2'))",
    "javascript autolink": "<javascript:alert('auto')>",
    "onerror": '<img src="x" onerror="alert(\'onerror\')">',
    "onerror in markdown image title":
        "![pic](https://example.org/a.png \"x\\\" onerror=\\\"alert(1)\")",
    "raw html": '<b onclick="alert(\'raw\')">bold</b> <div style="position:fixed">cover</div>',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "data url link": "[open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data url image": "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "svg": "<svg onload=alert('svg')></svg>",
    "form": '<form action="https://evil.example"><input name="password"></form>',
    "style": "<style>body { display: none }</style>",
}


class Collector(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(markup: str) -> list[tuple[str, dict]]:
    parser = Collector()
    parser.feed(markup)
    return parser.tags


def assert_inert(markup: str, allowed_layout: bool = False) -> None:
    """No active element, no event handler, no style, no script or data URL.

    With allowed_layout, the page's own wrappers (div) around the posts are allowed.
    """
    forbidden = {"script", "iframe", "svg", "form", "input", "style", "object", "embed", "div"}
    if allowed_layout:
        forbidden.discard("div")
    for tag, attrs in tags_of(markup):
        assert tag not in forbidden, (tag, markup)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, markup)
            assert name != "style", (tag, markup)
            if name in ("href", "src"):
                lowered = (value or "").strip().lower()
                assert not lowered.startswith(("javascript:", "data:", "vbscript:")), markup


@pytest.mark.parametrize("name", ATTACKS)
def test_render_markdown_makes_each_attack_inert(name):
    assert_inert(render_markdown(ATTACKS[name]))


@pytest.fixture
def thread_page(client, factory, login_as):
    """The thread page as a peer sees it, with every attack posted in it."""
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == "introduce-yourself"))
    thread = services.start_thread(cohort, etivity, ana, "<script>alert('title')</script>",
                                   "Hello [a link](https://example.org/page)", utcnow())
    for body in ATTACKS.values():
        services.reply(thread, ana, body, utcnow())
    db.session.commit()
    login_as(ben)
    response = client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def posts_of(page: str) -> str:
    start = page.index('<ol class="posts">')
    return page[start:page.index("</ol>", start)]


def bodies_of(page: str) -> list[str]:
    """What each post's text became (a sanitised body never contains a div of its own)."""
    return re.findall(r'<div class="post-body">(.*?)</div>', page, re.S)


def test_thread_page_shows_every_attack_as_inert_text(thread_page):
    bodies = bodies_of(thread_page)
    assert len(bodies) == len(ATTACKS) + 1
    for body in bodies:
        assert_inert(body)
    assert_inert(posts_of(thread_page), allowed_layout=True)
    # The only scripts on the page are the app's own files.
    for tag, attrs in tags_of(thread_page):
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/js/")
    assert "<script>alert" not in thread_page
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in thread_page
    assert "<iframe" not in thread_page
    assert not re.search(r'(href|src)\s*=\s*"?\s*(javascript|data):', thread_page, re.I)


def test_raw_html_in_markdown_is_shown_as_text(thread_page):
    assert "&lt;b onclick=" in thread_page
    assert "&lt;iframe src=" in thread_page


def test_links_carry_rel_nofollow_ugc_noopener(thread_page):
    links = [attrs for tag, attrs in tags_of(posts_of(thread_page))
             if tag == "a" and (attrs.get("href") or "").startswith("https://example.org")]
    assert links
    for attrs in links:
        assert attrs.get("rel") == "nofollow ugc noopener"


def test_page_sends_a_content_security_policy_without_inline_code(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    response = client.get(f"/cohorts/{cohort.id}/e/introduce-yourself")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    body = response.get_data(as_text=True)
    assert ' style="' not in body
    assert all(attrs.get("src") for tag, attrs in tags_of(body) if tag == "script")


def test_a_picture_of_our_own_pages_is_not_loaded_by_readers(client, factory, login_as):
    """![](/cohorts/…/threads/…) in a post would have every reader's browser open those
    pages (recording their reads) and /account/data download their data: shown as links.
    A picture from /static/ still shows."""
    cohort = factory.cohort()
    ana, ben = factory.learner_in(cohort), factory.learner_in(cohort)
    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == cohort.course_id,
                                                      Etivity.slug == "introduce-yourself"))
    thread = services.start_thread(cohort, etivity, ana, "Hello", "Hi all.", utcnow())
    pages = [f"/cohorts/{cohort.id}/threads/{thread.id}", "/account/data",
             f"/cohorts/{cohort.id}/e/introduce-yourself"]
    services.reply(thread, ana, " ".join(f"![]({page})" for page in pages)
                   + " ![our logo](/static/img/logo.svg)", utcnow())
    db.session.commit()
    login_as(ben)
    page = client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1").get_data(as_text=True)
    sources = [attrs.get("src") for tag, attrs in tags_of(posts_of(page)) if tag == "img"]
    assert sources == ["/static/img/logo.svg"]
    links = [attrs.get("href") for tag, attrs in tags_of(posts_of(page)) if tag == "a"]
    assert all(target in links for target in pages)
