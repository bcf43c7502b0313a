"""The loop's own voice on the terminal: `[HH:MM:SS] message` lines."""

from __future__ import annotations

import time

from looop.core.color import enabled, paint
from looop.core.untrusted import one_line


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def say(message: str, *styles: str) -> None:
    """One line; whatever a runner, sensor, worker or file put in `message` cannot drive the terminal."""
    message = one_line(message)
    on = enabled()
    line = f"{paint(f'[{stamp()}]', 'dim', on=on)} {paint(message, *styles, on=on)}"
    print(line, flush=True)


def warn(message: str) -> None:
    say(message, "yellow")


def fail(message: str) -> None:
    say(message, "red")
