"""The `flask --app course_app …` commands, run through Flask's CLI test runner."""

import re
import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from conftest import DEFAULT_COURSE
from course_app.auth.models import Role, User
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort, MemberRole, Membership
from course_app.courses.models import Course, Etivity
from course_app.demo import DEMO_COHORT
from course_app.discussions.models import Post, Thread
from course_app.extensions import db
from course_app.progress.standing import cohort_progress

STRONG = "a sturdy test passphrase"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def run(runner, *args, input=None):
    return runner.invoke(args=list(args), input=input)


@pytest.fixture
def broken_course(tmp_path):
    """A copy of the real course with one line of YAML broken; returns (folder, file, line)."""
    folder = tmp_path / "engaging-online"
    shutil.copytree(DEFAULT_COURSE, folder)
    path = folder / "etivities" / "1-03-time-and-help.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("days:"))
    lines[number - 1] = "days: 5: oops\n"
    path.write_text("".join(lines), encoding="utf-8")
    return folder, "engaging-online/etivities/1-03-time-and-help.md", number


@pytest.fixture
def course(runner):
    result = run(runner, "course", "import", str(DEFAULT_COURSE))
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Course).where(Course.slug == "engaging-online"))


# ---- course validate / import ------------------------------------------------

def test_validate_real_course_exits_0(runner):
    result = run(runner, "course", "validate", str(DEFAULT_COURSE))
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_validate_broken_course_names_file_and_line(runner, broken_course):
    folder, file, line = broken_course
    result = run(runner, "course", "validate", str(folder))
    assert result.exit_code == 1
    assert f"{file}:{line}" in result.output


@pytest.mark.parametrize("typed, shown", [("0x" + "f" * 4000, "not a number that long"),
                                           ("1" * 5000, "not a 5000-digit number")])
def test_validate_says_a_number_too_long_to_read_without_a_traceback(runner, tmp_path, typed,
                                                                     shown):
    """Python reads no int of more than 4300 digits: such a number was a traceback."""
    folder = tmp_path / "engaging-online"
    shutil.copytree(DEFAULT_COURSE, folder)
    path = folder / "course.yaml"
    path.write_text(re.sub(r"\nweekly_minutes: \d+", f"\nweekly_minutes: {typed}",
                           path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run(runner, "course", "validate", str(folder))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f"weekly_minutes: must be from 1 to 2400, {shown}" in result.output
    assert "Traceback" not in result.output


def test_validate_missing_folder_exits_1(runner, tmp_path):
    result = run(runner, "course", "validate", str(tmp_path / "no-such-course"))
    assert result.exit_code == 1
    assert "no course folder" in result.output


def test_import_broken_course_exits_1_and_creates_nothing(runner, broken_course, empty_database):
    folder, file, line = broken_course
    result = run(runner, "course", "import", str(folder))
    assert result.exit_code == 1
    assert f"{file}:{line}" in result.output
    assert "Nothing was imported" in result.output
    assert count(Course) == 0
    assert count(Etivity) == 0


def test_import_of_a_folder_named_after_a_design_page_exits_1(runner, tmp_path,
                                                               empty_database):
    """The folder's name is the new course's slug; /design/new is a page of its own."""
    folder = tmp_path / "new"
    shutil.copytree(DEFAULT_COURSE, folder)
    result = run(runner, "course", "import", str(folder))
    assert result.exit_code == 1
    assert "page of the course designer" in result.output
    assert "Nothing was imported" in result.output
    assert count(Course) == 0


def test_import_real_course_creates_it(runner, empty_database):
    result = run(runner, "course", "import", str(DEFAULT_COURSE))
    assert result.exit_code == 0, result.output
    assert "Created course 'engaging-online'" in result.output
    course = db.session.scalar(select(Course).where(Course.slug == "engaging-online"))
    assert course.title == "Engaging online"
    assert [s.number for s in course.stages] == [1, 2, 3, 4, 5]
    assert len(course.active_etivities) == len(list((DEFAULT_COURSE / "etivities").glob("*.md")))


def test_import_twice_is_idempotent(runner):
    run(runner, "course", "import", str(DEFAULT_COURSE))
    before = dict(db.session.execute(select(Etivity.slug, Etivity.id)).all())
    result = run(runner, "course", "import", str(DEFAULT_COURSE))
    assert result.exit_code == 0, result.output
    assert "Updated course 'engaging-online'" in result.output
    assert "0 e-tivities added, 0 changed, 0 retired" in result.output
    assert dict(db.session.execute(select(Etivity.slug, Etivity.id)).all()) == before
    assert count(Course) == 1


def test_import_says_when_designer_drafts_wait_and_keeps_them(runner):
    """Drafts hold only the fields their author changed; publishing them later puts those
    over the import, so the import says so rather than losing either."""
    from course_app.auth.services import create_user
    from course_app.clock import utcnow
    from course_app.design import drafts

    run(runner, "course", "import", str(DEFAULT_COURSE))
    course = db.session.scalar(select(Course).where(Course.slug == "engaging-online"))
    author = create_user("ida@example.org", "Ida Author", "a long enough passphrase", utcnow(),
                         role=Role.ADMIN)
    drafts.copy_etivity(course, course.active_etivities[0], author, utcnow())
    result = run(runner, "course", "import", str(DEFAULT_COURSE))
    assert result.exit_code == 0, result.output
    assert "Note: 1 draft waits in the course designer" in result.output
    assert "/design/engaging-online/publish" in result.output
    assert len(drafts.pending(course)) == 1


# ---- user create -------------------------------------------------------------

def test_user_create_makes_account(runner):
    result = run(runner, "user", "create", "--email", "Fran@Example.org", "--name", "Fran Facil",
                 "--role", "facilitator", "--password", STRONG)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "fran@example.org"))
    assert user.name == "Fran Facil"
    assert user.role == Role.FACILITATOR
    assert user.check_password(STRONG)
    assert f"id {user.id}" in result.output


def test_user_create_duplicate_email_exits_1(runner, factory):
    factory.user(email="taken@example.org")
    result = run(runner, "user", "create", "--email", "TAKEN@example.org", "--name", "Again",
                 "--password", STRONG)
    assert result.exit_code == 1
    assert "An account with that email exists" in result.output
    assert "Log in" not in result.output  # the web's offer, which means nothing here
    assert count(User) == 1


def test_user_create_weak_password_exits_1(runner):
    result = run(runner, "user", "create", "--email", "weak@example.org", "--name", "Weak",
                 "--password", "password1")
    assert result.exit_code == 1
    assert "common" in result.output
    assert count(User) == 0


def test_user_create_short_password_exits_1(runner):
    result = run(runner, "user", "create", "--email", "short@example.org", "--name", "Short",
                 "--password", "abc")
    assert result.exit_code == 1
    assert count(User) == 0


def test_user_create_prompts_for_password(runner):
    result = run(runner, "user", "create", "--email", "asked@example.org", "--name", "Asked",
                 input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert STRONG not in result.output, "the typed password is hidden"
    user = db.session.scalar(select(User).where(User.email == "asked@example.org"))
    assert user.role == Role.LEARNER
    assert user.check_password(STRONG)


def test_user_create_prompt_wants_the_same_password_twice(runner):
    result = run(runner, "user", "create", "--email", "asked@example.org", "--name", "Asked",
                 input=f"{STRONG}\nsomething else\n{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output.lower() or "don't match" in result.output.lower()
    user = db.session.scalar(select(User).where(User.email == "asked@example.org"))
    assert user.check_password(STRONG)


def test_user_create_unknown_role_is_a_usage_error(runner):
    result = run(runner, "user", "create", "--email", "x@example.org", "--name", "X",
                 "--role", "superuser", "--password", STRONG)
    assert result.exit_code == 2
    assert count(User) == 0


@pytest.mark.parametrize("email", ["", "notanemail", "a b@@"])
def test_user_create_refuses_what_is_not_an_email_address(runner, email):
    """As the web's form refuses it, in its words; a usage error, before the password is
    asked for (no input is given: a prompt would end the command with exit 1)."""
    from course_app.auth.services import ENTER_AN_EMAIL

    result = run(runner, "user", "create", "--email", email, "--name", "Weird", "--role",
                 "admin")
    assert result.exit_code == 2, result.output
    assert ENTER_AN_EMAIL in result.output
    assert "Password" not in result.output
    assert count(User) == 0


def test_create_user_refuses_what_is_not_an_email_address_for_every_caller(app):
    from course_app.auth.services import ENTER_AN_EMAIL, AccountError, create_user

    for email in ("", "notanemail", "a b@@"):
        with pytest.raises(AccountError) as refused:
            create_user(email, "Weird", STRONG, at=utcnow(), role=Role.ADMIN)
        assert (refused.value.field, str(refused.value)) == ("email", ENTER_AN_EMAIL)
    assert count(User) == 0
    assert create_user(" Kept@Example.org ", "Kept", STRONG, at=utcnow()).email == \
        "kept@example.org"


# ---- user disable / enable -----------------------------------------------------

def test_disabling_twice_says_it_was_disabled_already_and_logs_once(runner, factory, caplog):
    user = factory.user(email="dee@example.org")
    with caplog.at_level("INFO", logger="course_app.security"):
        first = run(runner, "user", "disable", "dee@example.org")
        when = db.session.get(User, user.id).disabled_at
        again = run(runner, "user", "disable", "dee@example.org")
    assert first.exit_code == 0 and "Disabled" in first.output, first.output
    assert again.exit_code == 0, again.output
    assert "already disabled" in again.output and "logged out" not in again.output
    assert db.session.get(User, user.id).disabled_at == when
    assert len([r for r in caplog.records if "account.disabled" in r.getMessage()]) == 1


def test_enabling_an_account_that_is_on_says_so_and_logs_nothing(runner, factory, caplog):
    factory.user(email="eli@example.org")
    with caplog.at_level("INFO", logger="course_app.security"):
        result = run(runner, "user", "enable", "eli@example.org")
    assert result.exit_code == 0, result.output
    assert "already enabled" in result.output
    assert not [r for r in caplog.records if "account.enabled" in r.getMessage()]


# ---- cohort create -----------------------------------------------------------

def printed_cohort(output: str) -> tuple[int, str]:
    cohort_id = re.search(r"cohort id: (\d+)", output)
    key = re.search(r"enrolment key: (\S+)", output)
    assert cohort_id and key, output
    return int(cohort_id.group(1)), key.group(1)


def test_cohort_create_prints_id_and_key_of_the_new_cohort(runner, course, factory):
    facilitator = factory.user(Role.FACILITATOR, email="fac@example.org")
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "Spring 2026",
                 "--facilitator", "FAC@example.org")
    assert result.exit_code == 0, result.output
    cohort_id, key = printed_cohort(result.output)
    cohort = db.session.get(Cohort, cohort_id)
    assert cohort.name == "Spring 2026"
    assert cohort.enrolment_key == key
    assert cohort.course_id == course.id
    assert not cohort.paced and cohort.releases == []
    membership = db.session.scalar(select(Membership).where(Membership.cohort_id == cohort_id))
    assert (membership.user_id, membership.role) == (facilitator.id, MemberRole.FACILITATOR)


def test_cohort_create_paced_has_five_release_dates_from_starts(runner, course, factory):
    factory.user(Role.FACILITATOR, email="fac@example.org")
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "Paced",
                 "--facilitator", "fac@example.org", "--starts", "2026-01-05", "--paced")
    assert result.exit_code == 0, result.output
    cohort = db.session.get(Cohort, printed_cohort(result.output)[0])
    assert cohort.paced
    assert cohort.starts_on == date(2026, 1, 5)
    dates = [r.opens_on for r in cohort.releases]
    assert [r.stage_number for r in cohort.releases] == [1, 2, 3, 4, 5]
    assert dates[0] == date(2026, 1, 5)
    assert dates == sorted(set(dates)), "each stage opens after the one before"


def test_cohort_create_admin_may_run_a_cohort(runner, course, factory):
    factory.user(Role.ADMIN, email="admin@example.org")
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "Admin's",
                 "--facilitator", "admin@example.org")
    assert result.exit_code == 0, result.output
    assert count(Cohort) == 1


def test_cohort_create_unknown_course_exits_1(runner, factory):
    factory.user(Role.FACILITATOR, email="fac@example.org")
    result = run(runner, "cohort", "create", "--course", "no-such-course", "--name", "N",
                 "--facilitator", "fac@example.org")
    assert result.exit_code == 1
    assert "No course 'no-such-course'" in result.output
    assert count(Cohort) == 0


def test_cohort_create_unknown_facilitator_exits_1(runner, course):
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "N",
                 "--facilitator", "ghost@example.org")
    assert result.exit_code == 1
    assert "ghost@example.org" in result.output
    assert count(Cohort) == 0


def test_cohort_create_learner_as_facilitator_exits_1(runner, course, factory):
    factory.user(Role.LEARNER, email="lea@example.org")
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "N",
                 "--facilitator", "lea@example.org")
    assert result.exit_code == 1
    assert "learner" in result.output
    assert count(Cohort) == 0
    assert count(Membership) == 0


def test_cohort_create_bad_date_is_a_usage_error(runner, course, factory):
    factory.user(Role.FACILITATOR, email="fac@example.org")
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "N",
                 "--facilitator", "fac@example.org", "--starts", "05/01/2026")
    assert result.exit_code == 2
    assert count(Cohort) == 0


def test_a_disabled_account_can_not_run_a_cohort(runner, course, factory):
    user = factory.user(Role.FACILITATOR, email="off@example.org")
    user.disabled_at = utcnow()
    db.session.commit()
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "N",
                 "--facilitator", "off@example.org")
    assert result.exit_code == 1
    assert "disabled" in result.output and "user enable off@example.org" in result.output
    assert count(Cohort) == 0


def test_a_disabled_account_can_not_change_a_cohort(runner, factory):
    from course_app.cohorts.models import CohortState

    cohort = factory.cohort()
    admin = factory.user(Role.ADMIN, email="offadmin@example.org")
    admin.disabled_at = utcnow()
    db.session.commit()
    result = run(runner, "cohort", "state", str(cohort.id), "closed", "--as",
                 "offadmin@example.org")
    assert result.exit_code == 1
    assert "disabled" in result.output
    assert db.session.get(Cohort, cohort.id).state == CohortState.OPEN


def test_a_cohort_moved_to_the_state_it_has_is_left_as_it_is(runner, factory):
    from course_app.facilitate.models import AuditEntry

    cohort = factory.cohort()
    factory.user(Role.ADMIN, email="boss@example.org")
    assert run(runner, "cohort", "state", str(cohort.id), "running", "--as",
               "boss@example.org").exit_code == 0
    entries = count(AuditEntry)
    result = run(runner, "cohort", "state", str(cohort.id), "running", "--as",
                 "boss@example.org")
    assert result.exit_code == 0, result.output
    assert "is running already" in result.output
    assert "can't become" not in result.output
    assert count(AuditEntry) == entries


# ---- demo --------------------------------------------------------------------

def test_demo_needs_the_course(runner, empty_database):
    result = run(runner, "demo")
    assert result.exit_code == 1
    assert "course import" in result.output
    assert count(Cohort) == 0
    assert count(User) == 0


@pytest.fixture
def demo(demo_cli):
    return demo_cli


def test_demo_creates_its_cohort_with_facilitator_and_learners(demo):
    cohorts = db.session.scalars(select(Cohort).where(Cohort.name == DEMO_COHORT)).all()
    assert len(cohorts) == 1
    roles = [m.role for m in cohorts[0].memberships]
    assert roles.count(MemberRole.FACILITATOR) >= 1
    assert roles.count(MemberRole.LEARNER) >= 4


def test_demo_has_a_paced_cohort_with_a_calendar(demo):
    from course_app.demo import PACED_COHORT
    from course_app.facilitate.calendar import calendar_items

    paced = db.session.scalar(select(Cohort).where(Cohort.name == PACED_COHORT))
    assert paced.paced
    learners = [m.user.email for m in paced.memberships if m.role == MemberRole.LEARNER]
    assert learners == ["pat@example.org"]
    assert calendar_items(paced), "the paced cohort's calendar lists what to do and when"


def test_demo_learners_stand_at_three_or_more_stages(demo):
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == DEMO_COHORT))
    standings = cohort_progress(cohort, date.today())
    assert len({p.current_stage for p in standings.values()}) >= 3


def test_demo_has_threads_with_replies(demo):
    posts_per_thread = db.session.execute(
        select(Post.thread_id, func.count()).group_by(Post.thread_id)).all()
    assert count(Thread) >= 3
    assert sum(1 for _, n in posts_per_thread if n > 1) >= 2


def test_demo_cohorts_have_the_ground_rules_welcome_asks_for(demo):
    """`welcome` tells a newcomer to open the facilitator's pinned "Ground rules"; opening
    it (the post shown to them) completes `welcome`, as the e-tivity says."""
    from course_app.demo import PACED_COHORT
    from course_app.discussions import services as discussions
    from course_app.progress.rules import EtivityState
    from course_app.progress.standing import learner_progress

    for name in (DEMO_COHORT, PACED_COHORT):
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
        rules = db.session.scalars(select(Thread).where(
            Thread.cohort_id == cohort.id, Thread.title == "Ground rules")).all()
        assert len(rules) == 1, name
        assert rules[0].pinned and rules[0].etivity.slug == "welcome"
        assert rules[0].author.role in (Role.FACILITATOR, Role.ADMIN)
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == DEMO_COHORT))
    newcomer = db.session.scalar(select(User).where(User.email == "learner@example.org"))
    [rules] = db.session.scalars(select(Thread).where(Thread.cohort_id == cohort.id,
                                                      Thread.title == "Ground rules")).all()

    def welcome_state():
        standing = learner_progress(cohort, newcomer.id, date.today())
        return next(p.state for p in standing.etivities if p.etivity.slug == "welcome")

    assert welcome_state() == EtivityState.OPEN
    discussions.mark_shown(rules, newcomer, list(rules.posts), at=utcnow())
    assert welcome_state() == EtivityState.COMPLETE


def test_demo_toolkit_has_current_versions_with_credits(demo):
    from course_app.toolkit import services as toolkit
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == DEMO_COHORT))
    sections = toolkit.sections(cohort)
    assert len(sections) >= 4
    for section in sections:
        assert section.current is not None and section.editor is not None, section.slug
        names, unnamed = section.credits(public=False)
        assert len(names) >= 2 and unnamed == 0
    assert toolkit.publication(cohort) is not None
    public = toolkit.as_markdown(cohort, sections, public=True)
    assert "Ana Okafor" in public and "Cara Lindqvist" not in public


def test_demo_twice_creates_nothing_more(runner, demo):
    before = (count(User), count(Cohort), count(Thread), count(Post))
    result = run(runner, "demo")
    assert result.exit_code == 0, result.output
    assert (count(User), count(Cohort), count(Thread), count(Post)) == before


def test_demo_if_empty_on_the_demo_alone_says_it_is_loaded(runner, demo):
    """The demo's own two cohorts (the paced one too) are no cohorts "of its own": every
    `make run` after the first said they were."""
    before = (count(User), count(Cohort), count(Thread), count(Post))
    result = run(runner, "demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "The demo is already loaded." in result.output
    assert "cohorts of its own" not in result.output
    assert (count(User), count(Cohort), count(Thread), count(Post)) == before


def test_demo_if_empty_leaves_a_database_with_cohorts_of_its_own(runner, course, factory):
    factory.cohort(course=course, name="Autumn")
    result = run(runner, "demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "cohorts of its own: demo data not loaded" in result.output
    assert count(Cohort) == 1


def test_demo_prints_the_logins(demo):
    facilitator = db.session.scalar(select(User).where(User.role == Role.FACILITATOR))
    assert facilitator.email in demo.output
    assert "password" in demo.output.lower()
    password = re.search(r"password for all: ([^)]+)\)", demo.output).group(1)
    assert facilitator.check_password(password)
    for learner in db.session.scalars(select(User).where(User.role == Role.LEARNER)):
        assert learner.email in demo.output


# ---- console script ----------------------------------------------------------

def test_console_script_entry_point_exists():
    """pyproject.toml declares it (read from the checkout, so no re-install is needed)."""
    import tomllib
    from pathlib import Path

    from course_app.__main__ import main

    assert callable(main)
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    scripts = tomllib.loads(pyproject.read_text())["project"]["scripts"]
    assert scripts["course-app"] == "course_app.__main__:main"


def test_cli_module_does_not_import_the_app_factory():
    """The factory imports cli to register the commands; the way back up is __main__'s."""
    import ast
    from pathlib import Path

    import course_app.cli

    tree = ast.parse(Path(course_app.cli.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert not (node.level == 1 and node.module is None), ast.unparse(node)
            assert node.module != "course_app", ast.unparse(node)


def test_python_dash_m_runs_the_commands():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-m", "course_app", "--help"], cwd=root,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("course", "user", "cohort", "demo", "report"):
        assert command in result.stdout
    # Nothing else: libraries' chatter (alembic names its plugins at INFO when imported)
    # would bury what every command prints.
    assert result.stderr == ""


def test_console_script_lists_the_commands(monkeypatch, capsys):
    from course_app.__main__ import main

    monkeypatch.setattr("sys.argv", ["course-app", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("course", "user", "cohort", "demo"):
        assert command in out
