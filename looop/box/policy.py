"""Which paths each hand may write: one table, read by bwrap and Seatbelt alike.

Everything is readable and nothing is writable unless this table lists it:
the data dir (PLAYBOOK, goals, config, answers, the gate baseline, `.git`) is
read-only to every hand, so the boundary is the operating system's.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from looop.core.paths import Paths

# hand -> what it may write. decision: its fresh decision dir; state: the runner
# CLI's own state dirs (runners.<name>.state); work: the worker's work dir;
# cache: a sensor's own cache dir; ledger: where `_fmt` meters the decider's spend.
HANDS: dict[str, tuple[str, ...]] = {
    "decider": ("decision", "state", "ledger", "sandbox_write"),
    "worker": ("work", "claims", "reports", "state", "sandbox_write"),
    "shell": ("reports", "sandbox_write"),  # run_shell, `looop shell`, verify, write_sensor's proving run
    "ai-sensor": ("reports", "cache", "sandbox_write"),
    "sensor": ("cache",),  # a human's sensor: read-only but for its own cache
}

# Every box: its own pid namespace, dies with its parent, private /tmp, minimal
# /dev, network kept (the LLM APIs need it). `new_session` is off only for a
# worker, whose PTY is its controlling terminal (a TIOCSTI there reaches only
# its own PTY).
DOOR_INSIDE = "/tmp/.looop-door"  # where a door's dir appears inside the box
DOOR_SOCKET = "door.sock"
DOOR_TYPED = "typed"  # LOOOP_DOOR of a typed decider: no socket; its move is its own decision file


class Spec:
    """One boxed process: what it writes, what it binds, where it starts."""

    __slots__ = ("binds", "cwd", "env", "hand", "new_session", "see", "write")

    def __init__(self, hand: str, write: tuple[Path, ...], see: tuple[Path, ...] = (),
                 binds: tuple[tuple[Path, str], ...] = (), env: dict[str, str] | None = None,
                 cwd: Path | None = None, new_session: bool = True) -> None:
        self.hand = hand
        self.write = write
        self.see = see  # read-only paths to show again over the private /tmp
        self.binds = binds  # (outside, inside) writable binds: the door, the decision file
        self.env = env or {}
        self.cwd = cwd
        self.new_session = new_session

    def with_env(self, env: dict[str, str]) -> Spec:
        return Spec(self.hand, self.write, self.see, self.binds, env, self.cwd, self.new_session)


def state_dirs(runner_spec: Mapping[str, Any] | None, home: Path) -> list[Path]:
    """The runner CLI's own state (`~/.claude`, ...), as the preset or config names it."""

    given = (runner_spec or {}).get("state")
    names = given if isinstance(given, list) else []
    return [_expand(str(n), home) for n in names]


def state_for(command: str, runner_spec: Mapping[str, Any] | None, home: Path) -> list[Path]:
    """The configured state dirs; with none configured, those of any preset CLI the command names."""
    found = state_dirs(runner_spec, home)
    if found or (runner_spec or {}).get("state") is not None:
        return found
    from looop.agents.presets import STATE

    words = set(command.replace("|", " ").split())
    return [_expand(n, home) for cli, names in STATE.items() if cli in words for n in names]


def sandbox_write(config: Mapping[str, Any] | None, home: Path) -> list[Path]:
    extra = (config or {}).get("sandbox_write")
    return [_expand(str(p), home) for p in extra] if isinstance(extra, list) else []


def writable(hand: str, paths: Paths, *, config: Mapping[str, Any] | None, state: Iterable[Path] = (),
             work: Path | None = None, cache: Path | None = None, decision: Path | None = None) -> list[Path]:
    """The table, made into paths for one process."""
    home = home_dir()
    out: list[Path] = []
    for name in HANDS[hand]:
        if name == "decision" and decision is not None:
            out.append(decision)
        elif name == "state":
            out += list(state)
        elif name == "ledger":
            out.append(paths.ledger)
        elif name == "sandbox_write":
            out += sandbox_write(config, home)
        elif name == "work" and work is not None:
            out.append(work)
        elif name == "claims":
            out.append(paths.claims)
        elif name == "reports":
            out.append(paths.reports)
        elif name == "cache" and cache is not None:
            out.append(cache)
    return out


def visible(paths: Paths, extra: Iterable[Path] = ()) -> tuple[Path, ...]:
    """What lives under /tmp and must stay readable over the box's private /tmp:
    the data dir, HOME, the config, the fleet, this looop and the PATH."""
    want = [paths.data, paths.config.parent, paths.fleet_root, home_dir(), Path.cwd(), *extra]
    want += [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    seen: list[Path] = []
    for p in want:
        p = Path(os.path.abspath(p))
        if _under_tmp(p) and p not in seen and not any(p.is_relative_to(s) for s in seen):
            seen = [s for s in seen if not s.is_relative_to(p)] + [p]
    return tuple(seen)


def hidden() -> list[Path]:
    """What no hand may read or connect to, though the rest of the filesystem is readable:
    the web inbox's login tokens (with one a hand could answer its own ask over HTTP), and
    the sockets through which a process can start another outside any box (the user's and
    the system's D-Bus, systemd's private socket: `systemd-run`)."""
    from looop.core.paths import serve_root

    out = [serve_root(), Path("/run/dbus/system_bus_socket"), Path("/run/systemd/private")]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        out += [Path(runtime) / "bus", Path(runtime) / "systemd"]
    return [p for p in out if os.path.lexists(p)]


def allowed_cwd(cwd: Path, write: Iterable[Path]) -> bool:
    """A worker may start only where it may write (its work dir, or a sandbox_write path)."""
    cwd = Path(os.path.abspath(cwd))
    return any(cwd.is_relative_to(Path(os.path.abspath(w))) for w in write)


def home_dir() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def prepare(write: Iterable[Path]) -> None:
    """Writable dirs exist before the box binds them (a missing file stays missing), and so
    does the serve tokens' dir: hidden from the start, before `looop serve` makes a token."""
    from looop.core.paths import serve_root

    try:
        serve_root().mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        pass
    for p in write:
        if not p.exists() and not p.suffix:
            try:
                p.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass


def _expand(name: str, home: Path) -> Path:
    if name == "~" or name.startswith("~/"):
        return home / name[2:]
    return Path(os.path.abspath(name))


def _under_tmp(p: Path) -> bool:
    """Strictly under /tmp: /tmp itself stays private even when looop runs from there."""
    return p != Path("/tmp") and p.is_relative_to("/tmp")
