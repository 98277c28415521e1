"""A logged-in browser, as far as the benchmark needs one: cookies, the CSRF token of a
form, and timed GETs. Standard library only (urllib), and only ever 127.0.0.1."""

import html
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(page: str) -> str | None:
    match = CSRF.search(page)
    return html.unescape(match.group(1) or match.group(2)) if match else None


class Browser:
    def __init__(self, base: str):
        if not base.startswith("http://127.0.0.1:"):
            raise ValueError("the benchmark only talks to 127.0.0.1")
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None, timeout: float = 300
                ) -> tuple[int, str, float, str]:
        """(status, body, seconds, final URL); redirects are followed, errors returned."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=body, timeout=timeout) as response:
                text = response.read().decode("utf-8", "replace")
                return response.status, text, time.perf_counter() - started, response.url
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            return error.code, text, time.perf_counter() - started, error.url

    def get(self, path: str, timeout: float = 300) -> tuple[int, str, float, str]:
        return self.request(path, timeout=timeout)

    def login(self, email: str, password: str) -> None:
        status, page, _, _ = self.get("/account/login")
        token = csrf_token(page)
        if status != 200 or token is None:
            raise RuntimeError(f"no login form at /account/login (HTTP {status})")
        status, page, _, url = self.request("/account/login", {
            "csrf_token": token, "email": email, "password": password})
        if status != 200 or "/account/login" in url:
            raise RuntimeError(f"could not log in as {email} (HTTP {status}); wrong password, "
                               "or a database seeded with another --password?")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)
