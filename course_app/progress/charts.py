"""Small charts drawn on the server as SVG: no script, nothing to load, readable when printed.

Pure functions from numbers to markup. The SVG is an image (`role="img"`) named by its <title>
and described by a <desc> that sums it up: the title names it and the desc describes it, so a
screen reader reads the summary once. Pages put the same numbers in a table next to it.
"""

import math
from collections.abc import Callable, Sequence
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup

from ..rendering import plural

# (label, hover words (verb, one, many), fill, pattern): three bars per week, told apart by
# order, shade and pattern as well as colour, so the chart reads in greyscale and to the
# colour-blind.
MODES = (
    ("Read", ("read", "peer’s post", "peers’ posts"), "#9cc3e6", None),
    ("Replied", ("wrote", "reply to peers", "replies to peers"), "#1f5fa8", "hatch"),
    ("Started", ("started", "conversation", "conversations"), "#0b2747", None),
)

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 40, 36
# A phone's column is about 290 px: the 640-wide chart's 12-unit text would show at 5 px, so
# a phone gets the same chart drawn 320 wide (its text at 11 px), with fewer week labels.
NARROW_WIDTH = 320


def _nice_max(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … at or above `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"


# Who a weekly chart is about, as its summary says it: (the readers, whose busiest week, who
# fills the empty chart). One learner's own chart speaks to them; the cohort's, about them.
VOICES = {
    "you": ("you", "Your busiest week", "you read"),
    "cohort": ("the cohort's learners", "The busiest week", "learners read"),
}


def summary(weeks: Sequence[tuple[date, int, int, int]], voice: str = "you") -> str:
    """The chart in one or two sentences, for its <desc> and anyone who can't see it."""
    who, busiest_week, empty = VOICES[voice]
    if not weeks or not any(o or i or n for _, o, i, n in weeks):
        return f"No activity yet. The chart fills in as {empty}, reply and start conversations."
    observe, interact, initiate = (sum(w[k] for w in weeks) for k in (1, 2, 3))
    busiest = max(weeks, key=lambda w: (w[1] + w[2] + w[3], w[0]))
    return (
        f"Over {plural(len(weeks), 'week', 'weeks')} {who} read "
        f"{plural(observe, 'peer’s post', 'peers’ posts')}, wrote "
        f"{plural(interact, 'reply', 'replies')} to peers and started "
        f"{plural(initiate, 'conversation', 'conversations')}. "
        f"{busiest_week} began on {_short(busiest[0])}."
    )


def chart_ident(chart_id: str) -> str:
    """`chart_id` as a prefix for the ids inside a chart's SVG."""
    return "".join(ch for ch in chart_id if ch.isalnum() or ch in "-_") or "chart"


def for_every_screen(draw: Callable[..., Markup], chart_id: str, **options) -> Markup:
    """A chart drawn twice, for wide screens and (`narrow=True`, ids ending "-narrow") for
    phones, where the wide drawing's text would shrink past reading: the stylesheet shows
    the narrow one instead below 34em (`.chart-wide`, `.chart-narrow`), and print the wide.
    A drawing may decline to be drawn narrow (empty markup): the wide one then shows on
    every screen."""
    wide = draw(chart_id=chart_id, **options)
    narrow = draw(chart_id=f"{chart_id}-narrow", narrow=True, **options)
    return wide + "\n" + narrow if narrow else wide  # Markup + str stays Markup


def participation_chart(weeks: Sequence[tuple[date, int, int, int]],
                        chart_id: str = "participation",
                        title: str = "Your participation, week by week",
                        voice: str = "you", narrow: bool = False) -> Markup:
    """Grouped bars (read, replied, started) for each week, as an SVG element.

    `weeks` holds (week start, observe, interact, initiate), oldest first. `chart_id`
    prefixes the ids inside, so two charts can share a page; `voice` says whose weeks they
    are (`VOICES`); `narrow` draws it for a phone (`for_every_screen`).
    """
    ident = chart_ident(chart_id)
    width = NARROW_WIDTH if narrow else WIDTH
    plot_w, plot_h = width - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_max(max((max(o, i, n) for _, o, i, n in weeks), default=0))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'class="chart {"chart-narrow" if narrow else "chart-wide"}" role="img" '
        f'viewBox="0 0 {width} {HEIGHT}" focusable="false" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(summary(weeks, voice))}</desc>',
        "<defs>",
        f'<pattern id="{ident}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)">',
        f'<rect width="6" height="6" fill="{MODES[1][2]}"/>',
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/>',
        "</pattern>",
        "</defs>",
    ]

    def fill(mode: int) -> str:
        pattern = MODES[mode][3]
        return f"url(#{ident}-{pattern})" if pattern else MODES[mode][2]

    # Legend, in the same order as the bars in each group.
    x = LEFT
    for mode, (label, *_rest) in enumerate(MODES):
        out.append(f'<rect x="{x}" y="8" width="14" height="14" fill="{fill(mode)}" '
                   f'stroke="#1d2430" stroke-width="0.5"/>')
        out.append(f'<text x="{x + 20}" y="20" font-size="13" fill="#1d2430">'
                   f'{escape(label)}</text>')
        x += 20 + 9 * len(label) + (16 if narrow else 24)

    # Axis and grid: 0, half, top.
    for value in (0, top / 2, top):
        y = TOP + plot_h - plot_h * value / top
        label = f"{value:g}"
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" '
                   f'stroke="#d5dae1" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
                   f'fill="#5b6472">{label}</text>')

    if weeks:
        group = plot_w / len(weeks)
        bar = min(group * 0.8 / 3, 28)
        # Keep week labels from overlapping: ten at most, four on a phone.
        every = max(1, math.ceil(len(weeks) / 4) if narrow else round(len(weeks) / 10))
        for index, (start, *values) in enumerate(weeks):
            left = LEFT + group * index + (group - bar * 3) / 2
            for mode, value in enumerate(values):
                height = plot_h * value / top
                verb, one, many = MODES[mode][1]
                hover = f"Week of {_short(start)}: {verb} {plural(value, one, many)}"
                out.append(
                    f'<rect x="{left + bar * mode:.1f}" y="{TOP + plot_h - height:.1f}" '
                    f'width="{bar:.1f}" height="{height:.1f}" fill="{fill(mode)}">'
                    f"<title>{escape(hover)}</title></rect>"
                )
            if index % every == 0:
                centre = LEFT + group * index + group / 2
                out.append(f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 18}" font-size="12" '
                           f'text-anchor="middle" fill="#5b6472">{escape(_short(start))}</text>')
    else:
        out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" '
                   f'font-size="14" text-anchor="middle" fill="#5b6472">No activity yet</text>')
    out.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{width - RIGHT}" y2="{TOP + plot_h}" '
               f'stroke="#5b6472" stroke-width="1"/>')
    out.append("</svg>")
    return Markup("\n".join(out))  # nosec
