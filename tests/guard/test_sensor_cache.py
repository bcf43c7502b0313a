"""Per-sensor cadence: `# looop:interval=N` runs a sensor at most every N seconds."""

from __future__ import annotations

import json

import pytest

from looop.sensing.sensor_cache import interval_of

COUNTING = """# looop:interval=3600
n=$(( $(cat ../runs-{name} 2>/dev/null || echo 0) + 1 )); echo $n > ../runs-{name}
echo "a warning on stderr" >&2
printf '{{"signal": {{"ok": true}}, "detail": {{"run": %s}}}}' "$n\""""


@pytest.mark.parametrize("head, seconds", [
    (b"#!/bin/sh\n# looop:interval=300\n", 300),
    (b"#!/bin/sh\n#looop:interval = 5m\n", 300),
    (b"#!/bin/sh\n# a\n# b\n# c\n# looop:interval=2h\n", 7200),
    (b"#!/bin/sh\n# a\n# b\n# c\n# d\n# looop:interval=300\n", None),  # past the header
    (b"#!/bin/sh\necho '# looop:interval=300'\n", None),
    (b"#!/bin/sh\n# looop:interval=0\n", None),
    (b"#!/bin/sh\n# looop:interval=soon\n", None),
])
def test_the_interval_is_read_from_the_header_only(head, seconds):
    assert interval_of(head) == seconds


def runs(loop, name: str) -> int:
    return int((loop.root / f"runs-{name}").read_text())


def snapshots(loop) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((loop.data / "snapshots").iterdir())}


def test_a_fresh_reading_is_reused_with_identical_snapshots(loop):
    loop.fake("journal")
    loop.sensor("slow", COUNTING.format(name="slow"))
    assert loop.run("tick").returncode == 0
    first = snapshots(loop)
    assert "sensor-slow.err" in first
    out = loop.run("tick")
    assert runs(loop, "slow") == 1, "not run again inside its interval"
    assert "(2 sensors, 1 reused)" in out.stdout
    assert snapshots(loop) == first
    assert loop.calls() == 1 and "world unchanged" in out.stdout


def test_an_expired_reading_runs_the_sensor_again(loop):
    loop.fake("journal")
    loop.sensor("slow", COUNTING.format(name="slow"))
    loop.run("tick")
    meta = loop.data / ".sensor-cache" / "slow.meta"
    state = json.loads(meta.read_text())
    state["at"] -= 3601
    meta.write_text(json.dumps(state))
    loop.run("tick")
    assert runs(loop, "slow") == 2
    assert json.loads((loop.data / "snapshots" / "sensor-slow.json").read_text())["detail"]["run"] == 2


def test_editing_the_sensor_runs_it_again(loop):
    loop.fake("journal")
    loop.sensor("slow", COUNTING.format(name="slow"))
    loop.run("tick")
    loop.sensor("slow", COUNTING.format(name="slow") + "\n# edited")
    loop.run("tick")
    assert runs(loop, "slow") == 2


def test_a_failed_reading_is_never_reused(loop):
    loop.fake("journal")
    loop.sensor("flaky", "# looop:interval=3600\necho x >> ../runs-flaky; exit 1")
    loop.run("tick")
    loop.run("tick")
    assert len((loop.root / "runs-flaky").read_text().split()) == 2
    assert not (loop.data / ".sensor-cache" / "flaky.meta").exists()


def test_sensors_without_an_interval_run_every_beat(loop):
    loop.fake("journal")
    loop.sensor("plain", COUNTING.format(name="plain").replace("# looop:interval=3600", "# every beat"))
    loop.run("tick")
    loop.run("tick")
    assert runs(loop, "plain") == 2


def test_a_removed_sensor_leaves_no_cached_reading(loop):
    loop.fake("journal")
    loop.sensor("slow", COUNTING.format(name="slow"))
    loop.run("tick")
    (loop.data / "sensors" / "slow.sh").unlink()
    loop.run("tick")
    assert not list((loop.data / ".sensor-cache").glob("*slow*"))
