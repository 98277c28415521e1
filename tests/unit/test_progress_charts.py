"""The participation chart on my progress: well-formed SVG that names and sums itself up."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from course_app.progress.charts import for_every_screen, participation_chart, summary

SVG = "{http://www.w3.org/2000/svg}"

WEEKS = [(date(2027, 1, 4), 5, 1, 1), (date(2027, 1, 11), 0, 0, 0), (date(2027, 1, 18), 9, 4, 2)]


def test_chart_is_well_formed_svg_that_names_itself():
    svg = participation_chart(WEEKS)
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Your participation, week by week"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")  # the summary is read once
    assert "read 14 peers’ posts" in desc.text and "started 3 conversations" in desc.text
    assert "busiest week began on 18 Jan" in desc.text
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 9  # three per week
    heights = [float(r.get("height")) for r in bars]
    assert heights[6] > heights[0] > 0 and heights[3] == 0  # 9 reads > 5 reads > none


def test_chart_escapes_its_text_and_prefixes_ids():
    svg = participation_chart(WEEKS, chart_id="a<b", title='Tom & "Jerry" <3')
    root = ET.fromstring(str(svg))
    assert root.find(f"{SVG}title").text == 'Tom & "Jerry" <3'
    assert root.find(f"{SVG}title").get("id") == "ab-title"


def test_chart_with_no_weeks_is_still_valid():
    root = ET.fromstring(str(participation_chart([])))
    assert root.find(f"{SVG}title") is not None
    assert summary([]).startswith("No activity yet")
    assert summary([(date(2027, 1, 4), 0, 0, 0)]).startswith("No activity yet")


def test_one_summary_speaks_to_the_learner_or_of_the_cohort():
    week = [(date(2027, 2, 1), 1, 1, 1)]
    assert summary(week) == ("Over 1 week you read 1 peer’s post, wrote 1 reply to peers and "
                             "started 1 conversation. Your busiest week began on 1 Feb.")
    assert summary(week, "cohort") == (
        "Over 1 week the cohort's learners read 1 peer’s post, wrote 1 reply to peers and "
        "started 1 conversation. The busiest week began on 1 Feb.")
    assert "as you read" in summary([])
    assert "as learners read" in summary([], "cohort")


def test_a_phone_gets_the_chart_drawn_narrow_with_fewer_week_labels():
    weeks = [(date(2027, 1, 4) + timedelta(weeks=k), k, 0, 0) for k in range(12)]
    wide, narrow = (ET.fromstring(str(participation_chart(weeks, narrow=n))) for n in (0, 1))
    assert wide.get("viewBox") == "0 0 640 240" and narrow.get("viewBox") == "0 0 320 240"
    assert "chart-wide" in wide.get("class") and "chart-narrow" in narrow.get("class")
    labels = [t for t in narrow.iter(f"{SVG}text") if t.text and t.text.endswith(("Jan", "Feb",
                                                                                 "Mar"))]
    assert 1 < len(labels) <= 4  # week labels 30 units apart would overlap
    bars = [r for r in narrow.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 36 and all(float(r.get("x")) + float(r.get("width")) <= 320 for r in bars)


def test_for_every_screen_draws_both_with_their_own_ids():
    both = str(for_every_screen(participation_chart, "mine", weeks=WEEKS))
    root = ET.fromstring(f"<div>{both}</div>")
    first, second = root
    assert first.get("aria-labelledby") == "mine-title"
    assert second.get("aria-labelledby") == "mine-narrow-title"
    assert [el.get("class") for el in root] == ["chart chart-wide", "chart chart-narrow"]
