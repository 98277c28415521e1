"""Where a redirect may go: a path on this site, nothing else; and the session flag that
sends someone who just logged in to where their work is."""

from urllib.parse import urlsplit

# Set by a login with nowhere to return to; on the very next request the home page
# (main.index) sends staff to Facilitate and reviewers to their reports instead of the
# learner's home. Any other request clears it (main._landing_only_at_once).
JUST_LOGGED_IN = "just_logged_in"


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None.

    Browsers read a backslash as "/" and drop tabs and newlines, so "/\\evil" means "//evil":
    anything with a backslash or a control character is refused.
    """
    target = (target or "").strip()
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme \
            and not parts.netloc:
        return target
    return None
