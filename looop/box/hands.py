"""Each hand in its box: the decider for one beat, a worker under its supervisor, a command.

The callers stay small: they ask for a wrapped argv (or a context that holds
the beat's door open) and run it as before. With the box off every function
hands back the command unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from looop.box import INSIDE, Box, policy, resolve
from looop.box.policy import DOOR_INSIDE, DOOR_SOCKET, DOOR_TYPED, Spec
from looop.core.paths import Paths


def wrap(box: Box, spec: Spec, command: list[str], *, made_later: Path | None = None) -> list[str]:
    """`command` inside `box` as `spec` says; unchanged with the box off. The
    writable dirs are made now, but for `made_later` (a worker's work dir: its
    supervisor makes it)."""
    box.check()
    if not box.on:
        return command
    policy.prepare(p for p in spec.write if p != made_later)
    env = {INSIDE: "1", **spec.env}
    if box.kind == "seatbelt":
        from looop.box import seatbelt

        moved = {k: (v.replace(DOOR_INSIDE, str(spec.binds[0][0])) if spec.binds else v) for k, v in env.items()}
        inner = ["env", *(f"{k}={v}" for k, v in sorted(moved.items())), *command]
        return seatbelt.argv(box.exe, spec, inner)
    from looop.box import bwrap

    return bwrap.argv(box.exe, spec.with_env(env), command)


def command(paths: Paths, hand: str, argv: list[str], *, config: Mapping[str, Any] | None = None,
            cache: Path | None = None, see: list[Path] | None = None) -> list[str]:
    """run_shell, verify, a sensor: the data dir read-only except what `hand` may write."""
    if config is None:
        from looop.core import knobs

        config = knobs.config_dict(paths.config)
    box = resolve(config)
    if not box.on and not box.broken:
        return argv
    write = policy.writable(hand, paths, config=config, cache=cache)
    shown = policy.visible(paths, [*_own_dirs(), *(see or [])])
    return wrap(box, Spec(hand=hand, write=tuple(write), see=shown, cwd=paths.data), argv)


def sensors(paths: Paths, config: Mapping[str, Any]) -> Callable[[Path], tuple[list[str], dict[str, str]]]:
    """The beat's sensors, each in its own box: a human's sees the data dir read-only and
    writes only its cache dir (`LOOOP_CACHE`); one the decider wrote is boxed like
    `run_shell`. A function from a sensor's script to (argv prefix, extra env)."""
    box = resolve(config)
    box.check()
    ai = ai_written(paths)
    shown = policy.visible(paths, _own_dirs()) if box.on else ()

    def hand_for(script: Path) -> tuple[list[str], dict[str, str]]:
        name = script.name[: -len(".sh")]
        cache = paths.sensor_own(name)
        env = {"LOOOP_CACHE": str(cache)}
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # not there, not bound: the sensor finds it cannot write, and says so in its reading
        if not box.on:
            return [], env
        hand = "ai-sensor" if name in ai else "sensor"
        write = policy.writable(hand, paths, config=config, cache=cache)
        return wrap(box, Spec(hand=hand, write=tuple(write), see=shown, cwd=paths.data, env=env), []), env

    return hand_for


def ai_written(paths: Paths) -> frozenset[str]:
    """The sensors the decider wrote (a missing record boxes them as a human's: the stricter box)."""
    try:
        return frozenset(paths.ai_sensors.read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return frozenset()


def _own_dirs() -> list[Path]:
    """This looop's own files (its interpreter and package), which may live under /tmp."""
    import sys

    return [Path(sys.prefix), Path(__file__).resolve().parent.parent.parent]


# --- the decider ---------------------------------------------------------------------------

class Beat:
    """The decider's box for one runner call: the argv prefix, its env, its door."""

    __slots__ = ("door", "env", "wrap")

    def __init__(self, wrap: list[str] | None = None, env: dict[str, str] | None = None, door: Any = None) -> None:
        self.wrap, self.env, self.door = wrap, env or {}, door


@contextmanager
def decider(plan: Any) -> Iterator[Beat]:
    """Box the beat's runner call: it writes only its decision file, its CLI's state
    and `sandbox_write`; its verbs reach outside through the beat's door (one move)."""
    paths: Paths = plan.paths
    box = resolve(plan.config)
    box.check()
    if not box.on:
        yield Beat(env=plan.env)
        return
    binds: list[tuple[Path, str]] = []
    typed = plan.moves == "typed"
    if typed:  # its move is its decision file; every verb is refused inside the box (door.TYPED)
        decision_dir = plan.run_dir / "decision"
        decision_dir.mkdir(exist_ok=True)
        inner = decision_dir / plan.decision.name
        inner.write_bytes(b"")
        plan.decision.write_bytes(b"")  # the mount point: the name the prompt gives stays
        binds.append((inner, str(plan.decision)))
        door_env = DOOR_TYPED
    else:  # agent mode: its first verb through the door is the beat's one move
        import tempfile

        door_dir = Path(tempfile.mkdtemp(prefix="looop-door-"))
        binds.append((door_dir, DOOR_INSIDE))
        door_env = f"{DOOR_INSIDE}/{DOOR_SOCKET}"
        copy, start = _journal_copy(paths.journal, plan.run_dir)  # its one line, carried out after
        binds.append((copy, str(paths.journal)))
    if not paths.ledger.exists():
        paths.ledger.touch()
    runner_spec = (plan.config.get("runners") or {}).get(plan.runner)
    state = policy.state_for(plan.command, runner_spec, policy.home_dir())
    write = policy.writable("decider", paths, config=plan.config, state=state, decision=None)
    env = dict(plan.env, LOOOP_DOOR=door_env)
    spec = Spec(hand="decider", write=tuple(write), see=policy.visible(paths, [plan.run_dir, *_own_dirs()]),
                binds=tuple(binds), cwd=paths.data)
    opened = None
    if not typed:
        from looop.box import door

        opened = door.Door(door_dir, door.OneMove(plan.moves), env["LOOOP_BIN"], plan.env, paths.data)
    try:
        yield Beat(wrap=wrap(box, spec, []), env=env, door=opened)
    finally:
        if opened is not None:
            opened.close(remove=True)
        if typed:
            _take_decision(inner, plan.decision)
        else:
            _carry_journal(copy, start, paths.journal)


def _journal_copy(journal: Path, run_dir: Path) -> tuple[Path, int]:
    """A copy of journal.md bound over it in the box: the decider appends its line as unboxed."""
    import shutil

    copy = run_dir / "journal.md"
    if journal.exists():
        shutil.copyfile(journal, copy)
    else:
        journal.touch()  # the mount point
        copy.write_bytes(b"")
    return copy, copy.stat().st_size


def _carry_journal(copy: Path, start: int, journal: Path) -> None:
    """The line the boxed decider appended to its copy goes to the real journal (the first one)."""
    from looop.core.fsio import append_line

    try:
        data = copy.read_bytes()
    except OSError:
        return
    new = data[start:] if len(data) >= start else data  # rewritten shorter: its last line is its own
    lines = [ln.strip() for ln in new.decode("utf-8", "replace").splitlines() if ln.strip()]
    if not lines:
        return
    line = lines[0] if len(data) >= start else lines[-1]
    line = "".join(ch for ch in line if ch.isprintable())[:1000]
    append_line(journal, line if line.startswith("- ") else f"- {line}")


def _take_decision(inner: Path, outer: Path) -> None:
    """What the decider wrote in its box becomes its decision file; nothing written, no file."""
    try:
        written = inner.stat().st_size > 0
    except OSError:
        written = False
    if written:
        os.replace(inner, outer)
    else:
        outer.unlink(missing_ok=True)
        inner.unlink(missing_ok=True)


# --- a worker ------------------------------------------------------------------------------

class WorkerBox:
    """A worker's box: made by start-session, its door kept by the supervisor."""

    __slots__ = ("box", "door_dir", "session_dir", "spec")

    def __init__(self, box: Box, spec: Spec, session_dir: Path, door_dir: Path) -> None:
        self.box, self.spec, self.session_dir = box, spec, session_dir
        self.door_dir = door_dir  # short (a socket's path has a length limit): made now, removed by the supervisor

    @property
    def cwd(self) -> Path:
        return self.spec.cwd or self.session_dir / "work"

    def wrap(self, argv: list[str]) -> list[str]:
        return wrap(self.box, self.spec, argv, made_later=self.session_dir / "work")

    @property
    def meta(self) -> dict[str, str]:
        return {"work": str(self.session_dir / "work"), "door": str(self.door_dir)}


def worker(paths: Paths, config: Mapping[str, Any], runner: str, sid: str, template: str,
           cwd: Path | None = None) -> WorkerBox | None:
    """The worker's box (None with the box off): its work dir, `claims/`, `reports/`,
    its CLI's state and `sandbox_write`; `cwd` outside those is refused."""
    box = resolve(config)
    box.check()
    if not box.on:
        return None
    from looop.core.ids import sessions_dir

    session_dir = sessions_dir(paths.fleet_root) / sid
    work = session_dir / "work"
    runner_spec = (config.get("runners") or {}).get(runner)
    state = policy.state_for(template, runner_spec, policy.home_dir())
    write = policy.writable("worker", paths, config=config, state=state, work=work)
    if cwd is not None and not policy.allowed_cwd(cwd, write):
        from looop.core.errors import ExitStatus, FatalError

        raise FatalError(f"--cwd {cwd}: a boxed worker cannot write there (its work dir, claims/, reports/ "
                         "or a path in sandbox_write)", ExitStatus.FAILED)
    import tempfile

    from looop.box import door

    door_dir = Path(tempfile.mkdtemp(prefix="looop-door-"))
    spec = Spec(hand="worker", write=tuple(write), see=policy.visible(paths, _own_dirs()),
                binds=((door_dir, DOOR_INSIDE),), cwd=cwd or work,
                env={door.ENV: f"{DOOR_INSIDE}/{DOOR_SOCKET}"}, new_session=False)
    return WorkerBox(box=box, spec=spec, session_dir=session_dir, door_dir=door_dir)


def supervisor_door(session_dir: Path, meta: Mapping[str, Any], sid: str) -> Any:
    """In the supervisor, before the worker starts: its work dir and its door."""
    import shutil

    from looop.box import door

    Path(meta["work"]).mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ, LOOOP_SESSION_ID=sid)
    looop_bin = env.get("LOOOP_BIN") or shutil.which("looop") or "looop"
    return door.Door(Path(meta["door"]), door.Worker(sid), looop_bin, env, Path(meta["work"]))
