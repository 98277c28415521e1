"""The links and images in a course's Markdown (an e-tivity's spark and its other texts, the
course's and stages' texts): each must go to the web, to the app's own `/static/` files (the
one place a picture shows from: `rendering.image_allowed`) or stay inside the course folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

from ..rendering import image_allowed
from .reading import Doc, inside

WEB_SCHEMES = ("http", "https", "mailto")


def check_links(doc: Doc, body: str, body_line: int, root: Path, field: str = "body") -> None:
    """Report every link or image in `body` (which starts on file line `body_line`) that may
    not be followed, on the line it is written on, as a problem of `field`."""
    for target, line in _link_targets(body):
        reason = _link_problem(target, root)
        if reason:
            doc.add(body_line + line, field, reason)


def _link_targets(body: str) -> Iterator[tuple[str, int]]:
    """Every link and image target in the Markdown, with its 0-based line in `body`.

    markdown-it normally drops links it considers unsafe (javascript:, file:, …) and renders
    them as text; we accept every link here precisely so that those are reported.
    Raw HTML is parsed as text, as the course pages are expected to render it.
    """
    markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    markdown.validateLink = lambda url: True
    lines = body.splitlines()
    for block in markdown.parse(body):
        if block.type != "inline" or not block.children:
            continue
        start, end = block.map or (0, 1)
        for token in _walk(block.children):
            attr = {"link_open": "href", "image": "src"}.get(token.type)
            if attr and attr in token.attrs:
                target = str(token.attrs[attr])
                yield target, _line_containing(lines, start, end, target)


def _walk(tokens: list) -> Iterator:
    """Tokens and their children (an image's alt text is a child list)."""
    for token in tokens:
        yield token
        yield from _walk(token.children or [])


def _line_containing(lines: list[str], start: int, end: int, target: str) -> int:
    """The line of a block that holds `target`, falling back to the block's first line."""
    for index in range(start, min(end, len(lines))):
        if target in lines[index] or unquote(target) in lines[index]:
            return index
    return start


def _link_problem(target: str, root: Path) -> str | None:
    """Why a link target is not allowed, or None for a web link, one of the app's `/static/`
    files (where pictures shown on the page come from) or a file inside the course.

    Relative targets are taken from the course folder (`images/map.png`, as in the README).
    The path is percent-decoded and backslashes count as slashes, as some browsers and servers
    treat them, so `%2e%2e/` and `..\\` cannot slip past.
    """
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    if scheme in WEB_SCHEMES:
        return None
    if scheme:
        return (
            f"the link {target!r} uses '{scheme}:'; links may only go to the web "
            f"(http, https, mailto) or to a file inside the course folder"
        )
    if parts.netloc:
        return f"the link {target!r} has no scheme; write it in full, starting with https://"
    path = unquote(parts.path).replace("\\", "/")
    example = ("put a picture in the app's static/ folder and link to it as /static/…, "
               "or link to the web (files in the course folder are not served)")
    if path.startswith("/"):
        if image_allowed(target):
            return None
        return f"the link {target!r} is an absolute path; {example}"
    if path and not inside(root / path, root):
        return f"the link {target!r} leads outside the course folder; {example}"
    return None
