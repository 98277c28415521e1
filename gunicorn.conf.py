"""gunicorn's settings for course_app. gunicorn reads ./gunicorn.conf.py by default, so
`gunicorn -w 4 'course_app:create_app()'` from the checkout picks this up.

It checks one thing at start-up: rate limits need a store shared by the workers. With
RATELIMIT_STORAGE_URI unset (memory://) each worker counts on its own, so four workers allow
four times the failed logins a limit promises: say so loudly.

Once a worker has loaded the app it freezes what is there (modules, the app, its extensions)
out of the garbage collector's reach: those objects live as long as the worker, and without
this every full collection walks them again. Measured with bench/run on the 1,000,000-post
database, on a quiet machine: the dashboard's p50 300 → 250 ms and the CSV's 250 → 185 ms;
pages that build fewer objects (the map, a thread) unchanged.

gunicorn's control socket is off: by default it is one file per user account
(~/.gunicorn/gunicorn.ctl, or $XDG_RUNTIME_DIR/gunicorn.ctl), so two deployments run by one
account would take each other's (the tests pass --no-control-socket for the same reason).
"""

import gc
import os

from course_app.throttle import PER_PROCESS_WARNING

control_socket_disable = True


def when_ready(server):
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        server.log.warning("!" * 78)
        server.log.warning(PER_PROCESS_WARNING.format(workers=server.cfg.workers))
        server.log.warning("!" * 78)


def post_worker_init(worker):
    gc.freeze()  # what is loaded so far stays for the worker's life
