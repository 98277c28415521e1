"""Steps the designer's tests share (tests/web/test_designer*.py): an e-tivity by its slug,
its form and the course texts' form as their pages fill them, publishing as an author does,
a confirmation's hidden value, and a running cohort where a rule is lowered."""

from sqlalchemy import select

from conftest import login
from course_app.clock import utcnow
from course_app.courses.models import Etivity
from course_app.extensions import db


def etivity(course, slug) -> Etivity:
    return db.session.scalar(select(Etivity).where(Etivity.course_id == course.id,
                                                   Etivity.slug == slug))


def form_of(e: Etivity, **changes) -> dict:
    """The e-tivity form as its page fills it, with `changes`."""
    data = {name: getattr(e, name) for name in (
        "title", "purpose", "summary", "spark", "task", "interaction", "emoderator", "next")}
    data.update({name: str(getattr(e, name) or "") for name in (
        "minutes", "days", "first_post_day", "replies_day", "observe", "interact", "initiate")})
    data.update({name: "y" if getattr(e, name) else "" for name in (
        "required", "post_first", "observe_facilitators")})
    data.update({"version": str(e.version), "toolkit_slug": e.toolkit_slug or "",
                 "toolkit_title": e.toolkit_title or ""})
    for index, piece in enumerate(e.pieces or []):
        data[f"pieces-{index}-name"], data[f"pieces-{index}-body"] = piece["name"], piece["body"]
    for index, day in enumerate(e.moderator_days or []):
        data[f"moderator_days-{index}-day"] = str(day["day"])
        data[f"moderator_days-{index}-note"] = day["note"]
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def publish(client, course, expect: str | None = None):
    """Publish the course's drafts as an author would: read the page, press Publish."""
    page = client.get(f"/design/{course.slug}/publish").get_data(as_text=True)
    if expect is not None:
        assert expect in page, page
    data = {}
    if 'name="confirm" value="' in page:
        data["confirm"] = page.split('name="confirm" value="')[1].split('"')[0]
    response = client.post(f"/design/{course.slug}/publish", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    return page


def course_texts_form(client, course, **changes) -> dict:
    """The course texts form as its page fills it (the hidden version included), changed."""
    page = client.get(f"/design/{course.slug}/course").get_data(as_text=True)
    data = {"title": course.title, "summary": course.summary, "audience": course.audience,
            "weekly_minutes": str(course.weekly_minutes or ""),
            "version": page.split('name="version" type="hidden" value="')[1].split('"')[0]}
    for n, stage in enumerate(course.stages):
        data.update({f"stages-{n}-title": stage.title, f"stages-{n}-summary": stage.summary,
                     f"stages-{n}-emoderator": stage.emoderator,
                     f"stages-{n}-suggested_days": str(stage.suggested_days)})
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def confirmation(page: str) -> str:
    return page.split('name="confirm" value="')[1].split('"')[0]


def lower_listen_first(client, factory, course, cohort, author):
    """A learner who started a conversation in "Listen first" (read 3, start 1), and its
    author's draft that asks for no reads: (the e-tivity, the learner, its page)."""
    from course_app.discussions.services import start_thread

    listen = etivity(course, "listen-first")
    learner = factory.learner_in(cohort)
    start_thread(cohort, listen, learner, "A case", "What I found.", at=utcnow())
    db.session.commit()
    login(client, author)
    url = f"/design/{course.slug}/etivities/listen-first"
    assert client.post(url, data=form_of(listen, observe="0")).status_code == 302
    return listen, learner, url
