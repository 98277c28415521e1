"""Who replied to whom on the dashboard: a large cohort's map draws its busiest pairs and
offers every pair as a CSV; hidden and withdrawn replies, and people who left, don't count."""

import csv
import io

from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import membership_of
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.facilitate import moderation
from course_app.reports import interactions
from course_app.reports import views as report_views
from learner_journey import start


def conversation(factory):
    """Ana's piece: Ben replies three times, Cara twice, Dan once (then leaves); the
    facilitator once, and hides one of Cara's replies; Ana withdraws her reply to Ben."""
    cohort = factory.cohort()
    staff = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    ana, ben, cara, dan = (factory.learner_in(cohort, name=n) for n in ("Ana", "Ben", "Cara",
                                                                         "Dan"))
    thread = start(cohort, ana, "introduce-yourself")
    for _ in range(3):
        to_ben = discussions.reply(thread, ben, "Hello Ana", utcnow())
    cara_replies = [discussions.reply(thread, cara, "Hi", utcnow()) for _ in range(2)]
    discussions.reply(thread, dan, "Hey", utcnow())
    discussions.reply(thread, staff, "Welcome", utcnow())
    withdrawn = discussions.reply(thread, ana, "Thanks Ben", utcnow(), parent=to_ben)
    db.session.commit()
    moderation.hide_post(cohort, cara_replies[0], staff, "Off topic", utcnow())
    discussions.delete_post(withdrawn, ana, utcnow())
    membership_of(cohort.id, dan.id).removed_at = utcnow()
    db.session.commit()
    return cohort, staff


def by_name(imap) -> dict[tuple[str, str], int]:
    names = {u.id: u.name for u, _ in imap.people}
    return {(names[a], names[b]): n for (a, b), n in imap.edges.items()}


def test_the_map_counts_shown_replies_between_members(factory):
    cohort, staff = conversation(factory)
    full = interactions.interaction_map(cohort)
    assert by_name(full) == {("Ben", "Ana"): 3, ("Cara", "Ana"): 1, (staff.name, "Ana"): 1}
    assert (full.pairs, full.replies, full.summarised) == (3, 5, False)
    # The busiest two; a tie goes to whoever joined first (the facilitator opened the cohort).
    busiest = interactions.interaction_map(cohort, top=2)
    assert by_name(busiest) == {("Ben", "Ana"): 3, (staff.name, "Ana"): 1}
    assert (busiest.pairs, busiest.replies, busiest.summarised) == (3, 5, True)
    assert [u.name for u in busiest.not_replied_to] == [u.name for u in full.not_replied_to]
    assert "Ben" in [u.name for u in full.not_replied_to]  # Ana's reply was withdrawn


def test_a_reply_from_someone_who_left_answers_nobody(factory):
    """Eve's only reply came from Dan, who has left: on the map nobody has answered her, and
    his pair is in no total, whether the map shows every pair or the busiest."""
    cohort, _staff = conversation(factory)
    eve = factory.learner_in(cohort, name="Eve")
    dan = next(m.user for m in cohort.memberships if m.user.name == "Dan")
    membership_of(cohort.id, dan.id).removed_at = None
    discussions.reply(start(cohort, eve, "time-and-help"), dan, "Hi Eve", utcnow())
    membership_of(cohort.id, dan.id).removed_at = utcnow()
    db.session.commit()
    for imap in (interactions.interaction_map(cohort), interactions.interaction_map(cohort, top=1)):
        assert "Eve" in [u.name for u in imap.not_replied_to]
        assert (imap.pairs, imap.replies) == (3, 5)
        assert "Dan" not in {name for pair in by_name(imap) for name in pair}


def test_a_summarised_map_links_to_every_pair(factory, client, login_as, monkeypatch):
    cohort, staff = conversation(factory)
    monkeypatch.setattr(report_views, "MAP_PAIRS", 2)
    login_as(staff)
    page = client.get(f"/reports/cohorts/{cohort.id}").get_data(as_text=True)
    assert "The 2 pairs with most replies" in page
    assert "The map draws these 2 of 3 pairs." in page
    assert f'href="/reports/cohorts/{cohort.id}/interactions.csv"' in page
    response = client.get(f"/reports/cohorts/{cohort.id}/interactions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["who replied", "role of who replied", "to whom", "role of whom", "replies"]
    assert len(set(rows[0])) == len(rows[0])  # a spreadsheet tells every column apart
    assert rows[1] == ["Ben", "learner", "Ana", "learner", "3"]
    assert sorted(rows[2:]) == [["Cara", "learner", "Ana", "learner", "1"],
                                [staff.name, "facilitator", "Ana", "learner", "1"]]


def test_learners_may_not_download_the_pairs(factory, client, login_as):
    cohort, _ = conversation(factory)
    login_as(factory.learner_in(cohort))
    assert client.get(f"/reports/cohorts/{cohort.id}/interactions.csv").status_code == 403
