"""The box: the decider, the workers and every command the AI wrote run in an OS sandbox.

Which box, if any, is decided once per process: config `sandbox`
(auto | bwrap | seatbelt | off), `LOOOP_SANDBOX` over it. An explicit box that
cannot run fails closed (nothing boxed runs); `auto` with nothing usable runs
unboxed and says so. Inside a box, changes outside it go through the door.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

MODES = ("auto", "bwrap", "seatbelt", "off")
INSIDE = "LOOOP_BOXED"  # set in every boxed process's environment


class Box:
    """The sandbox this process uses: `kind` off means unboxed (`why` says why).
    (A plain class: a dataclass would cost each decided beat a millisecond.)"""

    __slots__ = ("broken", "exe", "kind", "why")

    def __init__(self, kind: str, exe: str = "", why: str = "", broken: str = "") -> None:
        self.kind = kind  # bwrap | seatbelt | off
        self.exe = exe  # the sandbox program
        self.why = why  # where the program came from, or why there is none
        self.broken = broken  # an explicit box that cannot run: nothing boxed may start

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Box) and (self.kind, self.exe, self.why, self.broken) == (
            other.kind, other.exe, other.why, other.broken)

    def __hash__(self) -> int:
        return hash((self.kind, self.exe, self.why, self.broken))

    def __repr__(self) -> str:
        return f"Box({self.kind!r}, exe={self.exe!r}, why={self.why!r}, broken={self.broken!r})"

    @property
    def on(self) -> bool:
        return self.kind != "off"

    def describe(self) -> str:
        if self.broken:
            return f"sandbox: {self.kind} CANNOT RUN ({self.broken}): nothing boxed starts"
        if not self.on:
            return f"sandbox: off ({self.why})"
        return f"sandbox: {self.kind} ({self.exe})"

    def check(self) -> None:
        """Fail closed: an explicit box that cannot run stops what was to run in it."""
        if self.broken:
            from looop.core.errors import ExitStatus, FatalError

            raise FatalError(f"sandbox {self.kind} cannot run: {self.broken}; nothing boxed was started "
                             "(fix it, or set \"sandbox\": \"auto\" or \"off\")", ExitStatus.FAILED)


def mode(config: Mapping[str, Any] | None, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(mode, where it came from). A config without the key means off, the behaviour before the box."""
    env = os.environ if env is None else env
    given = env.get("LOOOP_SANDBOX", "").strip()
    if given:
        where = "LOOOP_SANDBOX"
        value = given
    elif isinstance(config, Mapping) and config.get("sandbox") is not None:
        where, value = "config sandbox", str(config["sandbox"])
    else:
        return "off", "default"
    if value not in MODES:
        from looop.core.errors import ExitStatus, FatalError

        raise FatalError(f"{where}={value!r}: must be one of {', '.join(MODES)}", ExitStatus.BAD_INPUT)
    return value, where


_RESOLVED: dict[tuple[str, str], Box] = {}


def resolve(config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Box:
    """The box in use, probed once per process, mode and where the mode was set (so its reason stays true
    after the config or the environment changes it)."""
    env = os.environ if env is None else env
    if env.get(INSIDE) == "1":
        return Box("off", why="already inside a box")
    wanted, where = mode(config, env)
    if (wanted, where) not in _RESOLVED:
        _RESOLVED[wanted, where] = _find(wanted, where)
    return _RESOLVED[wanted, where]


def _find(wanted: str, where: str) -> Box:
    if wanted == "off":
        return Box("off", why=f"{where} says off" if where != "default" else "the config has no \"sandbox\" key")
    mac = sys.platform == "darwin"
    if wanted == "seatbelt" or (wanted == "auto" and mac):
        from looop.box import seatbelt

        exe, why = seatbelt.find()
        if exe:
            return Box("seatbelt", exe=exe, why=why)
        return Box("seatbelt", broken=why) if wanted == "seatbelt" else Box("off", why=why)
    from looop.box import bwrap

    exe, why = bwrap.find()
    if exe:
        return Box("bwrap", exe=exe, why=why)
    return Box("bwrap", broken=why) if wanted == "bwrap" else Box("off", why=f"auto: {why}")


def status(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The box for `status --json`: which, or why none; and whether the PLAYBOOK gate is exact."""
    try:
        box = resolve(config)
    except Exception as exc:  # a bad mode is the config's problem, said elsewhere; status still prints
        return {"kind": "off", "exe": None, "why": str(exc), "gate": "guess", "line": f"sandbox: off ({exc})"}
    why = box.broken or box.why
    return {"kind": box.kind, "exe": box.exe or None, "why": why or None,
            "gate": "exact" if box.on and not box.broken else "guess", "line": box.describe()}


def rules_line(config: Mapping[str, Any] | None) -> str:
    """The prompt's word on the box (under RULES): what the decider can and cannot write."""
    box = resolve(config)
    if box.broken:
        return box.describe()
    if not box.on:
        return (f"sandbox: off ({box.why}): nothing but these rules keeps you from the data dir; "
                "still write only what your move needs")
    return (f"sandbox: {box.kind}: you run in a box; the data dir is read-only to you, and looop's "
            "verbs reach outside it through looop, one move per beat")
