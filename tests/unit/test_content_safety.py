"""What the CSP promises holds in the templates (no inline script, handler or style), and
posts show images only from where this site keeps them (/static/): any other picture
becomes a link."""

import re
from pathlib import Path

import pytest

from course_app.rendering import render_markdown

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def template_files():
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script_or_style(path):
    source = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", source, re.I):
        assert "src=" in tag, f"inline <script> in {path.name}: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", source, re.I), f"an on…= handler in {path.name}"
    assert not re.search(r"\sstyle\s*=", source, re.I), f"a style= attribute in {path.name}"
    assert "<style" not in source.lower(), f"a <style> block in {path.name}"
    assert "javascript:" not in source.lower(), f"a javascript: URL in {path.name}"


@pytest.mark.parametrize("markdown", [
    "![a cat](https://tracker.example/pixel.png)",
    "![a cat](http://tracker.example/pixel.png)",
    "![a cat](//tracker.example/pixel.png)",
])
def test_an_image_from_another_site_becomes_a_link(markdown):
    html = str(render_markdown(markdown))
    assert "<img" not in html
    assert 'href="' in html and "tracker.example/pixel.png" in html
    assert "Image: a cat" in html
    assert 'rel="nofollow ugc noopener"' in html


def test_an_image_without_words_links_with_its_address():
    html = str(render_markdown("![](https://tracker.example/p.png)"))
    assert "<img" not in html and "Image: https://tracker.example/p.png" in html


def test_an_image_from_this_site_stays_an_image():
    html = str(render_markdown("![the chart](/static/img/chart.png)"))
    assert '<img src="/static/img/chart.png" alt="the chart">' in html


def test_a_backslash_trick_is_not_shown():
    """Browsers read "/\\host" as "//host"; Markdown escapes the backslash into the path,
    which is not where pictures are kept: a link, on this site."""
    html = str(render_markdown("![x](/\\tracker.example/p.png)"))
    assert "<img" not in html
    assert 'href="/%5Ctracker.example/p.png"' in html


@pytest.mark.parametrize("src", [
    "/cohorts/1/threads/2",  # loading it would record the reader's reads
    "/account/data",  # their data export
    "/cohorts/1/e/introduce-yourself",
    "/static/../account/data",  # the browser resolves the dots
    "/static/%2e%2e/account/data",
    "/static/.%2E/cohorts/1/threads/2",
    "/static",
    "/staticfoo/x.png",
])
def test_a_picture_of_one_of_our_pages_becomes_a_link(src):
    """Only /static/ serves pictures here; fetched as an <img>, any other path of ours is a
    page opened as the reader, which may act for them."""
    html = str(render_markdown(f"![chart]({src})"))
    assert "<img" not in html
    assert f'href="{src}"' in html and "Image: chart" in html


def test_a_data_image_is_not_shown():
    html = str(render_markdown("![dot](data:image/png;base64,iVBORw0KGgo=)"))
    assert "<img" not in html
