"""Steps the browser tests share: logging in and out, finding the demo cohort."""

from playwright.sync_api import Page, expect
from sqlalchemy import select

from course_app.cohorts.models import Cohort
from course_app.demo import DEMO_COHORT, PASSWORD
from course_app.extensions import db


def log_in(page: Page, base: str, email: str, password: str = PASSWORD,
           expect_welcome: bool = True) -> None:
    page.goto(base + "/account/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if expect_welcome:
        expect(page.get_by_text("Welcome back")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.locator(".site-header").get_by_role("link", name="Log in")).to_be_visible()


def demo_cohort_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Cohort.id).where(Cohort.name == DEMO_COHORT))
