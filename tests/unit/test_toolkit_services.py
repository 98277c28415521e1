"""The toolkit's services: sections with credits, choosing the current version, the
editor, publishing and consent."""

import pytest
import toolkit_world
from sqlalchemy import func, select

from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.facilitate import moderation
from course_app.facilitate.models import AuditAction, AuditEntry
from course_app.progress import overrides as progress_overrides
from course_app.toolkit import services
from course_app.toolkit.models import ToolkitSection
from course_app.toolkit.services import ToolkitError


@pytest.fixture
def world(factory):
    return toolkit_world.build(factory)


def audit_actions(cohort):
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.cohort_id == cohort.id).order_by(AuditEntry.id)))


def test_sections_credit_everyone_who_posted_in_the_etivity(world):
    section = services.section_for(world.cohort, world.etivity)
    assert world.etivity in [s.etivity for s in services.sections(world.cohort)]
    assert section.title == "Phrase book" and section.slug == "phrase-book"
    assert section.current is None and section.editor is None
    assert [c.user for c in section.contributors] == [world.editor, world.peer]
    assert section.credits(public=False) == (["Eddie Editor", "Pam Peer"], 0)
    # The published page names nobody who has not agreed.
    assert section.credits(public=True) == ([], 2)


def test_a_course_without_toolkit_etivities_has_no_sections(factory):
    cohort = factory.cohort()
    for etivity in cohort.course.etivities:
        etivity.toolkit_slug = None
    assert services.sections(cohort) == []


def test_the_editor_marks_the_current_version_once_named(world):
    with pytest.raises(ToolkitError, match="editor or a facilitator"):
        services.mark_current(world.cohort, world.etivity, world.compiled, world.editor, utcnow())
    services.set_editor(world.cohort, world.etivity, world.editor.id, world.facilitator, utcnow())
    services.mark_current(world.cohort, world.etivity, world.compiled, world.editor, utcnow())
    # Marking another replaces it: still one row, one current version per section.
    services.mark_current(world.cohort, world.etivity, world.thread.posts[0], world.facilitator,
                          utcnow())
    db.session.commit()
    assert db.session.scalar(select(func.count(ToolkitSection.id))) == 1
    section = services.section_for(world.cohort, world.etivity)
    assert section.current == world.thread.posts[0]
    assert section.row.marked_by == world.facilitator
    assert audit_actions(world.cohort) == [AuditAction.TOOLKIT_EDITOR,
                                           AuditAction.TOOLKIT_CURRENT,
                                           AuditAction.TOOLKIT_CURRENT]


def test_an_editor_chooses_only_where_the_etivity_shows_them_its_posts(factory):
    """Named while the section's stage is locked for them: they choose once it opens."""
    world = toolkit_world.build(factory, open_stage=False)
    services.set_editor(world.cohort, world.etivity, world.editor.id, world.facilitator, utcnow())
    with pytest.raises(ToolkitError, match="editor or a facilitator"):
        services.mark_current(world.cohort, world.etivity, world.compiled, world.editor, utcnow())
    section = services.section_for(world.cohort, world.etivity, reader=world.editor,
                                   today=utcnow().date())
    assert section.access.lock == "Built in stage 4, which opens when you finish stage 3"
    assert not services.may_mark(world.editor, world.cohort, section)
    # A section read for nobody in particular (the published page) lets no learner mark.
    assert not services.may_mark(world.editor, world.cohort,
                                 services.section_for(world.cohort, world.etivity))
    assert services.section_for(world.cohort, world.etivity, reader=world.facilitator,
                                today=utcnow().date()).access.full
    progress_overrides.open_early(world.cohort, world.facilitator.id, utcnow(),
                                  stage_number=world.etivity.stage_number)
    services.mark_current(world.cohort, world.etivity, world.compiled, world.editor, utcnow())


def test_only_a_shown_post_of_the_etivity_can_be_current(world, factory):
    elsewhere = discussions.start_thread(
        world.cohort, next(e for e in world.cohort.course.etivities if e.slug == "voice-guide"),
        world.peer, "Elsewhere", "Not the phrase book.", utcnow())
    other = factory.cohort(course=world.cohort.course)
    theirs = discussions.start_thread(other, world.etivity, other.memberships[0].user,
                                      "Another cohort's", "Theirs.", utcnow())
    moderation.hide_post(world.cohort, world.compiled, world.facilitator, "Off topic", utcnow())
    for post, message in ((elsewhere.posts[0], "conversations"), (theirs.posts[0], "conversations"),
                          (world.compiled, "hidden or withdrawn")):
        with pytest.raises(ToolkitError, match=message):
            services.mark_current(world.cohort, world.etivity, post, world.facilitator, utcnow())


def test_a_current_version_that_is_hidden_later_stops_showing(world):
    services.mark_current(world.cohort, world.etivity, world.compiled, world.facilitator, utcnow())
    moderation.hide_post(world.cohort, world.compiled, world.facilitator, "Names a member of "
                         "the public", utcnow())
    db.session.commit()
    assert services.section_for(world.cohort, world.etivity).current is None


def test_the_editor_must_be_one_of_the_cohorts_learners(world, factory):
    outsider = factory.learner_in(factory.cohort())
    for who in (outsider.id, world.facilitator.id, 0):
        with pytest.raises(ToolkitError, match="cohort's learners"):
            services.set_editor(world.cohort, world.etivity, who, world.facilitator, utcnow())
    services.set_editor(world.cohort, world.etivity, world.editor.id, world.facilitator, utcnow())
    services.set_editor(world.cohort, world.etivity, None, world.facilitator, utcnow())
    assert services.section_for(world.cohort, world.etivity).editor is None


def test_publishing_consent_and_the_markdown(world):
    services.mark_current(world.cohort, world.etivity, world.compiled, world.facilitator, utcnow())
    services.set_consent(world.cohort, world.peer, True, utcnow())
    services.set_consent(world.cohort, world.peer, True, utcnow())  # twice is once
    services.set_published(world.cohort, True, world.facilitator, utcnow())
    services.set_published(world.cohort, True, world.facilitator, utcnow())  # no change, no entry
    db.session.commit()
    section = services.section_for(world.cohort, world.etivity)
    assert section.credits(public=True) == (["Pam Peer"], 1)
    public = services.as_markdown(world.cohort, [section], public=True)
    assert "## Phrase book" in public and "## Our phrase book" in public
    assert "Current version by a member of the cohort." in public
    assert "Contributors: Pam Peer and 1 other." in public
    assert "Eddie Editor" not in public
    inside = services.as_markdown(world.cohort, [section], public=False)
    assert "Current version by Eddie Editor." in inside
    assert "Contributors: Eddie Editor, Pam Peer." in inside
    services.set_consent(world.cohort, world.peer, False, utcnow())
    services.set_published(world.cohort, False, world.facilitator, utcnow())
    assert services.publication(world.cohort) is None
    assert services.consenting(world.cohort) == set()
    assert audit_actions(world.cohort).count(AuditAction.TOOLKIT_PUBLISHED) == 2


def test_earlier_cohorts_published_versions_are_a_spark(world, factory):
    services.mark_current(world.cohort, world.etivity, world.compiled, world.facilitator, utcnow())
    db.session.commit()
    later = factory.cohort(course=world.cohort.course)
    assert services.earlier_published(later, world.etivity) == []  # not published yet
    services.set_published(world.cohort, True, world.facilitator, utcnow())
    db.session.commit()
    assert services.earlier_published(later, world.etivity) == [(world.cohort, world.compiled)]
    # Not the cohort itself, nor a later one.
    assert services.earlier_published(world.cohort, world.etivity) == []


def test_who_sees_every_section(factory):
    """The published page is offered only to whoever sees every section whole."""
    world = toolkit_world.build(factory, open_stage=False)
    today = utcnow().date()

    def every(who) -> bool:
        return services.sees_every_section(services.sections(world.cohort, reader=who,
                                                              today=today))

    assert every(world.facilitator) and services.sees_every_section(
        services.sections(world.cohort))  # read for nobody: the published page
    assert not every(world.peer)  # stage 4 locked for them
    for stage in range(2, 6):
        progress_overrides.open_early(world.cohort, world.facilitator.id, utcnow(),
                                      stage_number=stage)
    assert not every(world.peer)  # "letting-go" is "post first"
    discussions.start_thread(world.cohort, etivity_of(world, "letting-go"), world.peer, "Mine",
                             "My own.", utcnow())
    assert every(world.peer)
    assert services.sees_every_section([])


def etivity_of(world, slug):
    return next(e for e in world.cohort.course.etivities if e.slug == slug)
