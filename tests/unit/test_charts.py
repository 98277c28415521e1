"""The reports' SVG charts: well-formed, self-describing, escaped, and saying what they show."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from types import SimpleNamespace

from course_app.progress.charts import for_every_screen
from course_app.reports import charts
from course_app.reports.interactions import InteractionMap

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text
    assert root.find(f"{SVG}desc").text
    return root


def texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def person(id_, name):
    return SimpleNamespace(id=id_, name=name)


# ---- funnel ----------------------------------------------------------------------------------

def test_funnel_draws_one_bar_per_stage_with_its_count_and_length():
    root = parse(charts.funnel_svg([(1, 10), (2, 6), (3, 3), (4, 1), (5, 0)]))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text for b in bars] == [
        "Stage 1: 10 learners", "Stage 2: 6 learners", "Stage 3: 3 learners",
        "Stage 4: 1 learner", "Stage 5: 0 learners"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] > widths[1] > widths[2] > widths[3] > widths[4] == 0
    assert abs(widths[1] / widths[0] - 0.6) < 0.01
    assert {"10", "6", "3", "1", "0"} <= set(texts(root))
    assert root.find(f"{SVG}desc").text == (
        "10 learners reached stage 1, 6 stage 2, 3 stage 3, 1 stage 4 and 0 stage 5.")


def test_funnel_with_no_learners_says_so_and_escapes_stage_names():
    root = parse(charts.funnel_svg([(n, 0) for n in range(1, 6)],
                                   titles={1: "Access & <motivation>"}))
    assert "No learners yet" in root.find(f"{SVG}desc").text
    assert "1. Access & <motivation>" in texts(root)
    small = parse(charts.funnel_svg([(1, 2)], chart_id="funnel-7", small=True))
    assert small.find(f"{SVG}title").get("id") == "funnel-7-title"


def test_a_phones_funnel_puts_each_stage_name_above_its_bar():
    funnel = [(1, 8), (2, 4), (3, 0), (4, 0), (5, 0)]
    root = parse(charts.funnel_svg(funnel, titles={1: "Access & motivation"}, narrow=True,
                                   chart_id="funnel-narrow"))
    assert root.get("viewBox").split()[2] == "320" and "chart-narrow" in root.get("class")
    assert "1. Access & motivation" in texts(root) and "Stage 2" in texts(root)
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text for b in bars][:2] == [
        "Stage 1: 8 learners", "Stage 2: 4 learners"]
    assert float(bars[1].get("width")) * 2 == float(bars[0].get("width"))
    assert root.find(f"{SVG}desc").text.startswith("8 learners reached stage 1")


# ---- interaction map --------------------------------------------------------------------------

def sample_map():
    fac = person(1, "Farah Facilitator")
    ana, ben = person(2, "Ana"), person(3, "Ben")
    sneaky = person(4, "<script>alert('x')</script>")
    quiet = person(5, "Quiet & Shy")
    people = [(fac, "facilitator"), (ana, "learner"), (ben, "learner"), (sneaky, "learner"),
              (quiet, "learner")]
    edges = {(2, 3): 1, (3, 2): 4, (1, 2): 1, (4, 2): 2}
    return InteractionMap(people=people, edges=edges, not_replied_to=[sneaky, quiet])


def test_interaction_map_is_well_formed_and_escapes_names():
    markup = str(charts.interaction_map_svg(sample_map()))
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    root = parse(markup)
    assert "<script>alert('x')</s…" in texts(root)  # long names are clipped, never broken
    assert "Quiet & Shy" in texts(root)
    assert root.get("aria-labelledby") == "interaction-map-title"  # the summary is read once:
    assert root.get("aria-describedby") == "interaction-map-desc"  # as the description


def test_learners_nobody_replied_to_are_squares_and_named_in_the_description():
    root = parse(charts.interaction_map_svg(sample_map()))
    nodes = {}
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        shape = [child.tag.removeprefix(SVG) for child in group if child.tag != f"{SVG}title"]
        if title is not None and len(shape) == 1:
            nodes[title.text] = shape[0]
    assert nodes == {
        "Farah Facilitator, facilitator": "path",  # a diamond
        "Ana, learner": "circle",
        "Ben, learner": "circle",
        "<script>alert('x')</script>, learner nobody has replied to yet": "rect",
        "Quiet & Shy, learner nobody has replied to yet": "rect",
    }
    desc = root.find(f"{SVG}desc").text
    assert "Nobody has replied to 2 learners yet: <script>alert('x')</script>, Quiet & Shy." in desc
    assert "Nobody has replied to them yet" in texts(root)  # the legend


def test_more_replies_draw_a_thicker_arrow():
    root = parse(charts.interaction_map_svg(sample_map()))
    lines = {line.find(f"{SVG}title").text: float(line.get("stroke-width"))
             for line in root.iter(f"{SVG}line") if line.find(f"{SVG}title") is not None}
    sneaky = "<script>alert('x')</script>"
    assert (lines["Ben replied to Ana 4 times"] > lines[f"{sneaky} replied to Ana 2 times"]
            > lines["Ana replied to Ben 1 time"])
    assert len(lines) == 4
    assert all(line.get("marker-end") for line in root.iter(f"{SVG}line"))


def test_empty_and_crowded_maps_still_draw():
    empty = parse(charts.interaction_map_svg(InteractionMap([], {}, [])))
    assert "Nobody here yet" in texts(empty)
    quiet = parse(charts.interaction_map_svg(InteractionMap([(person(1, "Solo"), "learner")], {},
                                                            [person(1, "Solo")])))
    assert "No replies yet" in texts(quiet)
    crowd = [(person(i, f"Learner {i}"), "learner") for i in range(80)]
    edges = {(i, (i + 1) % 80): 1 for i in range(80)}
    root = parse(charts.interaction_map_svg(InteractionMap(crowd, edges, [])))
    assert not any(t.startswith("Learner ") for t in texts(root))  # too many to label
    assert "Every learner has had a reply." in root.find(f"{SVG}desc").text


# ---- weekly participation ------------------------------------------------------------------------

def test_weekly_chart_speaks_of_the_cohort_not_you():
    monday = date(2027, 1, 4)
    weeks = [(monday, 12, 3, 2), (monday + timedelta(weeks=1), 30, 8, 1)]
    root = parse(charts.weekly_svg(weeks))
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("Over 2 weeks the cohort's learners read 42 peers’ posts, wrote 11 "
                           "replies to peers and started 3 conversations.")
    assert "you" not in desc.lower()
    assert "busiest week began on 11 Jan" in desc
    assert root.find(f"{SVG}title").text == "The cohort's participation, week by week"
    nothing = parse(charts.weekly_svg([(monday, 0, 0, 0)]))
    assert nothing.find(f"{SVG}desc").text.startswith("No activity yet.")


def test_a_phones_interaction_map_has_short_names_and_a_legend_a_line_a_shape():
    markup = str(charts.interaction_map_svg(sample_map(), chart_id="map-narrow", narrow=True))
    assert "<script>" not in markup
    root = parse(markup)
    assert root.get("viewBox").split()[2] == "360" and "chart-narrow" in root.get("class")
    names = texts(root)
    assert {"Farah F.", "Ana", "Quiet S.", "<script>a…"} <= set(names)  # escaped as text
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Farah Facilitator, facilitator" in titles
    legend = [t for t in root.iter(f"{SVG}text") if t.text in (
        "Learner", "Nobody has replied to them yet", "Facilitator")]
    assert len({t.get("y") for t in legend}) == 3 and len({t.get("x") for t in legend}) == 1


def test_a_map_too_big_for_names_on_a_phone_is_drawn_once():
    """Past NARROW_MAP_PEOPLE the phone's copy would have no names, only weight: the wide
    map is the one drawing, and it shows on every screen."""
    people = [(person(i, f"Person {i}"), "learner") for i in range(charts.NARROW_MAP_PEOPLE + 1)]
    crowd = InteractionMap(people=people, edges={(0, 1): 1}, not_replied_to=[])
    assert str(charts.interaction_map_svg(crowd, narrow=True)) == ""
    both = str(for_every_screen(charts.interaction_map_svg, "map", imap=crowd))
    assert both.count("<svg") == 1 and "chart-wide" in both
    few = InteractionMap(people=people[:charts.NARROW_MAP_PEOPLE], edges={}, not_replied_to=[])
    assert str(for_every_screen(charts.interaction_map_svg, "map", imap=few)).count("<svg") == 2


def test_every_name_on_the_map_stays_inside_the_drawing():
    """29 people with long names: at the circle's sides a name runs outwards from its point,
    and was cut off at the drawing's edge ("xtra Learner 16"). Each name's width is taken as
    LABEL_EM of its font a character, which is generous for the sans-serif the page uses."""
    for count in (8, 29, 50):
        people = [(person(i, f"Extra Learner Number {i:02d}"), "learner") for i in range(count)]
        edges = {(i, (i + 1) % count): 1 for i in range(count)}
        for narrow in (False, True):
            markup = charts.interaction_map_svg(InteractionMap(people, edges, []), narrow=narrow)
            if not str(markup):
                continue  # a phone's copy is not drawn for so many (the wide one shows)
            root = parse(markup)
            width = float(root.get("viewBox").split()[2])
            for t in root.iter(f"{SVG}text"):
                if not t.text.startswith("Extra") and not narrow:
                    continue
                x, size = float(t.get("x")), float(t.get("font-size"))
                span = len(t.text) * size * charts.LABEL_EM
                left = {"start": x, "end": x - span, "middle": x - span / 2}[
                    t.get("text-anchor", "start")]
                assert 0 <= left and left + span <= width, (count, narrow, t.text, left, width)


def test_a_funnel_of_one_stage_reads_as_a_sentence():
    """It began " and 8 learners reached stage 1." before the one list joiner."""
    assert charts.funnel_summary([(1, 8)]) == "8 learners reached stage 1."
    assert charts.funnel_summary([(1, 8), (2, 5), (3, 1)]) == (
        "8 learners reached stage 1, 5 stage 2 and 1 stage 3.")
