"""gunicorn's settings for course_app. gunicorn reads ./gunicorn.conf.py by default, so
`gunicorn -w 4 'course_app:create_app()'` from the checkout picks this up.

It checks one thing at start-up: rate limits need a store shared by the workers. With
RATELIMIT_STORAGE_URI unset (memory://) each worker counts on its own, so four workers allow
four times the failed logins a limit promises: say so loudly.
"""

import os

from course_app.throttle import PER_PROCESS_WARNING


def when_ready(server):
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        server.log.warning("!" * 78)
        server.log.warning(PER_PROCESS_WARNING.format(workers=server.cfg.workers))
        server.log.warning("!" * 78)
