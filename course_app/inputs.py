"""What comes in with a request, checked once for every route, so bad input gets a clear 4xx
and never reaches the database (where it would be a 500, or be stored half-way).

- **Ids in routes**: `<int:...>` in every route is `DbIntConverter`, which matches only
  numbers an id column can hold (PostgreSQL's `integer`, up to 2^31-1, the smaller of our two
  databases' ranges). A larger number matches no route: 404, like any unknown id.
- **Ids and page numbers in query strings and forms**: `as_id` and `page_arg`.
- **Control characters**: `guard`, run before every request, refuses a path, a query string
  or a form field that holds one (tab and line breaks are allowed in form values: text
  areas), with a 400 that names the field (`RefusedInput`; errors.py draws it and gives back
  what was typed, cleaned). The rule itself is `text.first_control`.
- **Dates** typed into forms or given to commands are between EARLIEST_DATE and LATEST_DATE
  (`date_problem`): nothing here plans a course outside them, and dates near 9999-12-31
  overflow as soon as a day is added.
- **How the browser fetched it**: `opened_as_page`. A GET that acts for the reader (records
  what they read, hands over a download) acts only when the page itself was opened, never
  when another page pulled it in as a picture, script or style; a download says so with
  `@downloaded_as_page`.
- **Size**: MAX_CONTENT_LENGTH (config) caps a request's body; Werkzeug refuses more with a
  413 before reading it, and errors.py explains.
"""

from collections.abc import Callable
from datetime import date
from functools import wraps

from flask import Flask, abort, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from . import security_log
from .text import PASTE_HINT, control_problem, without_controls

DB_INT_MAX = 2**31 - 1  # PostgreSQL's integer; SQLite's is larger
MAX_PAGE = 100_000  # no list here has that many pages; past it, the page can't exist
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class DbIntConverter(IntegerConverter):
    """`<int:...>`, app-wide: a whole number no larger than an id column holds. Building a
    URL (`url_for`) is unchanged: every id we build one from came from the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        below = DB_INT_MAX if max is None or max > DB_INT_MAX else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=below, signed=signed)


def as_id(raw) -> int | None:
    """An id from a query string or a form (a str, or an int from a field), or None when it
    isn't one: not a whole number, below 1, or beyond what the database holds."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        value = int(raw)
    else:
        return None
    return value if 1 <= value <= DB_INT_MAX else None


def page_arg(default: int | None = 1, given: str | None = None) -> int | None:
    """`?page=` for every paginated list (or `given`, the page a form's button asks for):
    `default` when absent or not a number, 1 for numbers below 1, and 404 for a page no list
    could have (a list's own pages past its end show its last page, as each list decides)."""
    raw = ((request.args.get("page") if given is None else given) or "").strip()
    if raw.startswith("-") and raw[1:].isascii() and raw[1:].isdigit():
        return 1
    if not (raw.isascii() and raw.isdigit()):
        return default
    if len(raw) > len(str(MAX_PAGE)) or int(raw) > MAX_PAGE:
        abort(404)
    return max(int(raw), 1)


def date_problem(value: date | None) -> str | None:
    """Why a date can't be used (None when it can)."""
    if value is None or EARLIEST_DATE <= value <= LATEST_DATE:
        return None
    return (f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}, "
            f"like {date(2027, 1, 4).isoformat()}.")


class RefusedInput(BadRequest):
    """A request with something in it we never store (a control character). `field` names
    where it was: "the address", a query parameter or a form field."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"What you sent in {field} {problem}. {PASTE_HINT}")
        self.field = field


def _problem() -> tuple[str, str] | None:
    problem = control_problem(request.path)
    if problem:
        return "the address", problem
    for key, value in request.args.items(multi=True):
        problem = control_problem(key) or control_problem(value)
        if problem:
            return f"the address (“{_quotable(key)}”)", problem
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    # Reading the form may raise 413 (too large): errors.py answers it.
    for key, value in request.form.items(multi=True):
        problem = control_problem(key) or control_problem(value, multiline=True)
        if problem:
            return f"“{_quotable(key)}”", problem
    for key, storage in request.files.items(multi=True):
        problem = control_problem(storage.filename or "")
        if problem:
            return f"the name of the file in “{_quotable(key)}”", problem
    return None


def _quotable(value: str) -> str:
    """A name fit to quote in a message."""
    return without_controls(value, multiline=False)[:80]


def opened_as_page() -> bool:
    """Did someone open this address as a page (a link followed, an address typed), rather
    than have a page load it as an image, script, style, frame or a script's fetch()?

    Browsers say which in `Sec-Fetch-Dest`; a top-level visit is `document`. Anything else
    is not a visit: `image` from an <img> in a post, `empty` from fetch() or a prefetch
    (nothing of ours fetches pages by script), `iframe` (our pages refuse to be framed). A
    request without the header (an older browser, a program) is taken as a visit, as
    before. A GET that writes asks this first: `discussions.thread_page` before recording reads,
    the downloads before handing over a file."""
    dest = request.headers.get("Sec-Fetch-Dest")
    return dest is None or dest.strip().lower() == "document"


def downloaded_as_page(view: Callable) -> Callable:
    """A download's view (under `login_required`): a page that loads it as a picture gets a
    400 and nothing, not the reader's file (nor a line in the security log)."""
    @wraps(view)
    def only_when_opened(*args, **kwargs):
        if not opened_as_page():
            abort(400)
        return view(*args, **kwargs)
    return only_when_opened


def guard() -> None:
    """Refuse a request with a control character where text comes in (before the view)."""
    found = _problem()
    if found is not None:
        field, problem = found
        security_log.warning("input.refused", field=field, endpoint=request.endpoint)
        raise RefusedInput(field, problem)


def register(app: Flask) -> None:
    """Before any blueprint adds its routes: the converter is chosen when a rule is added."""
    app.url_map.converters["int"] = DbIntConverter
    app.before_request(guard)
