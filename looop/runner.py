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

from looop.color import enabled, paint

DEFAULT_TICK_TIMEOUT = 900.0

# The group of the runner currently running, so a signal handler can stop it.
_current_group: int | None = None


def bash_script(command: str) -> str:
    """Login shell, but the caller's PATH stays in front of what profile set."""
    return 'if [ -n "${LOOOP_CALLER_PATH:-}" ]; then export PATH="$LOOOP_CALLER_PATH:$PATH"; fi\n' + command


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


def stop_current(sig: int = signal.SIGTERM) -> None:
    """Stop the running runner's process group (from a signal handler)."""
    if _current_group is not None:
        kill_group(_current_group, sig)


def kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run(command: str, *, cwd: Path, stdin_file: Path, env: dict[str, str], log_files: list[Path],
        timeout: float | None, out: TextIO | None = None,
        on_line: Callable[[str], None] | None = None) -> tuple[int, bool]:
    """Run `command`; return (exit status, timed_out). Streams and tees its lines.

    The prompt goes on stdin, or by path where the command says `{{prompt_file}}`."""
    global _current_group
    out = out or sys.stdout
    colour = enabled(out)
    command, on_stdin = render(command, stdin_file)
    logs = [open(p, "ab") for p in log_files]
    try:
        with open(stdin_file if on_stdin else os.devnull, "rb") as fin:
            proc = subprocess.Popen(
                bash_argv(command), cwd=cwd, stdin=fin, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, env=child_env(env), start_new_session=True,
            )
        _current_group = proc.pid
        try:
            return _pump(proc, logs, out, colour, on_line, timeout)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): the runner must not outlive us.
            kill_group(proc.pid, signal.SIGTERM)
            raise
    finally:
        _current_group = None
        for fh in logs:
            fh.close()


def _pump(proc: subprocess.Popen[bytes], logs: list, out: TextIO, colour: bool,
          on_line: Callable[[str], None] | None, timeout: float | None) -> tuple[int, bool]:
    """Stream the runner's output until it is done; enforce the timeout."""
    timed_out = False
    deadline = time.monotonic() + timeout if timeout else None
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    pending = b""
    exited_at: float | None = None
    while True:
        wait = 0.5
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - time.monotonic()))
        events = sel.select(wait)
        chunk: bytes | None = None
        if events:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                chunk = None
            if chunk == b"":
                break  # EOF: every writer closed the pipe
        if chunk:
            for fh in logs:
                fh.write(chunk)
                fh.flush()
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                _show(raw, out, colour, on_line)
        if deadline is not None and time.monotonic() >= deadline and not timed_out:
            timed_out = True
            kill_group(proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 2.0
        elif timed_out and deadline is not None and time.monotonic() >= deadline:
            kill_group(proc.pid, signal.SIGKILL)
            deadline = None
        # The runner is gone but a stray grandchild keeps the pipe open:
        # give it a moment, then stop reading.
        if proc.poll() is not None:
            exited_at = exited_at or time.monotonic()
            if time.monotonic() - exited_at > 2.0:
                break
    if pending:
        _show(pending, out, colour, on_line)
    sel.close()
    proc.stdout.close()
    code = proc.wait()
    kill_group(proc.pid, signal.SIGKILL)  # leftovers of the runner's group
    return (124 if timed_out else code), timed_out


def _show(raw: bytes, out: TextIO, colour: bool, on_line: Callable[[str], None] | None) -> None:
    line = raw.decode("utf-8", errors="replace").rstrip("\r")
    if on_line:
        on_line(line)
    gutter = paint(f"[{time.strftime('%H:%M:%S')}] │", "dim", on=colour)
    try:
        out.write(f"{gutter} {line}\n")
        out.flush()
    except BrokenPipeError:
        pass


def quote(value: str) -> str:
    return shlex.quote(value)
