"""The one check for where a redirect may go: a path on this site, nothing else."""

from urllib.parse import urlsplit


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
