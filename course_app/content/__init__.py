"""Course content: reads and validates a folder under modules/ into frozen dataclasses.

Knows nothing of Flask or the database; `courses.services` imports what this returns.
"""

from .loader import ContentError, load_course, validate_course
from .specs import (
    CompletionRule,
    CourseSpec,
    EtivitySpec,
    PieceTemplate,
    Problem,
    StageSpec,
)

__all__ = [
    "CompletionRule",
    "ContentError",
    "CourseSpec",
    "EtivitySpec",
    "PieceTemplate",
    "Problem",
    "StageSpec",
    "load_course",
    "validate_course",
]
