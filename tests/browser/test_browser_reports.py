"""Issue 6's "done when" in a real browser: the demo reviewer opens the cohort dashboard,
filters to the learners stuck in stage 2, sees the funnel and the interaction map, downloads
the CSV, makes an API token on the tokens page and fetches the same numbers from the API.

The API is called with urllib, not the browser: a request without the browser's cookies shows
that the token alone opens it. The dashboard is reached by its address, /reports/cohorts/<id>,
filtered with its form (which puts status=stuck&stage=2 in the address), and the CSV by its
link to /reports/cohorts/<id>/progress.csv; the charts are found as images by their text
alternative."""

import csv
import io
import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from browser_steps import demo_cohort_id, log_in
from course_app.demo import DEMO_COHORT
from course_app.reports import exports

pytestmark = pytest.mark.browser

REVIEWER = "reviewer@example.org"
STUCK_IN_STAGE_2 = "Finn O'Brien"
FINN = "finn@example.org"


def api_get(url: str, token: str | None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def make_token(page: Page, base: str, name: str) -> str:
    page.goto(base + "/reports/tokens")
    expect(page).to_have_title(re.compile("API tokens"))
    page.get_by_label("Token name").fill(name)
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_text("you won't see it again")).to_be_visible()
    secret = page.get_by_label("Your token").input_value()
    assert secret.startswith("cat_")
    return secret


def test_reviewer_reads_filters_downloads_and_fetches_the_same_numbers(page: Page, live_server):
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    dashboard = f"{base}/reports/cohorts/{cohort_id}"
    log_in(page, base, REVIEWER)

    # The dashboard: the funnel and the interaction map, server-drawn SVG with text alternatives.
    page.goto(dashboard)
    expect(page.get_by_role("heading", level=1)).to_contain_text(DEMO_COHORT)
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("funnel|reached", re.I)).first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("interaction|replied", re.I)).first
           ).to_be_visible()

    # Only the learners stuck in stage 2, with the dashboard's filter form.
    filters = page.locator("form", has=page.get_by_label("Status"))
    filters.get_by_label("Status").select_option("stuck")
    filters.get_by_label("Current stage").select_option("2")
    filters.locator("button[type=submit], input[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"[?&]status=stuck(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]stage=2(&|$)"))
    grid = page.locator("table").filter(has_text=STUCK_IN_STAGE_2).first
    expect(grid).to_be_visible()
    for moved_on in ("Ana Okafor", "Eve Walsh", "Dev Patel"):
        expect(grid).not_to_contain_text(moved_on)

    # The CSV, as a spreadsheet would open it.
    page.goto(dashboard)
    with page.expect_download() as download:
        page.locator('a[href*="progress.csv"]').first.click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as f:
        content = f.read()
    lines = content.splitlines()
    assert lines[0] == ",".join(exports.CSV_COLUMNS)
    assert any(FINN in line for line in lines[1:])
    finn_rows = [r for r in csv.DictReader(io.StringIO(content)) if r["email"] == FINN]
    assert finn_rows

    # A token, made in the browser, seen once.
    secret = make_token(page, base, "Reviewer's spreadsheet")
    page.get_by_role("link", name=re.compile("back to your tokens", re.I)).click()
    expect(page.get_by_role("row", name=re.compile("Reviewer's spreadsheet"))).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(secret)

    # The same numbers from the API, with the token alone.
    api = f"{base}/api/v1/cohorts/{cohort_id}/progress"
    assert api_get(api, None)[0] == 404
    status, data = api_get(api, secret)
    assert status == 200
    finn = next(p for p in data["learners"] if p["email"] == FINN)
    assert finn["current_stage"] == 2 and "stuck" in finn["at_risk"]
    assert all(r["current stage"] == "2" for r in finn_rows)
    from_csv = [(r["state"], int(r["observe"]), int(r["interact"]), int(r["initiate"]))
                for r in finn_rows]
    from_api = [(e["state"], e["observe"], e["interact"], e["initiate"])
                for e in finn["etivities"]]
    assert from_csv == from_api
    assert sum(n for _, n, _, _ in from_api) > 0  # Finn did read, so the check compares something

    # The tokens page shows it was used.
    page.goto(base + "/reports/tokens")
    row = page.get_by_role("row", name=re.compile("Reviewer's spreadsheet"))
    expect(row).to_contain_text("just now")


def test_on_a_phone_the_filters_fold_away_until_asked_for(page: Page, live_server):
    base, app = live_server
    page.set_viewport_size({"width": 320, "height": 700})
    log_in(page, base, REVIEWER)
    page.goto(f"{base}/reports/cohorts/{demo_cohort_id(app)}")
    status = page.get_by_label("Status", exact=True)
    expect(status).to_be_hidden()
    toggle = page.get_by_text("Filter and sort the learners")
    toggle.focus()
    page.keyboard.press("Enter")
    status.select_option("stuck")
    page.get_by_role("button", name="Show learners").click()
    expect(page).to_have_url(re.compile(r"[?&]status=stuck(&|$)"))
    expect(status).to_be_visible()  # what was chosen stays in sight
    expect(page.locator("table").filter(has_text=STUCK_IN_STAGE_2).first).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{base}/reports/cohorts/{demo_cohort_id(app)}")
    expect(status).to_be_visible()
    expect(toggle).to_be_hidden()


def test_reviewer_revokes_a_token_and_the_api_forgets_it(page: Page, live_server):
    base, app = live_server
    cohort_id = demo_cohort_id(app)
    api = f"{base}/api/v1/cohorts/{cohort_id}/progress"
    log_in(page, base, REVIEWER)
    secret = make_token(page, base, "Old laptop")
    assert api_get(api, secret)[0] == 200

    page.goto(base + "/reports/tokens")
    page.get_by_role("button", name="Revoke Old laptop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Revoke the token \u201cOld laptop\u201d?")
    page.get_by_role("button", name="Yes, revoke it").click()
    expect(page.get_by_text("no longer works")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Old laptop"))).to_contain_text("Revoked")

    status, body = api_get(api, secret)
    assert status == 404 and "error" in body


def test_a_learner_is_told_tokens_are_not_for_them(page: Page, live_server):
    base, _ = live_server
    log_in(page, base, "dev@example.org")
    page.goto(base + "/reports/tokens")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "API tokens are for facilitators and reviewers")
    page.get_by_role("link", name="Back to your cohorts").click()
    expect(page.get_by_role("heading", name="Your cohorts")).to_be_visible()


# Whether an element sits inside the grid's scroll box as it is on screen now.
_IN_THE_BOX = """el => {
  const r = el.getBoundingClientRect(), box = el.closest('.grid-wrap').getBoundingClientRect();
  return r.left >= box.left - 1 && r.right <= box.right + 1;
}"""


def test_on_a_phone_the_grid_scrolls_under_its_caption_and_the_names(page: Page, live_server):
    """At 320 px the grid scrolls sideways in its own box; its caption wraps to the box and
    stays in view, as each learner's name does, wherever the grid is scrolled."""
    base, app = live_server
    page.set_viewport_size({"width": 320, "height": 800})
    log_in(page, base, REVIEWER)
    page.goto(f"{base}/reports/cohorts/{demo_cohort_id(app)}")
    box = page.locator(".grid-wrap")
    caption, name = box.locator("caption"), box.locator("tbody th").first
    assert caption.evaluate(_IN_THE_BOX) and name.evaluate(_IN_THE_BOX)
    box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    page.wait_for_function(  # the box may scroll smoothly
        "box => box.scrollLeft > 0 && box.scrollLeft + box.clientWidth >= box.scrollWidth - 1",
        arg=box.element_handle())
    assert caption.evaluate(_IN_THE_BOX), "the caption scrolled out of its box"
    assert name.evaluate(_IN_THE_BOX), "the learner's name scrolled out of view"


# The smallest text the visible charts draw, in CSS pixels as the screen shows it.
_SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg.chart')]
  .filter(svg => svg.getBoundingClientRect().width > 0 && !svg.closest('details'))
  .flatMap(svg => [...svg.querySelectorAll('text')])
  .map(text => text.getBoundingClientRect().height))"""


@pytest.mark.parametrize("width", [320, 1280])
def test_charts_text_stays_readable_on_a_phone(page: Page, live_server, width):
    """At 320 px the funnel, the weekly chart and the interaction map are the ones drawn for a
    phone (the wide ones' text would show at 5 px); at 1280 the wide ones. One of each shows,
    never both."""
    base, app = live_server
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, base, REVIEWER)
    page.goto(f"{base}/reports/cohorts/{demo_cohort_id(app)}")
    shown = "narrow" if width == 320 else "wide"
    for name in ("reached each stage", "week by week", "who replied to whom"):
        chart = page.get_by_role("img", name=re.compile(name))
        expect(chart).to_have_count(1)  # the hidden drawing is not in the accessibility tree
        assert f"chart-{shown}" in chart.get_attribute("class")
    assert page.evaluate(_SMALLEST_CHART_TEXT) >= (9 if width == 320 else 10)


# Tables in the printable view wider than their box: on paper their right-hand columns are cut.
_TOO_WIDE = """() => [...document.querySelectorAll('.print-report table')]
  .filter(table => table.scrollWidth > table.parentElement.clientWidth)
  .map(table => table.querySelector('caption').textContent)"""


def test_every_column_of_the_printable_view_fits_a_landscape_page(page: Page, live_server):
    """The whole grid is about 2,500 px wide: printed as one table, stage 4's last e-tivities
    and all of stage 5 were cut off. A landscape A4 page is about 1,050 px: each table of the
    printable view (the learners', then one a stage) fits in that."""
    base, app = live_server
    page.set_viewport_size({"width": 1047, "height": 740})
    log_in(page, base, REVIEWER)
    page.goto(f"{base}/reports/cohorts/{demo_cohort_id(app)}/print")
    page.emulate_media(media="print")
    expect(page.locator(".print-report table.grid")).to_have_count(6)  # learners, 5 stages
    assert page.evaluate(_TOO_WIDE) == []
