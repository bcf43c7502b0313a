"""What the beat is waiting for while its sensors run (up to their timeout).

On a terminal, one live line names the sensors still running and for how
long, and is erased when sensing ends; elsewhere (cron, a log) a plain line
says which sensors are still running once sensing is slow, and again while it
stays slow. A fast beat prints nothing here.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from typing import TextIO

LIVE_EVERY = 0.25  # seconds between redraws of the live line
PLAIN_AFTER = 3.0  # a plain line once sensing has taken this long...
PLAIN_EVERY = 10.0  # ...and again this often while it goes on


class SensorProgress:
    """Told when each sensor ends (from any thread); shows what still runs."""

    def __init__(self, names: Iterable[str], out: TextIO | None = None, live: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.running = {name: 0.0 for name in names}
        self.total = len(self.running)
        self.live = self._is_tty() if live is None else live
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False

    def _is_tty(self) -> bool:
        try:
            return self.out.isatty()
        except (AttributeError, ValueError):
            return False

    def __enter__(self) -> SensorProgress:
        started = time.monotonic()
        self.running = dict.fromkeys(self.running, started)
        if self.running:
            self._thread = threading.Thread(target=self._run, args=(started,), name="sense-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.live and self._shown:
            self._write("\r\033[K")

    def done(self, name: str) -> None:
        with self._lock:
            self.running.pop(name, None)

    def line(self, now: float) -> str:
        """`sensing 3/5: github 12s, mail 4s` (longest first)."""
        with self._lock:
            running = sorted(self.running.items(), key=lambda kv: (kv[1], kv[0]))
        names = ", ".join(f"{name} {now - since:.0f}s" for name, since in running)
        return f"sensing {self.total - len(running)}/{self.total} done; still running: {names}"

    def _run(self, started: float) -> None:
        wait = LIVE_EVERY if self.live else PLAIN_AFTER
        while not self._stop.wait(wait):
            now = time.monotonic()
            with self._lock:
                if not self.running:
                    return
            if self.live:
                self._write("\r\033[K" + self.line(now)[: self._width()])
            else:
                from looop.core.log import say

                say(f"  {self.line(now)}", "dim")
                wait = PLAIN_EVERY
            self._shown = True

    def _width(self) -> int:
        import shutil

        return max(20, shutil.get_terminal_size((80, 24)).columns - 1)

    def _write(self, text: str) -> None:
        try:
            self.out.write(text)
            self.out.flush()
        except (OSError, ValueError):
            pass
