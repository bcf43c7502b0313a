"""Starting a worker: the checks, the start lock, the cap, the seeding and the launch, behind one call.

`start` refuses (FatalError) a worker that runs already, the pulse's own id and
a fleet at its cap; otherwise it seeds the data dir, writes the worker's prompt
(the contract first), wraps it in the box when the box is on, and launches its
supervisor. The `start-session` verb and the `start_worker` move both call it.
"""

from __future__ import annotations

import os
from pathlib import Path

from looop import fleet
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths
from looop.fleet import sessions
from looop.records import events


def start(paths: Paths, name: str, prompt: str, runner: str | None = None,
                  verify: str | None = None, cwd: str | None = None) -> int:
    """Start worker `name`; refused (FatalError) when it runs already or the fleet is at its cap."""
    from looop.core import knobs
    from looop.fleet import launch
    from looop.setup import config
    from looop.setup.preflight import check_runner

    sid = sessions.session_id(name)
    if sid == fleet.PULSE:
        raise FatalError(f"'{sessions.bare_id(sid)}' is the pulse's own session (looop up); "
                         "give the worker another id", ExitStatus.FAILED)
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
    from looop.core import selfbin

    bare = sessions.bare_id(sid)
    existing = sessions.Session(sessions.sessions_dir(paths.fleet_root) / sid)
    if existing.path.is_dir():
        if sessions.state_of(existing) in sessions.ALIVE_STATES:
            bare = sessions.bare_id(sid)
            raise FatalError(f"{bare} is already running; attach with: "
                             f"{selfbin.user_command(paths)} attach {bare}", ExitStatus.FAILED)
        sessions.remove(existing)
        events.emit(paths.events, "session_pruned", session=sid)


def _cwd(given: str | None) -> Path | None:
    """`--cwd`: an existing directory, or one clear line."""
    if not given:
        return None
    where = Path(os.path.abspath(os.path.expanduser(given)))
    if not where.is_dir():
        raise FatalError(f"--cwd {given}: not a directory", ExitStatus.FAILED)
    return where


def _start(paths: Paths, sid: str, prompt: str, runner_name: str, template: str, verify: str | None,
           cwd: Path | None = None) -> None:
    from looop.agents import runner as act
    from looop.core import selfbin
    from looop.core.fsio import atomic_write
    from looop.fleet import contract, launch
    from looop.setup.seed import make_data_dir

    bare = sessions.bare_id(sid)
    make_data_dir(paths)
    bin_path = selfbin.looop_bin(paths)
    prompt_file = paths.prompts / f"{sid}.md"
    atomic_write(prompt_file, contract.text(bare, sid, runner_name, bin_path) + prompt)
    from looop.box.hands import worker
    from looop.core import knobs

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
