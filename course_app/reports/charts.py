"""The reports' charts, drawn on the server as SVG: no script, nothing to load, readable when
printed and in greyscale.

Pure functions from the numbers in reports.queries to markup, like progress/charts.py (whose
weekly bar chart the cohort page reuses). Each SVG is an image named by its <title> and
described by a <desc> that sums it up (named by the title alone, so screen readers read the
summary once), and pages put the same numbers in a table or list beside it. Every
piece of text, people's names above all, is escaped here before it becomes Markup.
"""

import math
from collections.abc import Mapping, Sequence
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup

from ..progress.charts import chart_ident, participation_chart
from ..rendering import listed, plural
from .interactions import InteractionMap

INK, MUTED, LINE = "#1d2430", "#5b6472", "#d5dae1"
ACCENT, DARK, BAD = "#1f5fa8", "#0b2747", "#a61b1b"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _open_svg(ident: str, width: float, height: float, title: str, desc: str,
              css_class: str = "chart") -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'viewBox="0 0 {width:g} {height:g}" focusable="false" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


# ---- the stage funnel ---------------------------------------------------------------------

def funnel_summary(funnel: Sequence[tuple[int, int]]) -> str:
    """The funnel in one sentence: "8 learners reached stage 1, 5 stage 2, …"."""
    if not funnel or not any(n for _, n in funnel):
        return "No learners yet, so no stage has been reached."
    parts = [f"{plural(n, 'learner', 'learners')} reached stage {stage}" if i == 0
             else f"{n} stage {stage}" for i, (stage, n) in enumerate(funnel)]
    return listed(parts) + "."


def funnel_svg(funnel: Sequence[tuple[int, int]], titles: Mapping[int, str] | None = None,
               chart_id: str = "funnel", title: str = "How many learners reached each stage",
               small: bool = False, narrow: bool = False) -> Markup:
    """Horizontal bars, stage 1 at the top, each with its count.

    `funnel` holds (stage, learners who reached it), as reports.queries.funnel returns;
    `titles` the stages' names for the labels. `small` draws a narrow version without the
    names, for several cohorts side by side; `narrow` one for a phone, each stage's name
    above its bar (`progress.charts.for_every_screen`).
    """
    ident = chart_ident(chart_id)
    if narrow:
        return _narrow_funnel(funnel, titles or {}, ident, title)
    width = 320 if small else 640
    left = 70 if small else 230
    right = 50
    bar_h, gap, top = (18, 8, 8) if small else (26, 12, 10)
    height = top * 2 + len(funnel) * (bar_h + gap) - gap
    most = max((n for _, n in funnel), default=0) or 1
    font = 12 if small else 13
    out = _open_svg(ident, width, height, title, funnel_summary(funnel),
                    "chart chart-funnel " + ("chart-small" if small else "chart-wide"))
    plot = width - left - right
    for index, (stage, n) in enumerate(funnel):
        y = top + index * (bar_h + gap)
        label = f"Stage {stage}"
        if titles and not small and titles.get(stage):
            label = _clip(f"{stage}. {titles[stage]}", 32)
        out.append(f'<text x="{left - 8}" y="{y + bar_h * 0.7:.1f}" font-size="{font}" '
                   f'text-anchor="end" fill="{INK}">{escape(label)}</text>')
        out += _funnel_bar(left, y, plot, plot * n / most, bar_h, font, stage, n)
    out.append("</svg>")
    return Markup("\n".join(out))  # nosec


def _funnel_bar(x: float, y: float, plot: float, length: float, bar_h: float, font: int,
                stage: int, n: int) -> list[str]:
    """One stage's bar: its outline the whole plot long, the part reached filled (named
    for hover), and the count after it."""
    hover = f"Stage {stage}: {plural(n, 'learner', 'learners')}"
    return [
        f'<rect x="{x}" y="{y}" width="{plot:.1f}" height="{bar_h}" fill="none" '
        f'stroke="{LINE}" stroke-width="1"/>',
        f'<rect x="{x}" y="{y}" width="{length:.1f}" height="{bar_h}" '
        f'fill="{ACCENT}"><title>{escape(hover)}</title></rect>',
        f'<text x="{x + length + 6:.1f}" y="{y + bar_h * 0.72:.1f}" '
        f'font-size="{font}" font-weight="700" fill="{INK}">{n}</text>',
    ]


def _narrow_funnel(funnel: Sequence[tuple[int, int]], titles: Mapping[int, str], ident: str,
                   title: str) -> Markup:
    """The funnel for a phone: 320 wide, so its text shows at a readable size there, with
    each stage's name on a line above its bar."""
    width, right, font, bar_h, row = 320, 40, 13, 18, 46
    height = len(funnel) * row
    most = max((n for _, n in funnel), default=0) or 1
    plot = width - right
    out = _open_svg(ident, width, height, title, funnel_summary(funnel),
                    "chart chart-funnel chart-narrow")
    for index, (stage, n) in enumerate(funnel):
        y = index * row
        label = _clip(f"{stage}. {titles[stage]}", 40) if titles.get(stage) else f"Stage {stage}"
        out.append(f'<text x="0" y="{y + 15}" font-size="{font}" fill="{INK}">'
                   f'{escape(label)}</text>')
        out += _funnel_bar(0, y + 21, plot, plot * n / most, bar_h, font, stage, n)
    out.append("</svg>")
    return Markup("\n".join(out))  # nosec


# ---- participation per week ---------------------------------------------------------------

def weekly_svg(weeks: Sequence[tuple[date, int, int, int]], chart_id: str = "cohort-weekly",
               title: str = "The cohort's participation, week by week",
               narrow: bool = False) -> Markup:
    """progress/charts.py's participation chart, its summary about the cohort, not "you"."""
    return participation_chart(weeks, chart_id=chart_id, title=title, voice="cohort",
                               narrow=narrow)


# ---- the interaction map ------------------------------------------------------------------

def interaction_summary(imap: InteractionMap) -> str:
    learners = sum(1 for _, role in imap.people if role == "learner")
    if not imap.people:
        return "Nobody has joined the cohort yet."
    words = (f"{plural(len(imap.people), 'person', 'people')} "
             f"({plural(learners, 'learner', 'learners')}); "
             f"{plural(imap.replies, 'reply', 'replies')}, ")
    if imap.summarised:
        words += (f"between {imap.pairs} pairs of people; the {len(imap.edges)} pairs with "
                  "most replies are drawn as arrows, and every pair is in the download.")
    else:
        words += f"drawn as {plural(imap.pairs, 'arrow', 'arrows')}."
    if imap.not_replied_to:
        shown = [u.name for u in imap.not_replied_to[:10]]
        more = len(imap.not_replied_to) - len(shown)
        unanswered = plural(len(imap.not_replied_to), 'learner', 'learners')
        words += (f" Nobody has replied to {unanswered}"
                  f" yet: {', '.join(shown)}{f' and {more} more' if more > 0 else ''}.")
    elif learners:
        words += " Every learner has had a reply."
    return words


def _node(shape: str, x: float, y: float, r: float) -> str:
    if shape == "facilitator":  # a filled diamond
        return (f'<path d="M{x:.1f},{y - r * 1.3:.1f} L{x + r * 1.3:.1f},{y:.1f} '
                f'L{x:.1f},{y + r * 1.3:.1f} L{x - r * 1.3:.1f},{y:.1f} Z" fill="{DARK}"/>')
    if shape == "unanswered":  # a hollow square with a thick dark-red edge
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                f'fill="#ffffff" stroke="{BAD}" stroke-width="2.5"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{ACCENT}"/>'


NARROW_MAP_PEOPLE = 16  # names on a phone's map; beyond this, one map for every screen
LABEL_EM = 0.62  # a name's width per character, in ems of its font (sans-serif, generous)


def _short_name(name: str) -> str:
    """"Farah F." for Farah Facilitator: a name that fits beside a phone's map."""
    first, *rest = name.split() or [""]
    return _clip(first, 10) + (f" {rest[-1][0]}." if rest else "")


def interaction_map_svg(imap: InteractionMap, chart_id: str = "interaction-map",
                        title: str = "Interaction map: who replied to whom",
                        narrow: bool = False) -> Markup:
    """The cohort's people on a circle and an arrow from each person to each one they replied
    to, thicker for more replies. Learners nobody has replied to are hollow squares,
    facilitators dark diamonds; a legend says so, and the <desc> names the unanswered.
    `narrow` draws it for a phone (`progress.charts.for_every_screen`): a smaller circle,
    short names, the legend a line a shape. Only up to NARROW_MAP_PEOPLE: more names would
    overlap, and a nameless copy would only add weight to the page (40 kB at 300 people),
    so then nothing is drawn and the wide map shows on a phone too."""
    ident = chart_ident(chart_id)
    people = imap.people
    count = len(people)
    if narrow and count > NARROW_MAP_PEOPLE:
        return Markup("")
    if narrow:
        width, radius, font, labels = 360, 95, 13, True
    else:
        width, radius = 640, 190 if count <= 24 else 220
        font, labels = 12 if count <= 24 else 10, count <= 60
    node_r = 7 if count <= 40 else 4
    label = _short_name if narrow else (lambda name: _clip(name, 22))
    if labels and people:
        # Wide enough for the longest name beside the circle (a name at either side runs
        # outwards from its point); the page scales the drawing to its column. A phone's
        # circle shrinks first, so its names keep their size on the screen.
        longest = max(len(label(user.name)) for user, _ in people) * font * LABEL_EM
        if narrow:
            radius = max(60, min(radius, width / 2 - 4 - node_r - 6 - longest))
        width = max(width, math.ceil(2 * (radius + node_r + 6 + longest)) + 8)
    cx = width / 2
    if narrow:
        cy = radius + 40
        legend_y = cy + radius + 40
        height = legend_y + 80
    else:
        cy = radius + 70
        legend_y = cy + radius + 60
        height = legend_y + 46
    out = _open_svg(ident, width, height, title, interaction_summary(imap),
                    "chart chart-map " + ("chart-narrow" if narrow else "chart-wide"))
    out += [
        "<defs>",
        f'<marker id="{ident}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
        f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 Z" fill="{MUTED}"/></marker>',
        "</defs>",
    ]
    if not people:
        out.append(f'<text x="{cx}" y="{cy}" font-size="14" text-anchor="middle" fill="{MUTED}">'
                   "Nobody here yet</text>")
        out.append("</svg>")
        return Markup("\n".join(out))  # nosec

    unanswered = {u.id for u in imap.not_replied_to}
    places: dict[int, tuple[float, float, float]] = {}
    for index, (user, _role) in enumerate(people):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        places[user.id] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)

    names = {user.id: user.name for user, _ in people}
    most = max(imap.edges.values(), default=1)
    out.append(f'<g class="edges" stroke="{MUTED}" stroke-linecap="round">')
    for (a, b), n in sorted(imap.edges.items()):
        if a not in places or b not in places:
            continue
        x1, y1, _ = places[a]
        x2, y2, _ = places[b]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1
        ux, uy = dx / length, dy / length
        # Two people who replied to each other get two arrows, side by side.
        shift = 3.5 if (b, a) in imap.edges else 0
        ox, oy = -uy * shift, ux * shift
        gap = node_r + 3
        stroke = 1.2 + 4.8 * (n - 1) / (most - 1) if most > 1 else 1.6
        hover = f"{names[a]} replied to {names[b]} {plural(n, 'time', 'times')}"
        out.append(
            f'<line x1="{x1 + ux * gap + ox:.1f}" y1="{y1 + uy * gap + oy:.1f}" '
            f'x2="{x2 - ux * gap + ox:.1f}" y2="{y2 - uy * gap + oy:.1f}" '
            f'stroke-width="{stroke:.1f}" marker-end="url(#{ident}-arrow)">'
            f"<title>{escape(hover)}</title></line>")
    out.append("</g>")
    if not imap.edges:
        out.append(f'<text x="{cx}" y="{cy + 5}" font-size="14" text-anchor="middle" '
                   f'fill="{MUTED}">No replies yet</text>')

    out.append('<g class="people">')
    for user, role in people:
        x, y, angle = places[user.id]
        shape = ("facilitator" if role == "facilitator"
                 else "unanswered" if user.id in unanswered else "learner")
        what = {"facilitator": "facilitator", "unanswered": "learner nobody has replied to yet",
                "learner": "learner"}[shape]
        out.append(f"<g>{_node(shape, x, y, node_r)}"
                   f"<title>{escape(f'{user.name}, {what}')}</title></g>")
        if labels:
            cos = math.cos(angle)
            anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
            lx = x + (node_r + 6) * cos
            ly = y + (node_r + 6) * math.sin(angle) + font * 0.35
            if anchor == "middle":
                ly += (font if math.sin(angle) > 0 else -4)
            weight = ' font-weight="700"' if shape != "learner" else ""
            out.append(f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="{font}" '
                       f'text-anchor="{anchor}" fill="{INK}"{weight}>'
                       f"{escape(label(user.name))}"
                       "</text>")
    out.append("</g>")

    # The legend: shapes, not colours alone, tell the three kinds apart.
    x = 16
    items = (("learner", "Learner"), ("unanswered", "Nobody has replied to them yet"),
             ("facilitator", "Facilitator"))
    y = legend_y
    for shape, text in items:
        out.append(_node(shape, x + 7, y, 7))
        out.append(f'<text x="{x + 20}" y="{y + 4}" font-size="{font if narrow else 12}" '
                   f'fill="{INK}">{escape(text)}</text>')
        if narrow:
            y += 20
        else:
            x += 40 + 7 * len(text)
    arrow_y = y + 4 if narrow else legend_y + 28
    out.append(f'<line x1="16" y1="{arrow_y}" x2="56" y2="{arrow_y}" '
               f'stroke="{MUTED}" stroke-width="2" marker-end="url(#{ident}-arrow)"/>')
    out.append(f'<text x="64" y="{arrow_y + 4}" font-size="{font if narrow else 12}" '
               f'fill="{INK}">replied to (thicker: more replies)</text>')
    out.append("</svg>")
    return Markup("\n".join(out))  # nosec
