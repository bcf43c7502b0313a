"""ACT: run the runner once, with the prompt on stdin, and keep what it said.

The tick command is a shell pipeline run through `bash -lc` in the data dir.
Its output streams live behind a `[HH:MM:SS] │` gutter and is kept in the
beat's run dir; a runner that hangs past LOOOP_TICK_TIMEOUT is killed with its
whole process group, so one beat can never wedge the loop.
"""

from __future__ import annotations

import os
import selectors
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, TextIO

from looop.core import procgroup, untrusted
from looop.core.color import enabled, paint

KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL for the runner's group

# The group of the runner currently running, so a signal handler can stop it.
_current_group: int | None = None


# The runner's shell records its own process group before the agent starts,
# so a runner can never be running without a record of it.
_RECORD = (
    'if [ -n "${LOOOP_RUNNER_RECORD:-}" ]; then '
    'printf \'%s %s\\n\' "$$" "${LOOOP_COST_ID:-}" >"$LOOOP_RUNNER_RECORD.$$" && '
    'mv -f "$LOOOP_RUNNER_RECORD.$$" "$LOOOP_RUNNER_RECORD"; unset LOOOP_RUNNER_RECORD; fi\n'
)


def bash_script(command: str) -> str:
    """Login shell, but the caller's PATH stays in front of what profile set."""
    return _RECORD + 'if [ -n "${LOOOP_CALLER_PATH:-}" ]; then export PATH="$LOOOP_CALLER_PATH:$PATH"; fi\n' + command


def bash_argv(command: str) -> list[str]:
    return ["bash", "-lc", bash_script(command)]


def child_env(env: dict[str, str]) -> dict[str, str]:
    out = dict(env)
    out["LOOOP_CALLER_PATH"] = env.get("PATH", os.defpath)
    return out


PROMPT_FILE = "{{prompt_file}}"


def render(command: str, prompt_file: Path) -> tuple[str, bool]:
    """The command with `{{prompt_file}}` replaced by the quoted path, and
    whether the prompt still goes on stdin (only when it is not passed by path)."""
    if PROMPT_FILE not in command:
        return command, True
    return command.replace(PROMPT_FILE, shlex.quote(str(prompt_file))), False


def stop_current() -> None:
    """Stop the running runner's whole group: TERM, a grace, then KILL."""
    from looop.core import procgroup

    if _current_group is not None:
        procgroup.stop(_current_group, KILL_GRACE)


def reap_orphan(record: Path) -> int:
    """Stop a runner left behind by a killed pulse or tick; return how many
    processes were stopped. Only called by the new holder of the lock, so the
    recorded runner's parent is certainly gone: two moves never overlap. The
    record stays until the group is gone (the next holder tries again)."""
    from looop.core import procgroup
    from looop.core.fsio import read_text

    try:
        pgid_text, marker = (read_text(record, "", 4096) or "").split()
        pgid = int(pgid_text)
    except ValueError:
        record.unlink(missing_ok=True)
        return 0
    members = procgroup.marked(pgid, marker)  # ours, not a group that reused the number
    if members and not procgroup.stop(pgid, KILL_GRACE):
        from looop.core.errors import ExitStatus, FatalError

        raise FatalError(f"a runner left by a killed pulse (process group {pgid}) survived SIGKILL; "
                         f"not starting a second one (record: {record})", ExitStatus.FAILED)
    record.unlink(missing_ok=True)
    return len(members)


def run(command: str, *, cwd: Path, stdin_file: Path, env: dict[str, str], log_files: list[Path],
        timeout: float | None, out: TextIO | None = None,
        on_line: Callable[[str], None] | None = None, record: Path | None = None,
        wrap: list[str] | None = None) -> tuple[int, bool]:
    """Run `command`; return (exit status, timed_out). Streams and tees its lines.

    The prompt goes on stdin, or by path where the command says `{{prompt_file}}`.
    With `record`, the runner's process group is written there while it runs,
    so whoever takes the lock next can stop it if we die. With `wrap` (the box's
    command line) the runner runs inside it and dies with us: no record needed."""
    global _current_group
    out = out or sys.stdout
    colour = enabled(out)
    command, on_stdin = render(command, stdin_file)
    logs = [CappedLog(p, log_cap()) for p in log_files]
    try:
        full_env = child_env(env)
        if wrap:
            record = None
        if record is not None:
            full_env["LOOOP_RUNNER_RECORD"] = str(record)
        with open(stdin_file if on_stdin else os.devnull, "rb") as fin:
            # procgroup, not looop.core.cmd: the output streams live and the runner's group is signalled whole
            proc = procgroup.spawn([*(wrap or ()), *bash_argv(command)], cwd=cwd, stdin=fin, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, env=full_env)
        _current_group = proc.pid
        gone = True
        try:
            return _pump(proc, logs, out, colour, on_line, timeout)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): the runner must not outlive us, even
            # one that ignores SIGTERM; its record stays until its group is gone.
            gone = False
            gone = procgroup.stop(proc.pid, KILL_GRACE, proc)
            raise
        finally:
            if record is not None and gone:
                record.unlink(missing_ok=True)
    finally:
        _current_group = None
        for fh in logs:
            fh.close()


LINE_MAX = 65536  # a runner line longer than this is shown in pieces (linear, bounded memory)


def _pump(proc: subprocess.Popen[bytes], logs: list, out: TextIO, colour: bool,
          on_line: Callable[[str], None] | None, timeout: float | None) -> tuple[int, bool]:
    """Stream the runner's output until it is done; enforce the timeout, even
    on a runner that closed its output and kept running."""
    from looop.core import procgroup

    timed_out = False
    deadline = time.monotonic() + timeout if timeout else None
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    reading = True
    pending = bytearray()
    exited_at: float | None = None
    while True:
        wait = 0.5 if reading else 0.05
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - time.monotonic()))
        chunk: bytes | None = None
        if reading:
            if sel.select(wait):
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    chunk = None
                if chunk == b"":
                    reading = False  # every writer closed the pipe; the runner may still be running
                    sel.unregister(fd)
        else:
            time.sleep(wait)
        if chunk:
            for fh in logs:
                fh.write(chunk)
            start = len(pending)
            pending += chunk
            cut = pending.rfind(b"\n", start)
            if cut >= 0:
                for raw in bytes(pending[:cut]).split(b"\n"):
                    _show(raw, out, colour, on_line)
                del pending[: cut + 1]
            while len(pending) >= LINE_MAX:
                _show(bytes(pending[:LINE_MAX]), out, colour, on_line)
                del pending[:LINE_MAX]
        if deadline is not None and time.monotonic() >= deadline and not timed_out:
            timed_out = True
            procgroup.send(proc.pid, signal.SIGTERM)
            procgroup.send(proc.pid, signal.SIGCONT)
            deadline = time.monotonic() + KILL_GRACE
        elif timed_out and deadline is not None and time.monotonic() >= deadline:
            procgroup.send(proc.pid, signal.SIGKILL)
            deadline = None
        if proc.poll() is not None:
            if not reading:
                break
            # The runner is gone but a stray grandchild keeps the pipe open:
            # give it a moment, then stop reading.
            exited_at = exited_at or time.monotonic()
            if time.monotonic() - exited_at > 2.0:
                break
    if pending:
        _show(bytes(pending), out, colour, on_line)
    sel.close()
    proc.stdout.close()
    code = proc.wait()
    procgroup.send(proc.pid, signal.SIGKILL)  # leftovers of the runner's group
    return (124 if timed_out else code), timed_out


def log_cap() -> int:
    """LOOOP_RUN_LOG_BYTES: bytes of runner output kept per run (0 = all)."""
    from looop.core import knobs

    return knobs.get("run_log_bytes")


class CappedLog:
    """An append-only log of at most `cap` bytes: the head as it comes, then
    only the newest bytes (held in memory), written behind a marker on close."""

    def __init__(self, path: Path, cap: int) -> None:
        self.fh = open(path, "ab")  # noqa: SIM115 - closed by close(), after the tail is written
        self.cap = cap
        self.head_room = max(0, cap // 2 - self.fh.tell()) if cap else -1
        self.tail_max = cap - cap // 2
        self.tail = bytearray()
        self.dropped = 0

    def write(self, chunk: bytes) -> None:
        if self.head_room < 0:
            self.fh.write(chunk)
            self.fh.flush()
            return
        if self.head_room:
            head = chunk[: self.head_room]
            self.fh.write(head)
            self.fh.flush()
            self.head_room -= len(head)
            chunk = chunk[len(head):]
        self.tail += chunk
        if len(self.tail) > 2 * self.tail_max:  # trimmed now and then: linear overall
            self._trim()

    def _trim(self) -> None:
        extra = len(self.tail) - self.tail_max
        if extra > 0:
            del self.tail[:extra]
            self.dropped += extra

    def close(self) -> None:
        self._trim()
        if self.dropped:
            self.fh.write(f"\n[… looop: {self.dropped} bytes cut here (LOOOP_RUN_LOG_BYTES={self.cap}) …]\n".encode())
        self.fh.write(bytes(self.tail))
        self.fh.close()


def _show(raw: bytes, out: TextIO, colour: bool, on_line: Callable[[str], None] | None) -> None:
    line = raw.decode("utf-8", errors="replace").rstrip("\r")
    if on_line:
        on_line(line)
    gutter = paint(f"[{time.strftime('%H:%M:%S')}] │", "dim", on=colour)
    try:
        out.write(f"{gutter} {untrusted.gutter(line, colour)}\n")
        out.flush()
    except BrokenPipeError:
        pass


def quote(value: str) -> str:
    return shlex.quote(value)
