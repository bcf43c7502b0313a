"""The worker verbs: start-session, attach, kill, flag, unflag, prune.

Each takes `<id>` or `looop-<id>` and sees only this profile's fleet; an
unknown session is one clear line and exit 1.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from looop import events, fleet, usage
from looop.errors import FatalError
from looop.fleet import sessions
from looop.paths import Paths, resolve
from looop.untrusted import one_line

KILL_GRACE = 5.0


def start_session(paths: Paths, name: str, prompt: str, runner: str | None = None,
                  verify: str | None = None, cwd: str | None = None) -> int:
    """Start worker `name`; refused (FatalError) when it runs already or the fleet is at its cap."""
    from looop import config, knobs
    from looop.fleet import launch
    from looop.preflight import check_runner

    sid = sessions.session_id(name)
    if sid == fleet.PULSE:
        raise FatalError(f"'{sessions.bare_id(sid)}' is the pulse's own session (looop up); "
                         "give the worker another id", 1)
    cfg = config.load(paths.config)
    runner_name, template = cfg.interactive_command(runner)
    check_runner(cfg, runner_name, "interactive")
    cap = knobs.whole("max_workers", cfg.data)
    with launch.start_lock(paths.fleet_root):
        _refuse_running(paths, sid)
        launch.check_cap(paths.fleet_root, sid, cap, knobs.raw("max_workers", cfg.data)[1])
        _start(paths, sid, prompt, runner_name, template, (verify or "").strip() or None, _cwd(cwd))
    return 0


def _refuse_running(paths: Paths, sid: str) -> None:
    """A live session with this id refuses; a finished one is pruned to make room."""
    from looop import selfbin

    bare = sessions.bare_id(sid)
    existing = sessions.Session(sessions.sessions_dir(paths.fleet_root) / sid)
    if existing.path.is_dir():
        if sessions.state_of(existing) in sessions.ALIVE_STATES:
            bare = sessions.bare_id(sid)
            raise FatalError(f"{bare} is already running; attach with: "
                             f"{selfbin.user_command(paths)} attach {bare}", 1)
        sessions.remove(existing)
        events.emit(paths.events, "session_pruned", session=sid)


def _cwd(given: str | None) -> Path | None:
    """`--cwd`: an existing directory, or one clear line."""
    if not given:
        return None
    where = Path(os.path.abspath(os.path.expanduser(given)))
    if not where.is_dir():
        raise FatalError(f"--cwd {given}: not a directory", 1)
    return where


def _start(paths: Paths, sid: str, prompt: str, runner_name: str, template: str, verify: str | None,
           cwd: Path | None = None) -> None:
    from looop import runner as act
    from looop import selfbin
    from looop.fleet import contract, launch
    from looop.fsio import atomic_write
    from looop.seed import make_data_dir

    bare = sessions.bare_id(sid)
    make_data_dir(paths)
    bin_path = selfbin.looop_bin(paths)
    prompt_file = paths.prompts / f"{sid}.md"
    atomic_write(prompt_file, contract.text(bare, sid, runner_name, bin_path) + prompt)
    from looop import knobs
    from looop.box.hands import worker

    boxed = worker(paths, knobs.config_dict(paths.config) or {}, runner_name, sid, template, cwd)  # None: box off
    q = act.quote
    where = boxed.cwd if boxed else (cwd or paths.data)
    script = (f"export LOOOP_SESSION_ID={q(sid)}; cd {q(str(where))} && "
              + template.replace("{{prompt_file}}", q(str(prompt_file))))
    env = act.child_env(selfbin.child_env(paths, LOOOP_SESSION_ID=sid, LOOOP_COST_KIND="session",
                                          LOOOP_COST_ID=bare, LOOOP_COST_RUNNER=runner_name))
    env.setdefault("TERM", "xterm-256color")
    size = (24, 80)
    for fd in (0, 1, 2):
        if os.isatty(fd):
            from looop.fleet.attach import window_size

            size = window_size(fd)
            break
    argv = boxed.wrap(act.bash_argv(script)) if boxed else act.bash_argv(script)
    launch.launch(paths.fleet_root, sid, argv=argv, cwd=paths.data, env=env,
                  runner=runner_name, prompt_file=prompt_file, looop_bin=bin_path, size=size, verify=verify,
                  box=boxed.meta if boxed else None)
    events.emit(paths.events, "session_started", session=sid, runner=runner_name)
    cmd = selfbin.user_command(paths)
    print(f"started {bare} (runner: {runner_name}, cwd: {where})" + (f", in the box ({boxed.box.kind})" if boxed else ""))
    print(f"  attach: {cmd} attach {bare}   (Ctrl-\\ twice detaches; the worker keeps running)")
    print(f"  prompt: {prompt_file}")
    if verify:
        print(f"  verify: {verify}   (run once by the beat after it ends)")


def attach(paths: Paths, name: str) -> int:
    from looop.fleet.attach import attach as attach_to
    from looop.selfbin import user_command

    session = sessions.find(paths.fleet_root, name)
    return attach_to(session, user_command(paths), read_only=session.id == fleet.PULSE)  # the pulse: look, never steer


def kill(paths: Paths, name: str, grace: float = KILL_GRACE) -> int:
    """SIGTERM the worker's process group; SIGKILL after `grace` seconds.

    Never the pulse: a move or a worker naming it cannot switch the loop off
    (the human stops it with `looop down`)."""
    from looop import fleet

    if sessions.session_id(name) == fleet.PULSE:
        raise FatalError("pulse is the loop's own pulse, not a worker: stop it with `looop down`", 1)
    session = sessions.find(paths.fleet_root, name)
    w = sessions.worker(session)
    if not w.alive:
        ended = f" (exit code {w.exit_code})" if w.exit_code is not None else ""
        print(f"{session.name} has already ended: {w.state}{ended}")
        return 0
    # Recorded first: a worker ending itself is in the group about to be signalled.
    events.emit(paths.events, "session_killed", session=session.id)
    state, code = stop_session(session, grace)
    left = _leftovers(session)
    print(f"{session.name} {state}" + (f" (exit code {code})" if code is not None else ""))
    if left:
        raise FatalError(f"{session.name}: {left} process(es) of its group survived SIGKILL "
                         f"(see `ps -g {sessions.read_json(session.status).get('worker_pid')}`)", 1)
    return 0


def _leftovers(session: sessions.Session) -> int:
    """Processes of the worker's group still alive once it was killed (after one more KILL)."""
    from looop import procgroup

    pid = sessions.worker_pid(session)
    if pid is None or not procgroup.alive(pid):
        return 0
    if procgroup.stop(pid, 0.0, first=signal.SIGKILL):
        return 0
    return len(procgroup.members(pid))


def stop_session(session: sessions.Session, grace: float) -> tuple[str, int | None]:
    """Ask the supervisor to end its session (TERM, KILL after `grace`); (state, exit code)."""
    from looop.fleet import control

    try:
        sock = control.connect(session.sock)
    except OSError:
        return _kill_orphan(session, grace)
    with sock:
        sock.settimeout(grace + 5.0)
        sock.sendall(control.json_frame(control.HELLO, {"op": "kill", "grace": grace}))
        reader = control.Reader()
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                for kind, payload in reader.feed(data):
                    if kind == control.EXIT:
                        info = control.parse_json(payload)
                        return str(info.get("state")), info.get("exit_code")
        except OSError:
            pass
    w = sessions.worker(session)
    return w.state, w.exit_code


def _kill_orphan(session: sessions.Session, grace: float) -> tuple[str, int | None]:
    """No supervisor to ask: stop the worker's group ourselves."""
    pid = sessions.worker_pid(session)
    if pid is not None:
        sessions.stop_orphan(pid, max(grace, 0.01))
    w = sessions.worker(session)
    return w.state, w.exit_code


def flag(paths: Paths, name: str, message: str = "") -> int:
    """Raise the worker's hand: the beat and NEEDS YOU show it until unflag."""
    from looop.stamps import utc_now

    session = sessions.find(paths.fleet_root, name)
    w = sessions.worker(session)
    if not w.alive:
        raise FatalError(f"{session.name} is not running ({w.state}); only a live worker can be flagged", 1)
    note = " ".join(message.split())
    if not note and w.note:  # `flag <id>` alone raises the hand again, keeping the question
        note = w.note
    fields = {"note": note}
    if w.note != note:  # the same question again is not a new flag
        fields["flagged_at"] = utc_now()
    status = sessions.update_status(session, **fields)
    events.emit(paths.events, "session_flagged", session=session.id, note=note)
    print(f"⚑ {session.name} flagged" + (f": {one_line(note)}" if note else ""), flush=True)
    from looop.mailbox import notify

    notify.raise_event(paths, *notify.flag_event(paths, session.name, note, status.get("flagged_at")))
    return 0


def unflag(paths: Paths, name: str) -> int:
    session = sessions.find(paths.fleet_root, name)
    sessions.update_status(session, note=None, flagged_at=None)
    events.emit(paths.events, "session_unflagged", session=session.id)
    print(f"{session.name} unflagged")
    return 0


def prune(paths: Paths) -> int:
    gone = fleet.prune(paths.fleet_root)
    for sid in gone:
        events.emit(paths.events, "session_pruned", session=sid)
    print(f"pruned {len(gone)} finished session{'s' if len(gone) != 1 else ''}"
          + (f": {', '.join(sessions.bare_id(g) for g in gone)}" if gone else ""))
    return 0


class StartSession(usage.Verb):
    verify = usage.option("--verify", str, None, argname="CMD",
                          help="a command the beat runs once after the worker ends; exit 0 = the work is done")
    cwd = usage.option("--cwd", str, None, argname="DIR",
                       help="where the worker starts (boxed: only its work dir or a sandbox_write path)")

    def main(self, id: str, prompt: str, runner: str = "") -> int:  # plumbum calls the annotation: plain str
        return start_session(resolve(), id, prompt, runner or None, verify=self.verify, cwd=self.cwd)


class Attach(usage.Verb):
    def main(self, id: str) -> int:
        return attach(resolve(), id)


class Kill(usage.Verb):
    grace = usage.option("--grace", float, 5.0, argname="SECONDS", help="seconds between SIGTERM and SIGKILL")

    def main(self, id: str) -> int:
        return kill(resolve(), id, grace=self.grace)


class Flag(usage.Verb):
    def main(self, id: str, *message: str) -> int:
        return flag(resolve(), id, " ".join(message))


class Unflag(usage.Verb):
    def main(self, id: str) -> int:
        return unflag(resolve(), id)


class Prune(usage.Verb):
    def main(self) -> int:
        return prune(resolve())
