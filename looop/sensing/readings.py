"""A sensor's reading, checked: one JSON object within its size and nesting limits, valid against
reading.schema.json (validated once per distinct reading, cached), or an error reading that says why."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Reading:
    sensor: str
    ok: bool
    seconds: float
    problem: str = ""
    digest: str = ""
    reused: str = ""  # why an earlier reading stands in for a run (`# looop:interval=`)



def validate(readings: list[Reading], out_dir: Path, cache: ReadingCache) -> None:
    """Schema-check readings whose bytes were not seen valid before."""
    fresh = [r for r in readings if r.ok and r.digest not in cache]
    if fresh:
        from looop.core import schemas

        for r in fresh:
            path = out_dir / f"sensor-{r.sensor}.json"
            found = schemas.problems("reading", json.loads(path.read_bytes()))
            if found:
                r.ok, r.problem = False, f"does not match the reading schema: {found[0]}"
                path.write_bytes(error_reading(r.sensor, r.problem))
            else:
                cache.add(r.digest)
    cache.keep_only({r.digest for r in readings if r.ok})
    cache.save()


def error_reading(sensor: str, problem: str, hint: str | None = None) -> bytes:
    body: dict[str, object] = {"sensor": sensor, "problem": problem}
    body["hint"] = hint or (
        "a sensor must print exactly one small JSON object, e.g. "
        '{"signal": {...what should wake the loop...}, "detail": {...context...}}'
    )
    return (json.dumps({"looop_error": body}, ensure_ascii=False) + "\n").encode()


def check_reading(raw: bytes, max_bytes: int) -> str:
    """Why `raw` is not one acceptable reading, or '' when it is."""
    if max_bytes and len(raw) > max_bytes:
        return f"printed more than {max_bytes} bytes, over the {max_bytes}-byte cap (LOOOP_SENSOR_MAX_BYTES)"
    if not raw.strip():
        return "printed nothing"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"printed invalid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
    decoder = json.JSONDecoder()
    text = text.strip()
    depth = nesting(text)
    if depth > MAX_DEPTH:
        return f"printed JSON nested {depth} levels deep, over the {MAX_DEPTH}-level limit"
    try:
        value, end = decoder.raw_decode(text)
    except json.JSONDecodeError as exc:
        return f"printed text that is not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
    except RecursionError:
        return f"printed JSON nested too deeply (over the {MAX_DEPTH}-level limit)"
    rest = text[end:].strip()
    if rest:
        try:
            decoder.raw_decode(rest)
            return "printed more than one JSON value; print exactly one object"
        except json.JSONDecodeError:
            return "printed JSON followed by extra text"
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")
        return f"printed {kind}, not a JSON object"
    return ""


NAME_MAX_BYTES = 200  # `sensor-<name>.json` must fit a file name


MAX_DEPTH = 64  # nesting a reading may have; deeper is refused before parsing


def reading_name(script: Path) -> tuple[str, str]:
    """The name a sensor's reading goes by, and why it cannot run under it ('' when it can).

    A name that is not UTF-8 or too long for a snapshot file still yields a
    reading: an error under a safe, printable stand-in name."""
    raw = os.fsencode(script.name)[: -len(".sh")]
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _short(raw.decode("utf-8", "backslashreplace")), "has a file name that is not valid UTF-8: rename it"
    if len(raw) > NAME_MAX_BYTES:
        return _short(name), f"has a {len(raw)}-byte name, over the {NAME_MAX_BYTES}-byte limit: rename it"
    return name, ""


def _short(name: str) -> str:
    raw = name.encode()
    if len(raw) <= NAME_MAX_BYTES:
        return name
    tag = hashlib.sha256(raw).hexdigest()[:8]
    return raw[: NAME_MAX_BYTES - 9].decode("utf-8", "ignore") + "-" + tag


def nesting(text: str) -> int:
    """How deep a JSON text nests arrays and objects (strings skipped), without parsing it."""
    depth = deepest = 0
    for token in _BRACKETS.findall(text):
        if token == "[" or token == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif token == "]" or token == "}":
            depth -= 1
    return deepest


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class ReadingCache:
    """Digests of readings already validated, so an unchanged world skips jsonschema."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: set[str] = set()
        self._loaded = False
        self._dirty = False

    def _load(self) -> None:
        if self._loaded or self.path is None:
            return
        self._loaded = True
        from looop.core.fsio import read_text

        try:
            self._known = set(read_text(self.path, "").split())
        except OSError:
            self._known = set()

    def __contains__(self, digest: str) -> bool:
        self._load()
        return digest in self._known

    def add(self, digest: str) -> None:
        self._load()
        if digest not in self._known:
            self._known.add(digest)
            self._dirty = True

    def keep_only(self, digests: set[str]) -> None:
        self._load()
        if self._known != digests:
            self._known = set(digests)
            self._dirty = True

    def save(self) -> None:
        if self._dirty and self.path is not None:
            from looop.core.fsio import atomic_write

            try:
                atomic_write(self.path, "".join(f"{d}\n" for d in sorted(self._known)))
            except OSError:
                pass
            self._dirty = False
