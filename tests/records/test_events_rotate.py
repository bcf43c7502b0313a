"""events.jsonl rotates by size into events.jsonl.1.gz … .7.gz: bounded, nothing recent lost."""

from __future__ import annotations

import gzip
import json
import subprocess

from looop.records import events


def _lines(path):
    return path.read_text().splitlines() if path.exists() else []


def test_a_big_event_log_rotates_and_keeps_seven(tmp_path):
    log = tmp_path / "events.jsonl"
    for i in range(10):
        for j in range(20):
            events.emit(log, "x", n=i * 100 + j, pad="y" * 40)
        assert events.rotate(log, max_bytes=1000)
    assert not log.exists() or _lines(log) == []
    kept = sorted(tmp_path.glob("events.jsonl.*.gz"))
    assert [p.name for p in kept] == [f"events.jsonl.{n}.gz" for n in range(1, 8)]
    newest = [json.loads(x)["n"] for x in gzip.decompress((tmp_path / "events.jsonl.1.gz").read_bytes()).splitlines()]
    assert newest == list(range(900, 920))
    oldest = [json.loads(x)["n"] for x in gzip.decompress((tmp_path / "events.jsonl.7.gz").read_bytes()).splitlines()]
    assert oldest == list(range(300, 320))
    assert not list(tmp_path.glob("*.rotating"))


def test_a_small_log_is_left_alone(tmp_path):
    log = tmp_path / "events.jsonl"
    events.emit(log, "x")
    assert not events.rotate(log, max_bytes=1000) and len(_lines(log)) == 1


def test_the_beat_rotates_it(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "events.jsonl").write_text('{"ts": "2026-01-01T00:00:00Z", "event": "old"}\n' * 200)
    assert loop.run("tick", env={"LOOOP_EVENTS_MAX_BYTES": "4096"}).returncode == 0
    assert (loop.data / "events.jsonl.1.gz").exists()
    assert "tick_start" in loop.event_names() and "old" not in loop.event_names()
    tracked = subprocess.run(["git", "status", "--porcelain"], cwd=loop.data, capture_output=True, text=True).stdout
    assert "events.jsonl" not in tracked, "the rotated logs are not tracked"
