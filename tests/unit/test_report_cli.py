"""`report COHORT_ID --format csv|json`: the exports' text on stdout; and the demo as the
reports see it (a reviewer login, a learner stuck in stage 2)."""

import csv
import io
import json
import re

import pytest
from sqlalchemy import func, select

from course_app.clock import utcnow
from course_app.cohorts.models import Cohort, MemberRole, Membership
from course_app.demo import DEMO_COHORT
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.reports import exports, queries
from learner_journey import finish_stage_1


def run(runner, *args):
    return runner.invoke(args=[str(a) for a in args])


@pytest.fixture
def cohort(factory):
    """A cohort where people did things, with a name a spreadsheet would take for a formula."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort, name="=Ana Formula")
    peer = factory.learner_in(cohort, name="Ben Ordinary")
    factory.learner_in(cohort, name="Cai Quiet")
    finish_stage_1(cohort, learner, peer)
    discussions.reply(finish_stage_1(cohort, peer, learner), peer, "Glad you're here.", utcnow())
    db.session.commit()
    return cohort


def test_csv_is_the_exports_text(runner, cohort):
    result = run(runner, "report", cohort.id, "--format", "csv")
    assert result.exit_code == 0, result.output
    expected = exports.as_csv(queries.dashboard(cohort, utcnow()))
    assert result.stdout_bytes.decode("utf-8") == expected
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == exports.CSV_COLUMNS
    learners = {r[0] for r in rows[1:]}
    assert learners == {"'=Ana Formula", "Ben Ordinary", "Cai Quiet"}  # neutralised
    assert len(rows) == 1 + 3 * len(cohort.course.active_etivities)


def test_json_is_the_default_and_is_the_exports_and_the_apis(runner, client, login_as, cohort):
    result = run(runner, "report", cohort.id)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('{\n  "cohort": {')  # indented for people to read
    printed = json.loads(result.stdout)
    expected = exports.as_json(queries.dashboard(cohort, utcnow()))
    login_as(cohort.memberships[0].user)
    from_api = client.get(f"/api/v1/cohorts/{cohort.id}/progress").get_json()
    for report in (printed, expected, from_api):
        report.pop("generated_at")
    assert printed == expected == from_api
    assert [p["name"] for p in printed["learners"]] == ["=Ana Formula", "Ben Ordinary",
                                                        "Cai Quiet"]
    assert printed["summary"]["enrolled"] == 3


def test_json_and_csv_tell_the_same_counts(runner, cohort):
    data = json.loads(run(runner, "report", cohort.id, "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(run(runner, "report", cohort.id, "--format",
                                               "csv").stdout)))
    for learner in data["learners"]:
        email = learner["email"]
        theirs = [r for r in rows if r["email"] == email]
        assert [(int(r["observe"]), int(r["interact"]), int(r["initiate"]), r["state"])
                for r in theirs] == [(e["observe"], e["interact"], e["initiate"], e["state"])
                                     for e in learner["etivities"]]


def test_an_empty_cohort_prints_just_the_header(runner, factory):
    cohort = factory.cohort()
    result = run(runner, "report", cohort.id, "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes == (",".join(exports.CSV_COLUMNS) + "\r\n").encode()
    assert json.loads(run(runner, "report", cohort.id).stdout)["learners"] == []


def test_an_unknown_cohort_exits_1_with_a_message(runner, factory):
    factory.cohort()
    result = run(runner, "report", 999999, "--format", "csv")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "No cohort 999999" in result.stderr


@pytest.mark.parametrize("args", [
    ("report",), ("report", "abc"), ("report", "1", "--format", "xls")])
def test_bad_arguments_are_usage_errors(runner, args):
    assert run(runner, *args).exit_code == 2


def test_the_console_script_has_the_report_command(monkeypatch, capsys):
    from course_app.__main__ import main

    monkeypatch.setattr("sys.argv", ["course-app", "report", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "COHORT_ID" in out and "--format [csv|json]" in out


# ---- the demo, as the reports see it -------------------------------------------------------

@pytest.fixture
def demo(demo_cli):
    return demo_cli


def demo_cohort() -> Cohort:
    return db.session.scalar(select(Cohort).where(Cohort.name == DEMO_COHORT))


def test_the_demo_has_a_reviewer_login(demo):
    assert re.search(r"^\s+reviewer\s+reviewer@example\.org$", demo.stdout, re.M)
    cohort = demo_cohort()
    reviewer = next(m for m in cohort.memberships if m.user.email == "reviewer@example.org")
    assert reviewer.role == MemberRole.REVIEWER
    assert reviewer.user.role.value == "learner"  # an ordinary account, a reviewer here only


def test_the_demo_reviewer_is_added_once(runner, demo):
    assert run(runner, "demo").exit_code == 0
    assert db.session.scalar(select(func.count(Membership.id)).where(
        Membership.role == MemberRole.REVIEWER)) == 1


def test_the_demo_reviewer_joins_a_demo_made_before_there_was_one(runner, demo):
    cohort = demo_cohort()
    db.session.delete(next(m for m in cohort.memberships if m.role == MemberRole.REVIEWER))
    db.session.commit()
    assert run(runner, "demo").exit_code == 0
    assert any(m.role == MemberRole.REVIEWER for m in demo_cohort().memberships)


def test_the_demo_has_a_learner_stuck_in_stage_2(runner, demo):
    board = queries.dashboard(demo_cohort(), utcnow())
    stuck = queries.filter_rows(board.rows, status="stuck", stage=2)
    assert [r.user.email for r in stuck] == ["finn@example.org"]
    printed = json.loads(run(runner, "report", demo_cohort().id).stdout)
    finn = next(p for p in printed["learners"] if p["email"] == "finn@example.org")
    assert finn["current_stage"] == 2 and "stuck" in finn["at_risk"]
    assert "reviewer@example.org" not in {p["email"] for p in printed["learners"]}
