"""The one place an exception becomes an exit code or a failed beat.

A user's mistake (`FatalError`) is one line; anything unexpected is one line
too, with its traceback and the versions kept in the data dir's `crash.log`
(size-bounded). A verb exits with FAILED / INTERRUPTED / UNEXPECTED (`ExitStatus`); a beat fails, the pulse goes on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from looop.core.errors import ExitStatus, FatalError

CRASH_LOG_BYTES = 256 * 1024  # crash.log keeps its newest entries up to this
UNEXPECTED = ExitStatus.UNEXPECTED  # exit code of an unexpected error (pre-commit's convention)


def record_crash(log: Path | None, exc: BaseException, where: str) -> Path | None:
    """Append the traceback and the versions to `log`, keeping it bounded; the path, or None."""
    if log is None:
        return None
    import platform

    from looop import __version__

    entry = (f"=== {time.strftime('%Y-%m-%d %H:%M:%S %z')} {where}\n"
             f"looop {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
             f"argv: {sys.argv!r}\n"
             + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + "\n")
    raw = entry.encode("utf-8", "backslashreplace")[-CRASH_LOG_BYTES // 2:]
    try:
        from looop.core.fsio import append_line, atomic_write, read_bytes

        old = read_bytes(log) or b""
        if len(old) + len(raw) > CRASH_LOG_BYTES:
            keep = old[-(CRASH_LOG_BYTES - len(raw)):]
            cut = keep.find(b"\n=== ")
            atomic_write(log, (keep[cut + 1:] if cut >= 0 else b"") + raw)
        else:
            append_line(log, raw.decode("utf-8"))
    except OSError:
        return None
    return log


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 200:
        text = text[:199] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def os_line(exc: OSError) -> str:
    where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
    return f"{exc.strerror or exc}{where}"


@dataclass
class BeatFailure:
    """Filled in by `beat_errors` when a beat raised: why, and whether it was unexpected."""

    why: str = ""
    crashed: bool = False


@contextlib.contextmanager
def beat_errors(crash_log: Path | None) -> Iterator[BeatFailure]:
    """Around one beat of the pulse: any exception fails the beat, never the pulse.
    Stop, Ctrl-C and SystemExit pass through."""
    failure = BeatFailure()
    try:
        yield failure
    except FatalError as exc:
        failure.why = str(exc)
    except OSError as exc:
        failure.why = os_line(exc)
    except Exception as exc:  # noqa: BLE001 - the point: no exception ends the pulse
        kept = record_crash(crash_log, exc, "beat")
        failure.crashed = True
        failure.why = f"unexpected error: {one_line(exc)}" + (f" (traceback in {kept})" if kept else "")


@contextlib.contextmanager
def error_handler(crash_log: Callable[[], Path | None], say: Callable[[str], None]) -> Iterator[None]:
    """Around a verb: FatalError → its code, Ctrl-C → 130, anything else → 3;
    the user sees one line (`say`), a crash's traceback goes to `crash_log()`."""
    try:
        yield
    except FatalError as exc:
        from looop.core.untrusted import shown

        say(shown(f"looop: {exc}"))  # a message may quote a name from a file
        raise SystemExit(exc.code) from None
    except KeyboardInterrupt:
        raise SystemExit(ExitStatus.INTERRUPTED) from None
    except BrokenPipeError:
        _quiet_stdout()
        raise SystemExit(ExitStatus.OK) from None
    except OSError as exc:
        # A full disk, a read-only data dir, a vanished directory: one line.
        from looop.core.untrusted import shown

        say(shown(f"looop: {os_line(exc)}") + " (nothing was lost: state files are replaced atomically)")
        raise SystemExit(ExitStatus.FAILED) from None
    except Exception as exc:  # noqa: BLE001 - anything unexpected: one line, exit 3
        try:
            log = crash_log()
        except Exception:  # noqa: BLE001 - a bad location must not hide the first error
            log = None
        kept = record_crash(log, exc, "looop " + " ".join(sys.argv[1:2]))
        where = f"; the traceback is in {kept}" if kept else ""
        from looop.core.untrusted import shown

        say(shown(f"looop: unexpected error: {one_line(exc)}{where} (please report it)"))
        raise SystemExit(UNEXPECTED) from None


def _quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
