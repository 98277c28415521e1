"""The facilitator's pages, one module per job. Importing this package attaches every route
to the `facilitate` blueprint; create_app does that, so importing the models or services
never pulls in the views.

Every cohort route loads the cohort with `common.facilitated`: anonymous visitors go to log
in, people outside the cohort get 404, its learners and reviewers 403, and nothing changes.
Each POST makes one service call, commits once and redirects.
"""

from . import (  # noqa: F401
    audit,
    calendar,
    cohort_admin,
    home,
    invites,
    moderation,
    nudges,
    overrides,
    people,
    reading,
    weaving,
)
