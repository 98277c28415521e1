"""The facilitator's queue and the e-tivity report agree, on the page, about the same
threads: a withdrawn or hidden reply is no answer on either."""

from datetime import timedelta

from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.facilitate import moderation
from learner_journey import start


def unanswered_section(response) -> str:
    """The HTML from the "unanswered" heading to the end of its section."""
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page[page.index('id="unanswered"'):].split("</section>", 1)[0]


def test_queue_page_and_etivity_report_list_the_same_unanswered_threads(client, factory,
                                                                        login_as):
    cohort = factory.cohort()
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    ana, ben, cal = (factory.learner_in(cohort, name=n) for n in ("Ana", "Ben", "Cal"))
    at = utcnow() - timedelta(hours=3)
    withdrawn = start(cohort, ana, "introduce-yourself", at=at, title="Withdrawn answer")
    hidden = start(cohort, ben, "introduce-yourself", at=at, title="Hidden answer")
    answered = start(cohort, cal, "introduce-yourself", at=at, title="Real answer")
    discussions.delete_post(discussions.reply(withdrawn, ben, "Oops", at), ben, at)
    moderation.hide_post(cohort, discussions.reply(hidden, cal, "Rude", at), facilitator,
                         "Please be kind", at)
    discussions.reply(answered, ana, "Welcome, Cal", at)
    db.session.commit()
    login_as(facilitator)

    queue = unanswered_section(client.get(f"/facilitate/cohorts/{cohort.id}"))
    report = unanswered_section(client.get(f"/reports/cohorts/{cohort.id}/e/introduce-yourself"))
    for page in (queue, report):
        assert "Withdrawn answer" in page and "Hidden answer" in page
        assert "Real answer" not in page
