"""Who may use each route: every route of the URL map × eight people × GET and POST, against
one table (MATRIX below). A route missing from the table, or a table row for a route that no
longer exists, fails the test: a new route needs its row, decided by a person.

The people (tests/rich_world.py): anonymous; a learner of cohort A; a learner of cohort B; a
learner removed from A; A's reviewer; B's facilitator; A's facilitator; an admin. Every
route's ids name cohort A's things (its thread, the learner's reply, the learner's
notification, A's invite, the facilitator's API token...).

Outcomes: a status code, or `login` for a redirect to the login page (302), or `302` for
another redirect. POSTs carry no form data: where the person may act, the view answers the
empty form (400, or 200 re-showing it, or a redirect for a button), so the table tells
"allowed" from "refused" without changing anything; where they may not, the refusal comes
first. Every refusal (login, 401, 403, 404, 405) must leave the database exactly as it was
(it may send no INSERT, UPDATE or DELETE at all), and a refused page never shows cohort A's
words.

Deeper checks of the same promises: tests/web/test_isolation.py (cohort B's things under
cohort A's address), tests/web/test_facilitate_access.py (facilitator actions refused with
data that would succeed, and the control: the same data does act for the facilitator).
"""

import pytest
from sqlalchemy import select

import rich_world
from conftest import login
from course_app.auth.models import User
from course_app.extensions import db
from database import statements_sent

PERSONAS = rich_world.PERSONAS

# One code for everyone, or eight in the order of PERSONAS:
#                                                  anon   learner other  removed review ofac   fac    admin
MATRIX = {
    # The API answers JSON: 404 without a token or outside the cohort, 403 for its learners.
    ("api.cohort_progress", "GET"):                 "404    403    404    404    200    404    200    200",
    ("api.cohort_progress", "POST"):                "405",

    ("auth.change_password", "GET"):                "login  200    200    200    200    200    200    200",
    ("auth.change_password", "POST"):               "login  400    400    400    400    400    400    400",
    ("auth.login", "GET"):                          "200    302    302    302    302    302    302    302",
    ("auth.login", "POST"):                         "400    302    302    302    302    302    302    302",
    ("auth.logout", "GET"):                         "405",
    ("auth.logout", "POST"):                        "login  302    302    302    302    302    302    302",
    ("auth.logout_everywhere", "GET"):              "405",
    ("auth.logout_everywhere", "POST"):             "login",
    ("auth.profile", "GET"):                        "login  200    200    200    200    200    200    200",
    ("auth.profile", "POST"):                       "login  400    400    400    400    400    400    400",
    ("auth.register", "GET"):                       "200    302    302    302    302    302    302    302",
    ("auth.register", "POST"):                      "400    302    302    302    302    302    302    302",

    ("cohorts.enrol", "GET"):                       "login  200    200    200    200    200    200    200",
    ("cohorts.enrol", "POST"):                      "login  400    400    400    400    400    400    400",
    # Already in the cohort: straight to it (302). Removed from it: refused, even by invite.
    # Someone logged out is sent to "Create an account" (with "Log in instead") first.
    ("cohorts.invite", "GET"):                      "302    302    200    403    302    200    302    200",
    ("cohorts.invite", "POST"):                     "302    302    302    403    302    302    302    302",

    ("courses.course", "GET"):                      "200",
    ("courses.course", "POST"):                     "405",

    # The post is the learner's reply: only its author edits or withdraws it (facilitators
    # hide). Reviewers read the discussions but never post.
    # The designer: a course's authors and admins (none of these people authors the course,
    # so only the admin may). POSTs with no data: forms answer 400; buttons redirect (302);
    # retire asks first (200), since cohorts A and B run the course.
    ("design.authors", "GET"):                      "login  403    403    403    403    403    403    200",
    ("design.authors", "POST"):                     "login  403    403    403    403    403    403    400",
    ("design.copy", "GET"):                         "405",
    ("design.copy", "POST"):                        "login  403    403    403    403    403    403    302",
    ("design.course_texts", "GET"):                 "login  403    403    403    403    403    403    200",
    ("design.course_texts", "POST"):                "login  403    403    403    403    403    403    400",
    ("design.download", "GET"):                     "login  403    403    403    403    403    403    200",
    ("design.download", "POST"):                    "405",
    ("design.duplicate", "GET"):                    "login  403    403    403    403    403    403    200",
    ("design.duplicate", "POST"):                   "login  403    403    403    403    403    403    400",
    ("design.etivity", "GET"):                      "login  403    403    403    403    403    403    200",
    ("design.etivity", "POST"):                     "login  403    403    403    403    403    403    400",
    ("design.etivity_history", "GET"):              "login  403    403    403    403    403    403    200",
    ("design.etivity_history", "POST"):             "405",
    ("design.history", "GET"):                      "login  403    403    403    403    403    403    200",
    ("design.history", "POST"):                     "405",
    ("design.index", "GET"):                        "login  403    403    403    403    403    403    200",
    ("design.index", "POST"):                       "405",
    ("design.move", "GET"):                         "405",
    ("design.move", "POST"):                        "login  403    403    403    403    403    403    302",
    ("design.new_course", "GET"):                   "login  403    403    403    403    403    403    200",
    ("design.new_course", "POST"):                  "login  403    403    403    403    403    403    400",
    ("design.new_etivity", "GET"):                  "login  403    403    403    403    403    403    200",
    ("design.new_etivity", "POST"):                 "login  403    403    403    403    403    403    400",
    ("design.remove_author", "GET"):                "405",
    ("design.remove_author", "POST"):               "login  403    403    403    403    403    403    302",
    ("design.restore", "GET"):                      "405",
    ("design.restore", "POST"):                     "login  403    403    403    403    403    403    302",
    ("design.retire", "GET"):                       "405",
    ("design.retire", "POST"):                      "login  403    403    403    403    403    403    200",
    ("design.storyboard", "GET"):                   "login  403    403    403    403    403    403    200",
    ("design.storyboard", "POST"):                  "405",

    ("design.upload", "GET"):                       "login  403    403    403    403    403    403    200",
    ("design.upload", "POST"):                      "login  403    403    403    403    403    403    302",
    ("design.publish", "GET"):                      "login  403    403    403    403    403    403    200",
    ("design.publish", "POST"):                     "login  403    403    403    403    403    403    409",
    ("design.discard_draft", "GET"):                "405",
    ("design.discard_draft", "POST"):               "login  403    403    403    403    403    403    200",
    ("design.restore_change", "GET"):               "405",
    ("design.restore_change", "POST"):              "login  403    403    403    403    403    403    302",

    ("discussions.withdraw_post", "GET"):             "login  200    404    404    403    404    403    403",
    ("discussions.withdraw_post", "POST"):            "login  302    404    404    403    404    403    403",
    ("discussions.edit_post", "GET"):               "login  200    404    404    403    404    403    403",
    ("discussions.edit_post", "POST"):              "login  400    404    404    403    404    403    403",
    ("discussions.etivity", "GET"):                 "login  200    404    404    200    404    200    200",
    ("discussions.etivity", "POST"):                "login  400    404    404    403    404    400    400",
    ("discussions.help", "GET"):                    "login  302    404    404    302    404    302    302",
    ("discussions.help", "POST"):                   "405",
    ("discussions.thread", "GET"):                  "login  302    404    404    302    404    302    302",
    ("discussions.thread", "POST"):                 "login  400    404    404    403    404    400    400",

    # Facilitator pages: 403 for the cohort's other members, 404 for everyone outside it.
    # POSTs with no data: a form answers 400; remove_member, state and show_post redirect
    # (remove_member acts: it runs last); regenerate_key and revoke_invite ask first (200).
    ("facilitate.audit", "GET"):                    "login  403    404    404    403    404    200    200",
    ("facilitate.calendar", "GET"):                 "login  403    404    404    403    404    200    200",
    ("facilitate.calendar", "POST"):                "405",
    ("facilitate.audit", "POST"):                   "405",
    ("facilitate.cohort", "GET"):                   "login  403    404    404    403    404    200    200",
    ("facilitate.cohort", "POST"):                  "405",
    ("facilitate.hide_post", "GET"):                "login  403    404    404    403    404    200    200",
    ("facilitate.hide_post", "POST"):               "login  403    404    404    403    404    400    400",
    ("facilitate.home", "GET"):                     "login  403    403    403    403    200    200    200",
    ("facilitate.home", "POST"):                    "405",
    ("facilitate.finished", "GET"):                 "login  403    403    403    403    200    200    200",
    ("facilitate.finished", "POST"):                "405",
    ("facilitate.invites", "GET"):                  "login  403    404    404    403    404    200    200",
    ("facilitate.invites", "POST"):                 "login  403    404    404    403    404    400    400",
    ("facilitate.new_cohort", "GET"):               "login  403    403    403    403    200    200    200",
    ("facilitate.new_cohort", "POST"):              "login  403    403    403    403    400    400    400",
    ("facilitate.nudge", "GET"):                    "login  403    404    404    403    404    200    200",
    ("facilitate.nudge", "POST"):                   "login  403    404    404    403    404    400    400",
    ("facilitate.overrides", "GET"):                "login  403    404    404    403    404    200    200",
    ("facilitate.overrides", "POST"):               "login  403    404    404    403    404    400    400",
    ("facilitate.changes", "GET"):                  "login  403    404    404    403    404    200    200",
    ("facilitate.changes", "POST"):                 "405",
    ("facilitate.people", "GET"):                   "login  403    404    404    403    404    200    200",
    ("facilitate.people", "POST"):                  "login  403    404    404    403    404    400    400",
    ("facilitate.reading", "GET"):                  "login  403    404    404    403    404    200    200",
    ("facilitate.reading", "POST"):                 "405",
    ("facilitate.waiting", "GET"):                  "login  403    404    404    403    404    200    200",
    ("facilitate.waiting", "POST"):                 "405",
    ("facilitate.regenerate_key", "GET"):           "405",
    ("facilitate.regenerate_key", "POST"):          "login  403    404    404    403    404    200    200",
    ("facilitate.bring_back", "GET"):               "405",
    ("facilitate.bring_back", "POST"):              "login  403    404    404    403    404    302    302",
    ("facilitate.removed", "GET"):                  "login  403    404    404    403    404    200    200",
    ("facilitate.removed", "POST"):                 "405",
    ("facilitate.remove_member", "GET"):            "login  403    404    404    403    404    200    200",
    ("facilitate.remove_member", "POST"):           "login  403    404    404    403    404    302    302",
    ("facilitate.revoke_invite", "GET"):            "405",
    ("facilitate.revoke_invite", "POST"):           "login  403    404    404    403    404    200    200",
    ("facilitate.settings", "GET"):                 "login  403    404    404    403    404    200    200",
    ("facilitate.settings", "POST"):                "login  403    404    404    403    404    400    400",
    ("facilitate.show_post", "GET"):                "405",
    ("facilitate.show_post", "POST"):               "login  403    404    404    403    404    302    302",
    ("facilitate.state", "GET"):                    "405",
    ("facilitate.state", "POST"):                   "login  403    404    404    403    404    302    302",
    ("facilitate.thread_flags", "GET"):             "405",
    ("facilitate.thread_flags", "POST"):            "login  403    404    404    403    404    400    400",
    ("facilitate.weave", "GET"):                    "login  403    404    404    403    404    200    200",
    ("facilitate.weave", "POST"):                   "login  403    404    404    403    404    400    400",

    # A cohort's pages are open to its members (reviewers included, read-only) and admins.
    ("learner.map", "GET"):                         "login  200    404    404    200    404    200    200",
    ("learner.map", "POST"):                        "405",
    ("learner.my_progress", "GET"):                 "login  200    404    404    200    404    200    200",
    ("learner.my_progress", "POST"):                "405",

    ("main.healthz", "GET"):                        "200",
    ("main.healthz", "POST"):                       "405",
    ("main.login_shortcut", "GET"):                 "login",
    ("main.login_shortcut", "POST"):                "405",
    ("main.register_shortcut", "GET"):              "302",
    ("main.register_shortcut", "POST"):             "405",
    ("main.glossary", "GET"):                       "200",
    ("main.glossary", "POST"):                      "405",
    # Staff land where their work is: the first page after logging in sends them on.
    ("main.index", "GET"):                          "200    200    200    200    302    302    302    302",
    ("main.index", "POST"):                         "405",

    # A calendar link: the cohort's learners and facilitators (the feed itself needs its
    # token, which the world's invite token is not).
    ("feeds.feed", "GET"):                          "login  200    404    404    403    404    200    403",
    ("feeds.feed", "POST"):                         "login  400    404    404    403    404    400    403",
    ("feeds.ics", "GET"):                           "404",
    ("feeds.ics", "POST"):                          "405",

    # Email choices: everyone's own; the development mailbox: admins only. Unsubscribing
    # needs no login but a signed token: the world's invite token is not one (404).
    ("mailings.mailbox", "GET"):                    "login  403    403    403    403    403    403    200",
    ("mailings.mailbox", "POST"):                   "405",
    ("mailings.preferences_page", "GET"):           "login  200    200    200    200    200    200    200",
    ("mailings.preferences_page", "POST"):          "login  400    400    400    400    400    400    400",
    ("mailings.unsubscribe", "GET"):                "404",
    ("mailings.unsubscribe", "POST"):               "404",

    ("notifications.index", "GET"):                 "login  200    200    200    200    200    200    200",
    ("notifications.index", "POST"):                "405",
    ("notifications.mark_read", "GET"):             "405",
    ("notifications.mark_read", "POST"):            "login  302    302    302    302    302    302    302",
    ("notifications.open", "GET"):                  "405",
    ("notifications.open", "POST"):                 "login  302    404    404    404    404    404    404",

    # Learners delete their own accounts; staff accounts carry an audit trail (403).
    ("privacy.delete", "GET"):                      "login  200    200    200    200    200    200    200",
    ("privacy.delete", "POST"):                     "login  400    400    400    400    403    403    403",
    ("privacy.download", "GET"):                    "login  200    200    200    200    200    200    200",
    ("privacy.download", "POST"):                   "405",

    # Reports: reviewers, the facilitator and admins; a learner sees only their own report.
    # compare: 403 for the course's learners, 404 with no cohort of the course at all.
    ("reports.compare", "GET"):                     "login  403    403    404    200    200    200    200",
    ("reports.compare", "POST"):                    "405",
    ("reports.dashboard", "GET"):                   "login  403    404    404    200    404    200    200",
    ("reports.dashboard", "POST"):                  "405",
    ("reports.download", "GET"):                    "login  403    404    404    200    404    200    200",
    ("reports.download", "POST"):                   "405",
    ("reports.etivity", "GET"):                     "login  403    404    404    200    404    200    200",
    ("reports.etivity", "POST"):                    "405",
    ("reports.index", "GET"):                       "login  200    200    200    200    200    200    200",
    ("reports.index", "POST"):                      "405",
    ("reports.interactions", "GET"):                "login  403    404    404    200    404    200    200",
    ("reports.interactions", "POST"):               "405",
    ("reports.learner", "GET"):                     "login  200    404    404    200    404    200    200",
    ("reports.learner", "POST"):                    "405",
    ("reports.printable", "GET"):                   "login  403    404    404    200    404    200    200",
    ("reports.printable", "POST"):                  "405",
    # The token is the facilitator's: nobody else can even see it (404), admins included.
    ("reports.revoke_token", "GET"):                "405",
    ("reports.revoke_token", "POST"):               "login  404    404    404    404    404    200    404",
    ("reports.tokens", "GET"):                      "login  403    403    403    200    200    200    200",
    ("reports.tokens", "POST"):                     "login  403    403    403    400    400    400    400",

    # The toolkit: the cohort reads it; the learner is the section's editor (world's
    # `introduce-yourself` builds a section), so they may choose its current version (400
    # for the empty form); facilitators publish and name editors; each member who posts
    # says whether to be named (admins without a membership have nothing to consent to).
    # The public page is 404 for everyone until the facilitator publishes it.
    ("toolkit.consent", "GET"):                     "405",
    ("toolkit.consent", "POST"):                    "login  400    404    404    403    404    400    403",
    ("toolkit.download", "GET"):                    "login  200    404    404    200    404    200    200",
    ("toolkit.download", "POST"):                   "405",
    ("toolkit.mark_current", "GET"):                "405",
    ("toolkit.mark_current", "POST"):               "login  400    404    404    403    404    400    400",
    ("toolkit.page", "GET"):                        "login  200    404    404    200    404    200    200",
    ("toolkit.page", "POST"):                       "405",
    ("toolkit.printable", "GET"):                   "login  200    404    404    200    404    200    200",
    ("toolkit.printable", "POST"):                  "405",
    ("toolkit.public", "GET"):                      "404",
    ("toolkit.public", "POST"):                     "405",
    ("toolkit.public_download", "GET"):             "404",
    ("toolkit.public_download", "POST"):            "405",
    ("toolkit.publish", "GET"):                     "405",
    ("toolkit.publish", "POST"):                    "login  403    404    404    403    404    400    400",
    ("toolkit.section", "GET"):                     "login  200    404    404    200    404    200    200",
    ("toolkit.section", "POST"):                    "405",
    ("toolkit.set_editor", "GET"):                  "405",
    ("toolkit.set_editor", "POST"):                 "login  403    404    404    403    404    400    400",

    ("static", "GET"):                              "200",
    ("static", "POST"):                             "405",
}

REFUSALS = {"login", "401", "403", "404", "405"}
# POSTs that act with no data at all: run after the rest, in this order, so what they change
# (a withdrawn post, an invite used, a login ended) can't change another row's outcome.
LAST = ("design.copy", "design.retire", "design.restore_change", "design.discard_draft", "design.remove_author", "discussions.withdraw_post", "notifications.open", "notifications.mark_read",
        "facilitate.regenerate_key", "facilitate.revoke_invite", "facilitate.remove_member",
        "cohorts.invite", "reports.revoke_token", "auth.logout", "auth.logout_everywhere")
LOGS_OUT = {"auth.logout", "auth.logout_everywhere"}


WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"}


def writes(sent) -> list[str]:
    """The write statements among those sent: a request that sends none leaves every row as
    it was, and costs no fingerprint of every table to show it. Stricter than comparing
    rows: a write that changed nothing counts."""
    return [s.sql for s in sent if s.verb in WRITES]


def cells(app):
    """(rule, method) for every route, GETs first, then POSTs with LAST at the end."""
    found = [(rule, method) for rule in app.url_map.iter_rules()
             for method in ("GET", "POST")]

    def order(cell):
        rule, method = cell
        last = LAST.index(rule.endpoint) if rule.endpoint in LAST and method == "POST" else -1
        return (method == "POST", last, rule.rule)
    return sorted(found, key=order)


def outcome(response) -> str:
    if response.status_code == 302:
        return "login" if response.headers["Location"].startswith("/account/login") else "302"
    return str(response.status_code)


def expected(endpoint: str, method: str) -> dict[str, str]:
    codes = MATRIX[(endpoint, method)].split()
    return dict(zip(PERSONAS, codes * len(PERSONAS) if len(codes) == 1 else codes, strict=True))


def row(endpoint: str, method: str, got: dict[str, str]) -> str:
    """A MATRIX line, for the message when a route has none."""
    key = f'("{endpoint}", "{method}"):'
    codes = "  ".join(f"{got.get(p, '?'):<5}" for p in PERSONAS).rstrip()
    return f'    {key:<47} "{codes}",'


def test_every_route_has_a_row(app):
    routes = {(rule.endpoint, method) for rule, method in cells(app)}
    missing = sorted(routes - MATRIX.keys())
    assert not missing, "add these routes to MATRIX (decide who may use them):\n" + "\n".join(
        row(e, m, {}) for e, m in missing)
    assert not MATRIX.keys() - routes, f"routes gone: {sorted(MATRIX.keys() - routes)}"


def test_the_write_watch_sees_writes_and_only_writes(app, factory):
    with statements_sent() as reading:
        db.session.execute(select(User)).all()
    with statements_sent() as writing:
        factory.user()
        db.session.flush()
    assert reading and writes(reading) == []
    assert writes(writing) and writes(writing)[0].lstrip().upper().startswith("INSERT")


@pytest.mark.parametrize("who", PERSONAS)
def test_access_matrix(app, rich, who):
    person = rich.people[who]
    client = app.test_client()
    if person is not None:
        login(client, person)
    wrong = []
    for rule, method in cells(app):
        url = rich.url_for(rule)
        want = expected(rule.endpoint, method)[who] if (rule.endpoint, method) in MATRIX else "?"
        if (rule.endpoint, method) == ("main.healthz", "GET") and db.engine.dialect.name == "sqlite":
            # This test's own open transaction holds SQLite's write lock, so /healthz truly
            # says writes would wait (tests/web/test_database_trouble.py tries both answers).
            want = "503"
        # `login` is a refusal only for someone logged out (log out everywhere ends there too).
        refused = want in REFUSALS and not (want == "login" and person is not None)
        with statements_sent() as sent:
            response = client.open(url, method=method, data={})
        got = outcome(response)
        db.session.rollback()
        if got != want:
            wrong.append(f"{method} {url} ({rule.endpoint}): expected {want}, got {got}")
        elif refused:
            assert not writes(sent), f"{who}: refused {method} {url} wrote: {writes(sent)}"
            assert rich_world.SECRET not in response.get_data(as_text=True), (who, method, url)
        if rule.endpoint in LOGS_OUT and method == "POST" and person is not None:
            login(client, person)
    assert not wrong, f"{who}:\n" + "\n".join(wrong)
