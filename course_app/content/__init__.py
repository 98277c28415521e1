"""Course content: reads and validates a folder under modules/ into frozen dataclasses.

Knows nothing of Flask or the database; `courses.services` imports what this returns.
"""

from .loader import ContentError, load_course, validate_course
from .specs import (
    CompletionRule,
    CourseSpec,
    EtivitySpec,
    ModeratorDay,
    PieceTemplate,
    Problem,
    StageSpec,
    ToolkitSection,
)

__all__ = [
    "CompletionRule",
    "ContentError",
    "CourseSpec",
    "EtivitySpec",
    "ModeratorDay",
    "PieceTemplate",
    "Problem",
    "StageSpec",
    "ToolkitSection",
    "load_course",
    "validate_course",
]
