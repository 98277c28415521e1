"""Background jobs on huey: the queue (queue.py) and sending mail once (sending.py)."""
