"""The three checks every page state gets (axe-core, sideways scrolling, the Nu HTML checker),
and the walk that visits page states and collects what they find.

axe-core and vnu.jar come from the npm registry (`npm ci`, see package.json); vnu.jar runs on
the machine's Java. Where they are missing the checks skip, except in CI (REQUIRE_BROWSER=1),
where a missing tool is a failure: a check that silently never runs is worse than none.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "docs" / "screenshots"

WIDTHS = (1280, 375, 320)
HEIGHT = 800
# WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules the issue asks for, and no best-practice
# rules, so a finding always names a success criterion.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def missing_tools() -> list[str]:
    missing = []
    if not AXE_JS.exists():
        missing.append("axe-core (run `npm ci`)")
    if not VNU_JAR.exists():
        missing.append("vnu.jar (run `npm ci`)")
    if shutil.which("java") is None:
        missing.append("Java (apt-get install default-jre-headless)")
    return missing


def require_tools() -> None:
    """Skip where the checkers are not installed; fail in CI, which must have them."""
    missing = missing_tools()
    if not missing:
        return
    reason = "accessibility checks need " + ", ".join(missing)
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


# ---- axe-core ------------------------------------------------------------------------------

# noHtml: no copy of each node's HTML in the results (the findings name nodes by selector), a
# sixth less work for axe on the course's pages; what it finds is the same.
_RUN_AXE = """async tags => {
  axe.configure({noHtml: true});
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
    count: v.nodes.length}));
}"""


def run_axe(page: Page) -> list[dict]:
    """axe's violations on the page as it is now. The page must have axe loaded (see walk)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN_AXE, AXE_TAGS)


# ---- sideways scrolling ----------------------------------------------------------------------

# The page may not be wider than the window. An element inside may scroll sideways only if
# keyboard users can reach it and screen readers can name it: a labelled, focusable group
# around a table (the pattern in templates/_macros/table.html; a group, not a region, so that
# tables don't add landmarks).
_SIDEWAYS = """() => {
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const doc = document.documentElement;
  const boxes = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    const overflow = getComputedStyle(el).overflowX;
    if (overflow !== 'auto' && overflow !== 'scroll') continue;
    const labelled = el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby');
    if (el.tabIndex === 0 && el.getAttribute('role') === 'group' && labelled &&
        el.querySelector('table')) continue;
    boxes.push(name(el));
  }
  return {page: doc.scrollWidth > window.innerWidth ? doc.scrollWidth : 0, boxes};
}"""


def sideways(page: Page) -> list[str]:
    """What scrolls sideways that shouldn't: the page itself, or a box keyboards can't reach."""
    found = page.evaluate(_SIDEWAYS)
    problems = [f"box {box} scrolls sideways but is not a labelled, focusable table box"
                for box in found["boxes"]]
    if found["page"]:
        problems.insert(0, f"the page is {found['page']} px wide")
    return problems


# ---- the Nu HTML checker -----------------------------------------------------------------

# Java's quick compiler only: a checker that lives for one test run never repays the optimising
# compiler's work, and starting it and checking 130 pages then takes half the processor time
# (13 s -> 6 s and 15 s -> 7 s on the 2-core machine). The checker's schemas nest deeply, so
# its threads need more stack than the quick compiler's frames leave in the default 1 MB.
JAVA_FLAGS = ("-XX:TieredStopAtLevel=1", "-Xss8m")


class NuChecker:
    """vnu.jar's web service on a free local port, started at the first page it is asked to
    check and stopped by `stop` (a Java start costs seconds; a page then takes milliseconds,
    so each test worker starts one instead of one a journey)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._url = ""

    def errors(self, pages: dict[str, str]) -> dict[str, list[str]]:
        """Each page's errors. A page the checker gave no answer for has that as its error,
        so a checker that did not run cannot pass."""
        return {name: self._check(html) for name, html in pages.items()}

    def _check(self, html: str) -> list[str]:
        if self._process is None:
            self._start()
        ask = urllib.request.Request(self._url, data=html.encode(), method="POST",
                                     headers={"Content-Type": "text/html; charset=utf-8"})
        try:
            with urllib.request.urlopen(ask, timeout=60) as answer:
                messages = json.load(answer)["messages"]
        except (OSError, ValueError, KeyError) as problem:
            return [f"vnu gave no answer: {problem}"]
        return [f'line {m.get("lastLine", "?")}: {m["message"]} '
                f'[{m.get("extract", "").strip()[:80]}]'
                for m in messages if m["type"] in ("error", "non-document-error")]

    def _start(self) -> None:
        # The free port is found by binding and letting go, so another process may take it
        # before Java binds it; the checker then exits at once, and a new port is tried.
        for _attempt in range(3):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            self._process = subprocess.Popen(
                ["java", *JAVA_FLAGS, "-Dnu.validator.servlet.bind-address=127.0.0.1",
                 "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(port)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self._url = f"http://127.0.0.1:{port}/?out=json"
            if self._answers(port):
                return
            self.stop()
        raise RuntimeError("vnu.jar's web service did not start")

    def _answers(self, port: int) -> bool:
        """Poll while Java starts: True once it answers, False if it exits or takes 2 min."""
        deadline = time.monotonic() + 120
        while self._process.poll() is None and time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(30)
            self._process = None


# ---- walking page states -------------------------------------------------------------------

@dataclass(frozen=True)
class State:
    """One page in one state. `path` may name demo ids ("{cohort}"). `actions` run on the page
    first, in order: ("fill", label, text), ("choose", label, option) for a list, ("press",
    button name) for a button scripts answer in place, ("hidden", name, value) to set a hidden
    field (a form opened before someone else saved). Then `fill` types into fields (by
    label) and the `submit` button is pressed, for a page showing a form's errors. A state
    with actions but no submit is checked as the scripts left it."""
    name: str
    path: str
    fill: tuple[tuple[str, str], ...] = ()
    submit: str | None = None
    status: int = 200
    screenshot: bool = False
    actions: tuple[tuple[str, ...], ...] = ()

    def _act(self, page: Page) -> None:
        for action, *args in self.actions:
            if action == "fill":
                page.get_by_label(args[0], exact=True).fill(args[1])
            elif action == "choose":
                page.get_by_label(args[0], exact=True).select_option(args[1])
            elif action == "press":
                page.get_by_role("button", name=args[0], exact=True).click()
            elif action == "hidden":  # as a form opened before someone else saved
                page.locator(f'input[type="hidden"][name="{args[0]}"]').evaluate(
                    "(input, value) => { input.value = value; }", args[1])
            else:
                raise ValueError(f"{self.name}: unknown action {action!r}")

    def visit(self, page: Page, base: str, ids: dict) -> str:
        response: Response | None = page.goto(base + self.path.format(**ids))
        self._act(page)
        if self.submit:
            for label, value in self.fill:
                page.get_by_label(label, exact=True).fill(value)
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name=self.submit, exact=True).click()
            response = navigation.value
        assert response is not None, self.name
        assert response.status == self.status, (
            f"{self.name}: {page.url} answered {response.status}, not {self.status}")
        return page.content() if self.actions and not self.submit else response.text()


@dataclass
class Findings:
    """What the checks found, keyed by (page state, check): "axe color-contrast @375"."""
    problems: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)

    def add(self, state: str, check: str, details: Iterable[str]) -> None:
        details = list(details)
        if details:
            self.problems.setdefault((state, check), []).extend(details)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps([[state, check, details] for (state, check), details
                                    in sorted(self.problems.items())], indent=1))


def check_states(page: Page, base: str, ids: dict, states: Iterable[State],
                 findings: Findings, screenshots: bool = False) -> None:
    """Visit each state once, then check it at each width (the page is resized, not reloaded)."""
    for state in states:
        findings.html[state.name] = state.visit(page, base, ids)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            for v in run_axe(page):
                findings.add(state.name, f"axe {v['id']} @{width}",
                             [f"{v['help']} ({v['count']}): {', '.join(v['targets'])}"])
            findings.add(state.name, f"sideways @{width}", sideways(page))
            if screenshots and state.screenshot and width in (1280, 375):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOTS / f"{state.name.replace('/', '-')}-{width}.png")
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})


def compare(findings: Findings, known: dict[str, set[str]], walked: Iterable[str]) -> list[str]:
    """Problems that are not on the known list, and known ones that are gone (strict: a fixed
    page must leave the list, so the list stays a true to-do list)."""
    report = []
    for (state, check), details in sorted(findings.problems.items()):
        if check not in known.get(state, set()):
            report.append(f"{state}: {check}\n    " + "\n    ".join(details))
    walked = set(walked)
    for state, checks in sorted(known.items()):
        if state not in walked:
            continue
        for check in sorted(checks):
            if (state, check) not in findings.problems:
                report.append(f"{state}: {check} is fixed: remove it from KNOWN_FAILURES")
    return report
