"""What counts as text someone meant to type: the one rule for control characters and for
text with nothing visible in it. No Flask, no database: forms, the request guard
(`inputs.py`), the command line and the course-content checks all call these.

- **Control characters** (NUL, ESC, DEL, the C1 range...) are never typed on purpose. A NUL
  can't be stored in PostgreSQL at all and cuts text short elsewhere, and escapes can forge
  lines in a terminal or a log. Only tab, line feed and carriage return are text, and only in
  multi-line text (a post, a message).
- **One line**: a name or a title (a person's display name, a cohort's name, a thread's or a
  course's title) goes into email subjects, where a line break can't go, and into one-line
  places on pages. `one_line` folds line breaks, tabs and other control characters (and
  Unicode's line and paragraph separators) into single spaces: people paste names.
- **Invisible text**: a post or a name made only of spaces, zero-width characters (U+200B
  and friends), joiners, byte-order marks, fillers and combining marks shows as nothing, so
  it counts as empty.
"""

import re
import unicodedata

LINE_BREAKS_AND_TAB = "\t\n\r"
# C0 controls, DEL and the C1 controls: Unicode's category Cc.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A run of control characters or line and paragraph separators, with the spaces around it.
_LINE_BREAKING = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*")

# Categories that draw nothing on their own: controls, formats (zero-width space, joiners,
# BOM, direction marks, tags), separators (spaces of every width) and combining marks.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that are drawn as blanks: Hangul fillers, the braille blank.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def first_control(value: str, multiline: bool = False) -> str | None:
    """The first control character in `value` (None when there is none). In multi-line
    text, tab and line breaks are allowed."""
    match = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    return match.group() if match else None


def describe(char: str) -> str:
    """A control character named for a message: "U+0000 (NUL)"."""
    name = {"\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL", "\t": "tab", "\n": "line break",
            "\r": "carriage return"}.get(char)
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else code


PASTE_HINT = ("It is invisible: it usually comes from copying out of another program. Retype "
              "the text around it, or paste it as plain text.")


def control_problem(value: str, multiline: bool = False) -> str | None:
    """What is wrong with text that holds a control character ("contains a control
    character, U+0000 (NUL), which can't be stored"), or None when it holds none."""
    char = first_control(value, multiline)
    if char is None:
        return None
    return f"contains a control character, {describe(char)}, which can't be stored"


def without_controls(value: str, multiline: bool = True) -> str:
    """The text with its control characters taken out (for showing back what was sent)."""
    return (_CONTROL_MULTILINE if multiline else _CONTROL).sub("", value)


def one_line(value: str) -> str:
    """The text as one line, stripped: each run of control characters (line breaks, tabs)
    and the spaces around it becomes a single space."""
    return _LINE_BREAKING.sub(" ", value).strip()


def is_blank(value: str | None) -> bool:
    """Nothing in it would be seen: empty, spaces, or only invisible characters."""
    return not any(
        char not in _BLANK_LETTERS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in value or "")
