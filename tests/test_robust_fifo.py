"""A FIFO (or any file that is not a regular one) where looop reads a file is
skipped with a warning, never opened blocking: no beat, status, asks or told
hangs on it."""

from __future__ import annotations

import json
import os

import pytest

from tests.moves.test_typed_beat import typed

FIFOS = ["asks/w-1.json", "answers/w-1.json", "tells/w-1.json", "journal.md", "events.jsonl", "cost.jsonl",
         ".valid-config", ".valid-readings"]


@pytest.mark.parametrize("where", FIFOS)
def test_a_fifo_in_the_data_dir_hangs_nothing(loop, where):
    typed(loop, "decide", '{"move": "noop", "journal": "quiet"}')
    loop.seed()
    (loop.data / "goals" / "g.md").write_text("a goal\n")
    if where.startswith("answers/"):  # an answer is only read for an ask that exists
        (loop.data / "asks").mkdir(exist_ok=True)
        (loop.data / "asks" / "w-1.json").write_text(json.dumps(
            {"v": 1, "id": "w-1", "worker": "w", "prompt": "ok?", "options": [], "created": "2026-01-01T00:00:00Z"}))
    path = loop.data / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    warned = ""
    for args in (["tick"], ["status"], ["status", "--json"], ["asks"], ["told", "--worker", "w"], ["cost"], ["tick"]):
        out = loop.run(*args, timeout=20)  # a hang is a TimeoutExpired
        assert out.returncode in (0, 1), (args, out.stdout + out.stderr)
        assert "unexpected error" not in out.stdout + out.stderr, args
        warned += out.stderr
        if args == ["status", "--json"]:
            json.loads(out.stdout)  # a warning never lands in the JSON
    if not where.startswith((".valid-", "tells/")):  # a cache is rewritten, a tell is moved aside
        assert path.exists() and not path.is_file(), "the FIFO is left alone"
        assert f"skipped {path}: it is a FIFO" in warned or where.startswith("answers/")
