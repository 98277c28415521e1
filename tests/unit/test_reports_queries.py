"""Reports: one source of truth, and queries that don't grow with the cohort."""

import csv
import io
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from course_app.auth.models import User
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.progress.models import Activity, Mode
from course_app.progress.rules import Level
from course_app.progress.standing import learner_progress
from course_app.reports import exports, interactions, queries
from database import statements_sent


def _bulk_learners(cohort, n, template_user):
    """Learners without paying for a password hash each."""
    now = utcnow() - timedelta(days=3)
    users = []
    for i in range(n):
        user = User(email=f"bulk{cohort.id}-{i}@example.org", name=f"Bulk {i:03d}",
                    password_hash=template_user.password_hash,
                    created_at=now)
        db.session.add(user)
        users.append(user)
    db.session.flush()
    for user in users:
        add_member(cohort, user, MemberRole.LEARNER, now)
    db.session.commit()
    return users


def _random_activity(cohort, learners, rng, rounds):
    open_etivities = [e for e in cohort.course.active_etivities if e.stage_number <= 2]
    threads = []
    now = utcnow() - timedelta(days=2)
    for step in range(rounds):
        now += timedelta(minutes=7)
        user = rng.choice(learners)
        action = rng.random()
        if action < 0.3 or not threads:
            e = rng.choice(open_etivities)
            threads.append(discussions.start_thread(cohort, e, user, f"T{step}", "piece", now))
        elif action < 0.65:
            thread = rng.choice(threads)
            parent = rng.choice(thread.posts)
            discussions.reply(thread, user, "reply", now, parent=parent)
        else:
            thread = rng.choice(threads)
            discussions.mark_shown(thread, user, list(thread.posts), now)
    db.session.commit()


def _recount(cohort, user_id, etivity_id):
    """Counts straight from the activity log, independently of the progress code."""
    rows = db.session.execute(select(Activity.kind, Activity.post_id, Activity.peer_id).where(
        Activity.cohort_id == cohort.id, Activity.user_id == user_id,
        Activity.etivity_id == etivity_id, Activity.voided_at.is_(None))).all()
    return (len({p for k, p, _ in rows if k == Mode.OBSERVE}),
            len({peer for k, _, peer in rows if k == Mode.INTERACT}),
            len({p for k, p, _ in rows if k == Mode.INITIATE}))


@pytest.mark.parametrize("seed", [1, 2])
def test_dashboard_exports_api_and_own_page_agree(factory, client, login_as, seed):
    rng = random.Random(seed)
    cohort = factory.cohort()
    learners = [factory.learner_in(cohort) for _ in range(6)]
    _random_activity(cohort, learners, rng, rounds=80)
    now = utcnow()
    board = queries.dashboard(cohort, now)
    as_json = exports.as_json(board)
    parsed_csv = list(csv.DictReader(io.StringIO(exports.as_csv(board))))
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    login_as(facilitator)
    api = client.get(f"/api/v1/cohorts/{cohort.id}/progress").get_json()

    api_by_email = {row["email"]: row for row in api["learners"]}
    for learner in as_json["learners"]:
        own = learner_progress(cohort, learner["id"], now.date())
        assert api_by_email[learner["email"]]["current_stage"] == learner["current_stage"] \
            == own.current_stage
        for item, mine in zip(learner["etivities"], own.etivities, strict=True):
            etivity_id = mine.etivity.id
            expected = _recount(cohort, learner["id"], etivity_id)
            assert (item["observe"], item["interact"], item["initiate"]) == expected
            assert (mine.counts.observe, mine.counts.interact, mine.counts.initiate) == expected
            assert item["state"] == mine.state.value
            api_item = next(x for x in api_by_email[learner["email"]]["etivities"]
                            if x["slug"] == item["slug"])
            assert (api_item["observe"], api_item["interact"], api_item["initiate"],
                    api_item["state"]) == (*expected, item["state"])
            row = next(r for r in parsed_csv if r["email"] == learner["email"]
                       and r["e-tivity"] == mine.etivity.title)
            assert (int(row["observe"]), int(row["interact"]), int(row["initiate"])) == expected
            assert row["state"] == item["state"]
    assert sum(as_json["summary"]["reached"].values()) >= len(learners)


def test_csv_neutralises_formulas(factory):
    cohort = factory.cohort()
    factory.learner_in(cohort, name="=HYPERLINK(\"http://evil.example\")")
    factory.learner_in(cohort, name="+SUM(A1)")
    factory.learner_in(cohort, name="@cmd")
    factory.learner_in(cohort, name="-2+3")
    factory.learner_in(cohort, name="Plain Name")
    text = exports.as_csv(queries.dashboard(cohort, utcnow()))
    names = {row["learner"] for row in csv.DictReader(io.StringIO(text))}
    assert names == {"'=HYPERLINK(\"http://evil.example\")", "'+SUM(A1)", "'@cmd", "'-2+3",
                     "Plain Name"}
    for start in ("\t", "\r"):
        assert exports.safe_cell(start + "x") == "'" + start + "x"


def _queries_for(work):
    db.session.expire_all()
    with statements_sent() as sent:
        work()
    return len(sent)


def test_reports_use_the_same_number_of_queries_for_10_and_300_learners(factory):
    rng = random.Random(7)
    counts = {}
    template = factory.user()
    for size in (10, 300):
        cohort = factory.cohort(name=f"Size {size}")
        learners = _bulk_learners(cohort, size, template)
        _random_activity(cohort, learners[::max(1, size // 10)], rng, rounds=40)
        cohort_id = cohort.id
        now = utcnow()

        def dashboard_and_exports(cohort_id=cohort_id, now=now):
            from course_app.cohorts.models import Cohort

            fresh = db.session.get(Cohort, cohort_id)
            board = queries.dashboard(fresh, now)
            exports.as_json(board)
            exports.as_csv(board)
            queries.funnel(board.rows)
            interactions.interaction_map(fresh)

        counts[size] = _queries_for(dashboard_and_exports)
    assert counts[10] == counts[300], counts
    assert counts[10] < 25


def test_a_learners_report_works_out_that_learner_alone(factory, monkeypatch):
    """Not the whole cohort's standings for one row: the report's cost stays the same as the
    cohort grows (make bench: 4 ms at 10 learners and at 300)."""
    cohort = factory.cohort()
    learners = [factory.learner_in(cohort) for _ in range(3)]
    asked = []
    real = queries.cohort_progress

    def recording(cohort, today, user_ids=None):
        asked.append(user_ids)
        return real(cohort, today, user_ids)

    monkeypatch.setattr(queries, "cohort_progress", recording)
    report = queries.learner_report(cohort, learners[1], utcnow())
    assert report.row.user == learners[1]
    assert asked == [{learners[1].id}]
    outsider = factory.user()
    assert queries.learner_report(cohort, outsider, utcnow()) is None


def test_a_learners_report_gives_no_level_for_a_stage_not_open_yet(factory):
    """A locked stage has no participation to speak of: "Observer" there read as a verdict on
    a stage the learner couldn't enter."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    report = queries.learner_report(cohort, learner, utcnow())
    assert report.row.standing.stages[1].open and not report.row.standing.stages[2].open
    assert report.levels == {1: Level.OBSERVER, 2: None, 3: None, 4: None, 5: None}


def test_inactive_from_the_cohorts_silent_days_and_active_this_week_within_seven(factory):
    """"Inactive" from `silent_days` whole days without activity (5: five days ago is
    inactive, four is not); "active this week" within the last seven days (seven ago is not)."""
    cohort = factory.cohort()
    assert cohort.silent_days == 5
    now = utcnow()
    last_active = {5: factory.learner_in(cohort), 4: factory.learner_in(cohort),
                   7: factory.learner_in(cohort), 6: factory.learner_in(cohort)}
    for days, learner in last_active.items():
        discussions.start_thread(cohort, cohort.course.etivities_in(1)[1], learner, "Hi",
                                 "Hello.", now - timedelta(days=days))
    db.session.commit()
    board = queries.dashboard(cohort, now)
    inactive = {row.user.id for row in board.rows if queries.RISK_INACTIVE in row.risks}
    assert inactive == {last_active[d].id for d in (5, 7, 6)}
    assert board.summary.active_this_week == 3  # four, five and six days ago; seven is not


def test_the_grid_marks_the_first_column_of_each_stage(factory):
    cohort = factory.cohort()
    board = queries.dashboard(cohort, utcnow())
    columns = board.columns(board.stages)
    firsts = [e for e, first in columns if first]
    assert firsts == [board.etivities_in(s.number)[0] for s in board.stages
                      if board.etivities_in(s.number)]
    assert columns[0][1] and len(columns) == len(board.etivities)


def test_the_grids_filters_keep_exactly_the_rows_they_name(factory):
    cohort = factory.cohort()
    now = utcnow()
    quiet, talker, fresh = (factory.learner_in(cohort, name=n) for n in ("Q", "T", "F"))
    welcome, hello = cohort.course.etivities_in(1)[:2]
    theirs = discussions.start_thread(cohort, hello, quiet, "Hi", "Hello.",
                                      now - timedelta(days=6))
    discussions.reply(theirs, talker, "Welcome!", now - timedelta(days=1))  # an interactor
    db.session.commit()
    rows = queries.dashboard(cohort, now).rows

    def names(**filters) -> set[str]:
        return {r.user.name for r in queries.filter_rows(rows, **filters)}

    assert names() == {"Q", "T", "F"}
    assert names(level="interactor") == {"T"} and names(level="observer") == {"Q", "F"}
    assert names(inactive_days=6) == {"Q"} and names(inactive_days=7) == set()
    assert names(status="at-risk") == {"Q"}  # six days without activity; F joined just now
    assert names(status="on-track") == {"T", "F"}
    assert names(stage=1, level="observer", inactive_days=1) == {"Q"}
