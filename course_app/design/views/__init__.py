"""The designer's pages. Importing this package attaches every route to the `design`
blueprint; create_app does that.

Every course route loads the course with `common.authored`: anonymous visitors go to log in,
an unknown course is 404, and anyone who is not its author (or an admin) gets 403. Each POST
makes one service call, commits once and redirects.
"""

from . import courses, etivities, folders, publish  # noqa: F401
