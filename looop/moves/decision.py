"""Reading a decision file: one JSON object, or one clear reason why not.

Each decider call has its own (`.decision-<pid>-<token>.json`); a reason still
calls it `.decision.json`, so LAST FAILURE reads as it always has.

A symlink, a directory, binary, two objects or prose around the JSON are each
refused with a reason the decider sees under LAST FAILURE; one Markdown code
fence around the object is tolerated. The file is gone once read.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

from looop.core.errors import ExitStatus, FatalError
from looop.moves import DECISION_MAX_BYTES


def clear(path: Path) -> None:
    """Remove a leftover decision (file, symlink or directory) before the runner starts."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def take(path: Path) -> dict[str, Any]:
    """The decision's move, checked against the move schema; the file is deleted."""
    try:
        raw = _read(path)
    finally:
        clear(path)
    move = parse(raw)
    from looop.core import schemas

    # a field failing its own rule says more than "unevaluated" (which follows from it)
    found = sorted(schemas.problems("move", move), key=lambda p: "Unevaluated properties" in p)
    if found:
        raise FatalError(f"invalid move in .decision.json: {found[0]}", ExitStatus.FAILED)
    return move


def _read(path: Path) -> bytes:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise FatalError("no decision: the runner exited 0 but wrote no .decision.json", ExitStatus.FAILED) from None
    if stat.S_ISLNK(st.st_mode):
        raise FatalError(".decision.json is a symlink; write a regular file", ExitStatus.FAILED)
    if stat.S_ISDIR(st.st_mode):
        raise FatalError(".decision.json is a directory; write a regular file", ExitStatus.FAILED)
    if not stat.S_ISREG(st.st_mode):
        raise FatalError(".decision.json is not a regular file", ExitStatus.FAILED)
    if st.st_size > DECISION_MAX_BYTES:
        raise FatalError(f".decision.json is {st.st_size} bytes, over the {DECISION_MAX_BYTES}-byte cap", ExitStatus.FAILED)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(DECISION_MAX_BYTES + 1)


def parse(raw: bytes) -> dict[str, Any]:
    """One JSON object (inside at most one code fence), else a FatalError naming the fault."""
    if b"\0" in raw:
        raise FatalError(".decision.json is binary (it holds NUL bytes); write one JSON object", ExitStatus.FAILED)
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise FatalError(f".decision.json is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                         ExitStatus.FAILED) from None
    if not text:
        raise FatalError(".decision.json is empty; write one JSON object", ExitStatus.FAILED)
    text = _unfence(text)
    decoder = json.JSONDecoder()
    try:
        value, end = decoder.raw_decode(text)
    except json.JSONDecodeError as exc:
        raise FatalError(f".decision.json is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})",
                         ExitStatus.FAILED) from None
    except RecursionError:
        raise FatalError(".decision.json nests too deep to read; write one flat move object", ExitStatus.FAILED) from None
    except ValueError as exc:  # a number of thousands of digits
        raise FatalError(f".decision.json holds a value Python refuses ({exc}); write plain numbers", ExitStatus.FAILED) from None
    rest = text[end:].strip()
    if rest:
        try:
            decoder.raw_decode(rest)
        except (ValueError, RecursionError):
            raise FatalError(".decision.json has text after the JSON object; write the object alone", ExitStatus.FAILED) from None
        raise FatalError(".decision.json holds more than one JSON value; write exactly one move", ExitStatus.FAILED)
    if not isinstance(value, dict):
        raise FatalError(".decision.json is not a JSON object; write one object with a \"move\" field", ExitStatus.FAILED)
    from looop.core.untrusted import json_safe

    return json_safe(value)  # a lone surrogate ("\ud800" is valid JSON) in any field becomes U+FFFD


def _unfence(text: str) -> str:
    if not text.startswith("```"):
        return text
    lines = text.splitlines()
    body = lines[1:]
    for n, line in enumerate(body):
        if line.strip() == "```":
            if any(x.strip() for x in body[n + 1:]):
                raise FatalError(".decision.json has text after its code fence; write the object alone", ExitStatus.FAILED)
            return "\n".join(body[:n])
    raise FatalError(".decision.json opens a code fence it never closes", ExitStatus.FAILED)
