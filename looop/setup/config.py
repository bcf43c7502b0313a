"""Runner wiring and cadence: load, validate, seed, and the built-in presets.

A bad config is one clear line naming the file and the field (exit 2); the
file is never rewritten once it exists.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from looop.agents.presets import INSTALL_HINTS, PRESETS  # noqa: F401  (re-exported: the built-in runners, how to install each)
from looop.core.errors import ExitStatus, FatalError


def default_config(default_runner: str = "pi") -> dict[str, Any]:
    from looop.agents.presets import config_for

    return config_for(default_runner)


@dataclass(frozen=True)
class Config:
    path: Path
    data: dict[str, Any]

    @property
    def default_runner(self) -> str:
        return self.data["default"]

    @property
    def git(self) -> bool:
        return bool(self.data.get("git", True))

    def runner(self, name: str | None = None) -> tuple[str, dict[str, str]]:
        name = name or self.default_runner
        runners = self.data["runners"]
        if name not in runners:
            known = ", ".join(sorted(runners)) or "none"
            raise FatalError(f"config {self.path}: runner '{name}' is not defined (runners: {known})", ExitStatus.BAD_INPUT)
        return name, runners[name]

    def tick_command(self, name: str | None = None) -> tuple[str, str]:
        name, spec = self.runner(name)
        return name, spec["tick"]

    def interactive_command(self, name: str | None = None) -> tuple[str, str]:
        name, spec = self.runner(name)
        if not spec.get("interactive"):
            raise FatalError(f"config {self.path}: runners.{name}.interactive is not set; workers need it", ExitStatus.BAD_INPUT)
        return name, spec["interactive"]


def ensure(path: Path) -> None:
    """No config (first run): `looop init` writes one, asking on a terminal."""
    if path.exists():
        return
    from looop.setup.init import first_run

    first_run(path)


_CACHE: dict[Path, tuple[tuple[int, int], Config]] = {}


def load(path: Path, *, seed: bool = True, valid_cache: Path | None = None) -> Config:
    """Read and validate the config; seed the default one when absent.

    A long-lived pulse validates each version of the file once; with
    `valid_cache` (where the digest of the last valid version is kept) so does
    a series of `looop tick`s, sparing an unchanged beat the schema check."""
    if seed:
        ensure(path)
    try:
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        cached = _CACHE.get(path)
        if cached and cached[0] == key:
            return cached[1]
    except OSError:
        key = None
    config = _load(path, valid_cache)
    if key is not None:
        _CACHE[path] = (key, config)
    return config


def _load(path: Path, valid_cache: Path | None = None) -> Config:
    from looop.core.fsio import file_kind, read_bytes

    try:
        data_bytes = read_bytes(path)  # a FIFO is refused, never waited on
        if data_bytes is None:
            kind = file_kind(path)
            raise FatalError(f"config {path}: " + (f"it is {kind}, not a regular file" if kind else "not found"), ExitStatus.BAD_INPUT)
        raw = data_bytes.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FatalError(f"config {path}: cannot read: {_why(exc)}", ExitStatus.BAD_INPUT) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FatalError(f"config {path}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", ExitStatus.BAD_INPUT) from None
    digest = _digest(raw)
    if valid_cache is None or _read(valid_cache) != digest:
        from looop.core import schemas

        found = schemas.problems("config", data)
        if found:
            raise FatalError(f"config {path}: {found[0]}", ExitStatus.BAD_INPUT)
        if valid_cache is not None and valid_cache.parent.is_dir():
            from looop.core.fsio import atomic_write

            try:
                atomic_write(valid_cache, digest + "\n")
            except OSError:
                pass  # only a cache: the next beat checks again
    if data["default"] not in data["runners"]:
        raise FatalError(
            f"config {path}: default: runner '{data['default']}' is not among runners ({', '.join(sorted(data['runners']))})",
            ExitStatus.BAD_INPUT,
        )
    return Config(path=path, data=data)


def cadence(config: dict[str, Any] | None, env: dict[str, str] | os._Environ[str] | None = None) -> dict[str, int]:
    """idle/busy/active waits: env > config key > 60 s (never below 1 s)."""
    from looop.core import knobs

    return {key: knobs.get(key, config, env) for key in ("interval", "busy_interval", "active_interval")}


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path: Path) -> str:
    from looop.core.fsio import read_text

    try:
        return read_text(path, "").strip()
    except OSError:
        return ""


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)
