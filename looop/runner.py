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

from looop import untrusted
from looop.color import enabled, paint

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


def stop_current(sig: int = signal.SIGTERM) -> None:
    """Stop the running runner's process group (from a signal handler)."""
    if _current_group is not None:
        kill_group(_current_group, sig)


def kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_members(pgid: int, marker: str) -> list[int]:
    """Processes of group `pgid` whose environment carries our marker."""
    members = []
    needle = f"LOOOP_COST_ID={marker}".encode() + b"\0"
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle in fh.read() + b"\0":
                    members.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return members


def reap_orphan(record: Path) -> int:
    """Stop a runner left behind by a killed pulse or tick; return how many
    processes were stopped. Only called by the new holder of the lock, so the
    recorded runner's parent is certainly gone: two moves never overlap."""
    try:
        pgid_text, marker = record.read_text().split()
        pgid = int(pgid_text)
    except (OSError, ValueError):
        return 0
    members = _group_members(pgid, marker)
    stopped = len(members)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in members:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + 2.0
        while members and time.monotonic() < deadline:
            members = [p for p in members if _running(p)]
            time.sleep(0.02)
    record.unlink(missing_ok=True)
    return stopped


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def run(command: str, *, cwd: Path, stdin_file: Path, env: dict[str, str], log_files: list[Path],
        timeout: float | None, out: TextIO | None = None,
        on_line: Callable[[str], None] | None = None, record: Path | None = None) -> tuple[int, bool]:
    """Run `command`; return (exit status, timed_out). Streams and tees its lines.

    The prompt goes on stdin, or by path where the command says `{{prompt_file}}`.
    With `record`, the runner's process group is written there while it runs,
    so whoever takes the lock next can stop it if we die."""
    global _current_group
    out = out or sys.stdout
    colour = enabled(out)
    command, on_stdin = render(command, stdin_file)
    logs = [open(p, "ab") for p in log_files]
    try:
        full_env = child_env(env)
        if record is not None:
            full_env["LOOOP_RUNNER_RECORD"] = str(record)
        with open(stdin_file if on_stdin else os.devnull, "rb") as fin:
            # raw Popen, not looop.cmd: the output streams live and the runner's group is signalled whole
            proc = subprocess.Popen(
                bash_argv(command), cwd=cwd, stdin=fin, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, env=full_env, start_new_session=True,
            )
        _current_group = proc.pid
        try:
            return _pump(proc, logs, out, colour, on_line, timeout)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): the runner must not outlive us.
            kill_group(proc.pid, signal.SIGTERM)
            raise
        finally:
            if record is not None:
                record.unlink(missing_ok=True)
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
        out.write(f"{gutter} {untrusted.gutter(line, colour)}\n")
        out.flush()
    except BrokenPipeError:
        pass


def quote(value: str) -> str:
    return shlex.quote(value)
