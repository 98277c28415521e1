"""The cohort report as JSON (the API, `report --format json`) and CSV (downloads,
`report --format csv`). Both are built from reports.queries.dashboard."""

import csv
import io
from datetime import datetime

from .interactions import InteractionMap
from .queries import Dashboard, LearnerRow

# A cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _etivity(etivity) -> dict:
    """What the JSON says of an e-tivity, the same in every learner's list."""
    return {"slug": etivity.slug, "stage": etivity.stage_number, "title": etivity.title,
            "required": etivity.required}


def _learner(row: LearnerRow, about: dict[int, dict], rules: dict[int, dict]) -> dict:
    return {
        "id": row.user.id,
        "name": row.user.name,
        "email": row.user.email,
        "current_stage": row.standing.current_stage,
        "level": row.level.value,
        "completed_course": row.completed_course,
        "at_risk": list(row.risks),
        "last_activity_at": _iso(row.last_activity_at),
        "etivities": [
            {
                **about[p.etivity.id],
                "state": p.state.value,
                "by_hand": p.by_hand,
                "observe": p.counts.observe,
                "interact": p.counts.interact,
                "initiate": p.counts.initiate,
                "rule": rules[p.etivity.id],
            }
            for p in row.standing.etivities
        ],
    }


def as_json(board: Dashboard) -> dict:
    cohort = board.cohort
    about = {e.id: _etivity(e) for e in board.etivities}
    rules = {e.id: e.rule.as_dict() for e in board.etivities}
    s = board.summary
    return {
        "cohort": {"id": cohort.id, "name": cohort.name, "course": cohort.course.slug},
        "generated_at": board.generated_at.isoformat(),
        "summary": {"enrolled": s.enrolled, "active_this_week": s.active_this_week,
                    "reached": {str(n): v for n, v in s.reached.items()},
                    "completed": s.completed, "at_risk": s.at_risk},
        "learners": [_learner(r, about, rules) for r in board.rows],
    }


def safe_cell(value) -> str:
    """Neutralise spreadsheet formulas: a text cell that starts like one gets a leading '."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


CSV_COLUMNS = ("learner", "email", "current stage", "level", "at risk", "last activity (UTC)",
               "stage", "e-tivity", "required", "state", "done by hand", "observe", "interact",
               "initiate", "rule observe", "rule interact", "rule initiate")


def as_csv(board: Dashboard) -> str:
    """One row per learner and e-tivity (long format: easy to pivot in a spreadsheet).
    What a row says of its learner and of its e-tivity is made once, not once per cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    about = {e.id: [safe_cell(v) for v in (e.stage_number, e.title,
                                           "yes" if e.required else "no")]
             for e in board.etivities}
    rules = {e.id: [e.observe, e.interact, e.initiate] for e in board.etivities}
    for row in board.rows:
        learner = [safe_cell(v) for v in (
            row.user.name, row.user.email, row.standing.current_stage, row.level.value,
            " and ".join(row.risks) or "no",
            row.last_activity_at.strftime("%Y-%m-%d %H:%M") if row.last_activity_at else "",
        )]
        writer.writerows(
            learner + about[p.etivity.id] + [
                p.state.value, "yes" if p.by_hand else "no",
                p.counts.observe, p.counts.interact, p.counts.initiate,
            ] + rules[p.etivity.id]
            for p in row.standing.etivities)
    return out.getvalue()


PAIR_COLUMNS = ("who replied", "role of who replied", "to whom", "role of whom", "replies")


def pairs_csv(imap: InteractionMap) -> str:
    """Every pair of the interaction map, most replies first: the dashboard draws only the
    busiest pairs of a large cohort."""
    people = {user.id: (user, role) for user, role in imap.people}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PAIR_COLUMNS)
    for (a, b), n in sorted(imap.edges.items(), key=lambda item: (-item[1], item[0])):
        (author, author_role), (to, to_role) = people[a], people[b]
        writer.writerow([safe_cell(v) for v in (author.name, author_role, to.name, to_role, n)])
    return out.getvalue()
