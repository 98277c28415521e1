"""A progress bar on stderr (tqdm is not a dependency): redrawn in place on a terminal, a
line every tenth of the way otherwise, so logs stay short."""

import sys
import time


class Bar:
    def __init__(self, total: int, label: str, stream=sys.stderr):
        self.total = max(total, 1)
        self.label = label
        self.done = 0
        self.stream = stream
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.next_tenth = 1

    def update(self, count: int, what: str = "") -> None:
        self.done += count
        share = min(self.done / self.total, 1.0)
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        text = (f"{self.label} {_bar(share)} {share:4.0%} {self.done:,}/{self.total:,} rows "
                f"{rate:,.0f}/s {elapsed:4.0f}s {what}")
        if self.tty:
            self.stream.write("\r" + text[:118].ljust(118))
            self.stream.flush()
        elif share * 10 >= self.next_tenth:
            self.next_tenth = int(share * 10) + 1
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _bar(share: float, width: int = 24) -> str:
    filled = int(share * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"


STARTED = time.monotonic()


def step(message: str) -> None:
    """Say what is happening, with the seconds since the command started."""
    sys.stderr.write(f"[{time.monotonic() - STARTED:6.1f}s] {message}\n")
    sys.stderr.flush()
