"""run_shell: one command, bounded in time, remembered across a crash, shown once.

`bash -c` in the data dir, in its own process group, killed whole after
LOOOP_SHELL_TIMEOUT. A write-ahead record exists while it runs, so a beat
after a crash reports the interrupted command instead of running it again
(level-triggered, never twice). The last 2 KiB of output wait in
`.last-shell.json` for the next prompt's `=== RUN_SHELL OUTPUT ===`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from looop.core.paths import Paths
from looop.core.untrusted import Stream

TAIL_BYTES = 2048
FOLLOW_UP_S = 5  # the next beat, so the decider sees the output


@dataclass
class Ran:
    cmd: str
    exit_code: int
    timed_out: bool
    seconds: float
    tail: str
    interrupted: bool = False  # Ctrl-C (or SIGTERM) stopped it; the caller journals that, then stops


def _guard(pgid: int) -> subprocess.Popen[bytes] | None:
    """A watcher outside the command's group that kills the group if this
    looop dies without saying `done` (kill -9 included): no orphan survives."""
    try:
        return subprocess.Popen(["sh", "-c", f'read x; [ "$x" = done ] || kill -KILL -{int(pgid)} 2>/dev/null'],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    except OSError:
        return None


def _release(guard: subprocess.Popen[bytes] | None) -> None:
    if guard is None or guard.stdin is None:
        return
    try:
        guard.stdin.write(b"done\n")
        guard.stdin.close()
        guard.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        pass


def timeout_s(paths: Paths) -> int:
    """LOOOP_SHELL_TIMEOUT > config shell_timeout > 300 s (0 = none)."""
    from looop.core import knobs

    return knobs.whole("shell_timeout", knobs.config_dict(paths.config))


def run(paths: Paths, cmd: str, *, echo: bool = True, timeout: float | None = None) -> Ran:
    """Run `cmd`; stream its output (when `echo`) and keep its tail."""
    from looop.box.hands import command
    from looop.core import procgroup
    from looop.core.fsio import atomic_write
    from looop.core.selfbin import child_env

    limit = float(timeout_s(paths) if timeout is None else timeout)
    argv = command(paths, "shell", ["bash", "-c", cmd])  # the box, when on: writes only reports/ (§19)
    marker = f"shell-{os.getpid()}-{time.time_ns()}"  # lets a later beat find this command's group
    record = {"cmd": cmd, "pid": os.getpid(), "ts": time.time(), "marker": marker}
    atomic_write(paths.shell_running, json.dumps(record) + "\n")
    started = time.monotonic()
    tail = bytearray()
    try:
        proc = procgroup.spawn(argv, cwd=paths.data, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=child_env(paths, LOOOP_COST_ID=marker))
        assert proc.stdout is not None
        last_out = [time.monotonic()]

        shown = Stream()  # the terminal is the user's: the command's escapes never reach it

        def pump() -> None:
            for chunk in iter(lambda: proc.stdout.read1(65536), b""):  # type: ignore[union-attr]
                tail.extend(chunk)
                del tail[:-TAIL_BYTES]
                last_out[0] = time.monotonic()
                if echo:
                    sys.stdout.write(shown.feed(chunk))
                    sys.stdout.flush()
            if echo:
                sys.stdout.write(shown.feed(b"", final=True))
                sys.stdout.flush()

        reader = threading.Thread(target=pump, daemon=True)
        guard = None
        timed_out = interrupted = False
        try:  # from the spawn on, a Ctrl-C anywhere (even before the wait) stops the group and is kept
            guard = _guard(proc.pid)
            atomic_write(paths.shell_running, json.dumps(dict(record, pgid=proc.pid)) + "\n")
            reader.start()
            code = _wait(proc, limit, started, last_out, cmd if echo else None)
        except subprocess.TimeoutExpired:
            timed_out = True
            procgroup.stop(proc.pid, 2.0, proc)
            code = 124
        except (KeyboardInterrupt, SystemExit):
            interrupted = True
            procgroup.stop(proc.pid, 2.0, proc)
            code = 130
        except BaseException:
            procgroup.kill(proc.pid, proc)
            _release(guard)
            raise
        procgroup.kill(proc.pid, proc)  # the whole group: no stray survives the command
        _release(guard)
        if reader.ident is not None:  # started
            reader.join(timeout=2)
    finally:
        paths.shell_running.unlink(missing_ok=True)
    seconds = time.monotonic() - started
    text = bytes(tail).decode("utf-8", errors="replace")
    if timed_out:
        text += f"\nlooop: killed after {limit:g}s (LOOOP_SHELL_TIMEOUT), with its whole process group\n"
    if interrupted:
        text += f"\nlooop: interrupted after {seconds:.0f}s and stopped with its whole process group; NOT re-run\n"
    return Ran(cmd=cmd, exit_code=code, timed_out=timed_out, seconds=seconds, tail=text, interrupted=interrupted)


def _wait(proc: subprocess.Popen[bytes], limit: float, started: float, last_out: list[float],
          shown: str | None) -> int:
    """proc.wait with the time limit; a command silent for LOOOP_SHELL_PROGRESS (10 s) says, on stderr, that it still runs."""
    from looop.core import knobs

    every = float(knobs.get("shell_progress")) or float("inf")
    deadline = started + limit if limit else None
    while True:
        step = every if deadline is None else min(every, max(0.0, deadline - time.monotonic()))
        try:
            return proc.wait(timeout=None if step == float("inf") else step)
        except subprocess.TimeoutExpired:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise
            if shown is not None and now - last_out[0] >= every:
                left = f", killed in {deadline - now:.0f}s" if deadline is not None else ""
                print(f"[looop] still running ({now - started:.0f}s{left}): {shown[:80]}", file=sys.stderr, flush=True)


def keep(paths: Paths, ran: Ran) -> None:
    """Leave the result for the next prompt (shown once)."""
    from looop.core.fsio import atomic_write

    atomic_write(paths.last_shell, json.dumps({"cmd": ran.cmd, "exit_code": ran.exit_code, "timed_out": ran.timed_out,
                                               "seconds": round(ran.seconds, 3), "tail": ran.tail[-TAIL_BYTES:],
                                               "ts": time.time()}, ensure_ascii=False) + "\n")


def recover(paths: Paths) -> str | None:
    """A write-ahead record whose looop died: report the command as interrupted, never re-run it."""
    from looop.core.fsio import read_json_object
    from looop.core.locks import pid_alive

    if not paths.shell_running.exists():
        return None
    record = read_json_object(paths.shell_running) or {}
    pid = record.get("pid")
    if isinstance(pid, int) and pid != os.getpid() and pid_alive(pid):
        return None  # still running (a `looop shell` beside the pulse)
    cmd = str(record.get("cmd", "(unreadable record)"))
    pgid, marker = record.get("pgid"), record.get("marker")
    if isinstance(pgid, int) and pgid > 1 and isinstance(marker, str):
        _stop_leftovers(pgid, marker)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.get("ts") or 0))
    ran = Ran(cmd=cmd, exit_code=-1, timed_out=False, seconds=0.0,
              tail=f"looop: this command started {when} was interrupted (looop stopped while it ran); "
                   "it was NOT run again. Check its effects before repeating it.\n")
    keep(paths, ran)
    paths.shell_running.unlink(missing_ok=True)
    return cmd


def _stop_leftovers(pgid: int, marker: str) -> None:
    """The interrupted command's processes (found by their marker, never a stranger) must not go on."""
    from looop.core.procgroup import marked

    for pid in marked(pgid, marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def section(paths: Paths, consume: bool = True) -> str | None:
    """The body of `=== RUN_SHELL OUTPUT ===`; consumed (shown once) unless a dry run."""
    from looop.core.fsio import read_json_object

    data = read_json_object(paths.last_shell)
    if consume:
        paths.last_shell.unlink(missing_ok=True)
    if data is None:
        return None
    code = data.get("exit_code")
    if code == -1:
        status = "was interrupted"
    elif data.get("timed_out"):
        status = "timed out"
    else:
        status = f"exited {code} after {data.get('seconds', 0):.1f}s"
    return f"Your last run_shell `{data.get('cmd')}` {status}. Last output:\n{data.get('tail') or '(no output)'}\n"
