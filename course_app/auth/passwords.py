"""The password policy, in one place: long enough, not common, checked exactly as typed."""

from functools import cache

MIN_LENGTH = 8
MAX_LENGTH = 256


@cache
def _common() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from real breaches.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is refused, or None. No composition rules (NIST SP 800-63B)."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters; a short phrase is easy to remember."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common():
        return "That password is one of the most common ones and easy to guess. Choose another."
    if email and lowered in {email.lower(), email.lower().split("@")[0]}:
        return "Don't use your email address as your password."
    if name and lowered == name.strip().lower():
        return "Don't use your name as your password."
    return None
