"""Turning stored text into safe HTML, and counts, times and days into words a reader
understands: the one way the app writes each ("3 replies", "12 January 2027").

Plain functions: `templating.register` makes them template filters; Python code that writes
a sentence (a notice, an email, a chart's summary) calls them too.
"""

from datetime import UTC, date, datetime
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .clock import utcnow
from .redirects import local_path

# Where this site serves pictures from: Flask's static route, and nothing else (course folders'
# images/ are not served; a spark's relative picture is shown as a link). Any other path here
# is a page, and a page fetched as an <img> still acts for the reader: opening a conversation
# records their reads, /account/data exports their data.
IMAGE_PATHS = ("/static/",)


def image_allowed(src: str) -> bool:
    """May a picture in stored text load from `src`? Only from where this site keeps
    pictures (IMAGE_PATHS). Decided on the path as the browser will ask for it: percent-escapes
    read and backslashes as slashes, and no "." or ".." segments, which the browser would
    resolve ("/static/../account/data" is /account/data)."""
    local = local_path(src)
    if local is None:
        return False
    path = unquote(urlsplit(local).path).replace("\\", "/")
    if any(segment in (".", "..") for segment in path.split("/")):
        return False
    return path.startswith(IMAGE_PATHS)


def _image_or_link(renderer, tokens, idx, options, env) -> str:
    """Pictures only from where this site keeps them (`image_allowed`). Any other becomes a
    link to it: reading a post never fetches from another server, so no image can tell
    someone elsewhere who read it, when, and from where (a tracking pixel); nor does it open
    one of our own pages for the reader, which would act as them."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    if image_allowed(str(src)):
        return renderer.image(tokens, idx, options, env)
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    return f'<a href="{escape(src)}">Image: {escape(alt or src)}</a>'


# html=False: raw HTML in Markdown is shown as text, never passed through.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])
_md.add_render_rule("image", _image_or_link)

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "img", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}


def _shift_headings(html: str) -> str:
    """Posts sit under the page's own h1/h2: their headings start at h3."""
    for level in (2, 1):
        html = (html.replace(f"<h{level}>", f"<h{level + 2}>")
                .replace(f"</h{level}>", f"</h{level + 2}>"))
    return html


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, then sanitised by an allow-list; links get rel="nofollow ugc noopener"."""
    if not text:
        return Markup("")
    return Markup(_render(text))  # nosec


# Rendering is a pure function of the text (nothing from the request, the reader or the
# database), so each worker keeps the HTML of the texts it rendered last: a busy thread's page
# renders its 20 posts once, not on every view. Keyed by the text itself, an edited post is a
# new key, so the cache can never show a stale version, on one server or many. The bound keeps
# it to a few megabytes a worker.
@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    return nh3.clean(
        _shift_headings(_md.render(text)),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


def plain_words(text: str | None) -> str:
    """A Markdown text as its reader sees it, in plain words: "bold", not "**bold**" (an
    email's text part, a quote checked against what readers read)."""
    return render_markdown(text).striptags()


def excerpt(text: str | None, length: int = 160) -> str:
    """A text as its reader sees it (`plain_words`), cut at a word with "…": a card's summary
    or a quoted post. Plain text, so templates escape it like any other."""
    words = plain_words(text)
    if len(words) <= length:
        return words
    cut = words[:length - 1]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:–—") + "…"


def _ago(then: datetime, now: datetime) -> str:
    seconds = int((now - then).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400 * 365, "year"), (86400 * 30, "month"), (86400 * 7, "week"),
                       (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            return f"{plural(seconds // size, unit, unit + 's')} ago"
    return "just now"


def time_tag(value: datetime | None, relative: bool = True) -> Markup:
    """A <time> element: "3 days ago" with the exact time as its title.

    static/js/time.js rewrites the title (and absolute dates) into the reader's local time.
    The datetime attribute stops at seconds: HTML's date strings allow at most three
    fractional digits, and Python's isoformat() would write six.
    """
    if value is None:
        return Markup("")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    exact = exact_time(value)
    text = _ago(value, utcnow()) if relative else exact
    kind = "relative" if relative else "absolute"
    return Markup(
        f'<time datetime="{value.isoformat(timespec="seconds")}" title="{escape(exact)}" '
        f'data-kind="{kind}">'
        f"{escape(text)}</time>"
    )  # nosec


def plural(n: int, one: str, many: str) -> str:
    """"1 reply", "3 replies"."""
    return f"{n} {one if n == 1 else many}"


def listed(words: list[str]) -> str:
    """"replies", "replies and messages", "replies, messages and stage openings"."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def exact_time(value: datetime) -> str:
    """"5 Dec 2026, 14:03 UTC": a moment as the server writes it (static/js/time.js shows a
    <time>'s in the reader's own zone)."""
    return f"{value.day} {value:%b %Y, %H:%M} UTC"


def long_date(day: date | None) -> str:
    """12 January 2027 (a calendar day, so no time zone to convert; a datetime gives its
    UTC day)."""
    return f"{day.day} {day:%B %Y}" if day else ""


def day_month(day: date | None) -> str:
    """21 November (where the year goes without saying)."""
    return f"{day.day} {day:%B}" if day else ""


def short_date(day: date | None) -> str:
    """Tue 3 Feb."""
    return f"{day:%a} {day.day} {day:%b}" if day else ""
