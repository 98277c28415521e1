"""Issue 4's journey, end to end in a real browser: a newcomer registers, enrols in the demo
cohort with its key, completes stage 1 by doing what its e-tivities ask, and sees stage 2
open on the map, with the progress page agreeing."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from course_app.cohorts.models import Cohort
from course_app.demo import DEMO_COHORT
from course_app.extensions import db

pytestmark = pytest.mark.browser


def demo_cohort(app) -> tuple[int, str]:
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == DEMO_COHORT))
        return cohort.id, cohort.enrolment_key


def step(page: Page, number: int):
    return page.locator(f"li.step-{number}")


def test_newcomer_completes_stage_one_and_sees_stage_two_open(page: Page, live_server):
    base, app = live_server
    cohort_id, key = demo_cohort(app)

    # Register.
    page.goto(base + "/account/register")
    page.get_by_label("Email").fill("journey@example.org")
    page.get_by_label("Display name").fill("Jo Journey")
    page.get_by_label("Password", exact=True).fill("listening before speaking")
    page.get_by_label("Repeat password").fill("listening before speaking")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_text("Welcome, Jo Journey.")).to_be_visible()

    # Enrol with the key, typed the way people type it.
    page.get_by_role("link", name="Join a cohort").click()
    page.get_by_label("Enrolment key").fill(key.lower().replace("-", ""))
    page.get_by_role("button", name="Join a cohort").click()
    expect(page.get_by_role("heading", level=1, name=DEMO_COHORT)).to_be_visible()
    expect(step(page, 1)).to_contain_text("Open")
    expect(step(page, 2)).to_contain_text("Locked")

    # Stage 1, "Introduce yourself": start a piece and reply to a peer.
    step(page, 1).get_by_role("link", name="Introduce yourself").click()
    page.get_by_label("Title").fill("Hello from Jo")
    page.get_by_label("Your post").fill("I answer the council's inbox and want to listen more.")
    page.get_by_role("button", name="Start the conversation").click()
    expect(page.get_by_text("Your conversation is up.")).to_be_visible()
    page.get_by_role("link", name="Back to “Introduce yourself”").click()
    page.get_by_role("link", name="Ana: Introduce yourself").click()
    page.get_by_role("link", name="Reply to Ana Okafor").first.click()
    page.get_by_label("Your reply").fill("Hello Ana, lovely to meet you.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()

    # Stage 1, the time and help e-tivity: start a piece.
    page.goto(f"{base}/cohorts/{cohort_id}")
    step(page, 1).get_by_role("link", name=re.compile("time", re.I)).click()
    page.get_by_label("Title").fill("My hours")
    page.get_by_label("Your post").fill("Tuesday and Thursday lunchtimes, about 30 minutes.")
    page.get_by_role("button", name="Start the conversation").click()
    expect(page.get_by_text("Your conversation is up.")).to_be_visible()

    # The map: stage 1 finished, stage 2 open.
    page.goto(f"{base}/cohorts/{cohort_id}")
    expect(step(page, 1)).to_contain_text("Finished")
    expect(step(page, 2)).to_contain_text("Open")
    expect(step(page, 2).get_by_role("link").first).to_be_visible()
    # The notification says so too.
    expect(page.locator(".badge")).to_be_visible()

    # My progress agrees.
    page.goto(f"{base}/cohorts/{cohort_id}/progress")
    expect(page.get_by_role("heading", level=1)).to_contain_text("progress")
    body = page.locator("main")
    expect(body).to_contain_text("Stage 2")
    intro = page.locator("tr", has_text="Introduce yourself")
    expect(intro).to_contain_text(re.compile("complete", re.I))
    page.screenshot(path=str(_shots() / "journey-progress.png"), full_page=True)
    page.goto(f"{base}/cohorts/{cohort_id}")
    page.screenshot(path=str(_shots() / "journey-map.png"), full_page=True)


def _shots():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "test-results"
    path.mkdir(exist_ok=True)
    return path
