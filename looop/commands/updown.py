"""`looop up` / `looop down`: the pulse in the background, and everything off.

`up` runs the pulse as the fleet session `pulse`, so `attach pulse` shows it
live; `up`s take turns (an flock on `.lock/up`) and the pulse lock still
guarantees one pulse per data dir, so two `up` at once start one. `down` stops the pulse first (no new worker can appear),
then every worker, and says what it stopped.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from looop import fleet
from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.locks import PulseLock, locked, pid_alive
from looop.core.log import say, warn
from looop.core.paths import Paths, resolve
from looop.records import events

UP_WAIT = 20.0  # seconds `up` waits for the new pulse to hold the lock


def up(paths: Paths) -> int:

    from looop.setup.preflight import needs_runner
    from looop.setup.seed import make_data_dir

    needs_runner(paths)  # the one rule before `init`: write the config (asking on a terminal), check the CLI
    make_data_dir(paths)
    paths.lock_dir.mkdir(parents=True, exist_ok=True)
    with locked(paths.lock_dir / "up"):  # two `up` at once: the second waits, then finds the first's pulse
        return _up(paths)


def _up(paths: Paths) -> int:
    from looop.core import selfbin
    from looop.fleet import launch, sessions

    cmd = selfbin.user_command(paths)
    holder = PulseLock(paths.lock_dir).holder()
    if holder:
        return _already(paths, holder, cmd)
    session = sessions.Session(sessions.sessions_dir(paths.fleet_root) / fleet.PULSE)
    if session.path.is_dir():
        if sessions.state_of(session) in sessions.ALIVE_STATES:
            return _already(paths, _wait_holder(paths, session), cmd)
        sessions.remove(session)
    env = selfbin.child_env(paths)
    env.pop("LOOOP_CHILD", None)  # the pulse is the human's loop, not one of its hands
    if "LOOOP_COLOR" not in os.environ:
        env.pop("LOOOP_COLOR", None)  # the session's terminal decides
    env.setdefault("TERM", "xterm-256color")
    binary = selfbin.looop_bin(paths)
    launch.launch(paths.fleet_root, fleet.PULSE, argv=[binary], cwd=paths.data, env=env, runner="pulse",
                  prompt_file=Path(os.devnull), looop_bin=binary, size=(24, 120))
    pid = _wait_holder(paths, session)
    if pid is not None and sessions.state_of(session) not in sessions.ALIVE_STATES:
        return _already(paths, pid, cmd)  # a pulse started elsewhere took the lock first
    if pid is None:
        tail = sessions.log_tail(session, 2000).decode(errors="replace").strip().splitlines()[-3:]
        raise FatalError("the pulse did not start" + (": " + " / ".join(tail) if tail else "")
                         + f" (see {cmd} attach pulse)", ExitStatus.FAILED)
    from looop.beat import firstbeat

    first = firstbeat.wait(paths, pid, session)
    if first == "ended":
        tail = sessions.log_tail(session, 2000).decode(errors="replace").strip().splitlines()[-3:]
        raise FatalError("the pulse stopped during its first beat" + (": " + " / ".join(tail) if tail else "")
                         + f" (see {cmd} screenshot pulse)", ExitStatus.FAILED)
    events.emit(paths.events, "pulse_up", pid=pid)
    print(f"pulse started (pid {pid}) as the session pulse")
    if first == "done":
        print(f"  first beat: {firstbeat.outcome(paths, pid)}")
    else:
        print(f"  its first beat is still running after {firstbeat.FIRST_BEAT_WAIT:g}s (a decision can take minutes)")
    print(f"  watch: {cmd} attach pulse   (read-only; Ctrl-\\ twice detaches)   stop: {cmd} down")
    return 0


def _already(paths: Paths, pid: int | None, cmd: str) -> int:
    pulse = fleet.pulse_session(paths.fleet_root)
    where = f"; watch it: {cmd} attach pulse" if pulse and pulse.alive else ""
    print(f"a pulse is already running on {paths.data}" + (f" (pid {pid})" if pid else "") + where)
    return 0


def _wait_holder(paths: Paths, session) -> int | None:
    """The pulse's pid once it holds the lock; None if its session ended first."""
    from looop.fleet import sessions

    lock = PulseLock(paths.lock_dir)
    deadline = time.monotonic() + UP_WAIT
    while time.monotonic() < deadline:
        pid = lock.holder()
        if pid:
            return pid
        if sessions.state_of(session) not in sessions.ALIVE_STATES:
            return lock.holder()
        time.sleep(0.05)
    return lock.holder()


def down(paths: Paths, grace: float = 5.0) -> int:
    from looop.fleet import sessions
    from looop.fleet.stop import stop_session
    from looop.mailbox import notify

    stopped: list[str] = []
    pid = PulseLock(paths.lock_dir).holder()
    if pid:
        notify.mark_down(paths)
    pulse = fleet.pulse_session(paths.fleet_root)
    if pulse and pulse.alive:
        state, _ = stop_session(sessions.find(paths.fleet_root, fleet.PULSE), grace)
        stopped.append(f"pulse (session pulse{f', pid {pid}' if pid else ''}): {state}")
    if pid and pid_alive(pid):  # a pulse in the foreground, or run by a service manager
        stopped.append(f"pulse (pid {pid}): {_stop_pid(pid, grace)}")
    if not stopped:
        print("no pulse running")
    live = [w for w in fleet.workers(paths.fleet_root) if w.alive]
    for w in live:
        events.emit(paths.events, "session_killed", session=w.id)
    with ThreadPoolExecutor(max(1, min(8, len(live)))) as pool:
        ends = list(pool.map(lambda w: stop_session(sessions.find(paths.fleet_root, w.id), grace), live))
    stopped += [f"worker {sessions.bare_id(w.id)}: {state}" for w, (state, _) in zip(live, ends)]
    for line in stopped:
        say(f"stopped {line}")
    survivors = [f"pulse (pid {p})" for p in [PulseLock(paths.lock_dir).holder()] if p]
    survivors += [sessions.bare_id(w.id) for w in fleet.listing(paths.fleet_root) if w.alive]
    if survivors:
        warn(f"still running after the {grace:g}s grace: {', '.join(survivors)}")
        return ExitStatus.FAILED
    if stopped:
        events.emit(paths.events, "down", stopped=len(stopped))
    return 0


def _stop_pid(pid: int, grace: float) -> str:
    """SIGTERM one process, SIGKILL it after `grace` seconds (if it is still the
    process it was: a pid freed and reused meanwhile is never killed)."""
    born = _started(pid)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return "already gone"
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _running(pid):
            return "stopped"
        time.sleep(0.05)
    if _started(pid) != born:
        return "stopped"
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return "stopped"
    return "killed (SIGKILL)"


def _started(pid: int) -> str | None:
    """When the process began, in clock ticks since boot (/proc), to tell a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its parent (where /proc tells)."""
    if not os.path.isdir("/proc/self"):
        return pid_alive(pid)
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Up(usage.Verb):
    def main(self) -> int:
        return up(resolve())


class Down(usage.Verb):
    grace = usage.option("--grace", float, 5.0, argname="SECONDS", help="seconds between SIGTERM and SIGKILL")

    def main(self) -> int:
        return down(resolve(), grace=self.grace)
