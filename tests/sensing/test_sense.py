"""SENSE end to end: real bash sensors, every way a sensor can misbehave."""

from __future__ import annotations

import json

import pytest

from looop.core import schemas

BAD = {
    "nonjson": ("echo 'hello world'", "not JSON"),
    "array": ("echo '[1,2,3]'", "an array"),
    "two": ("echo '{\"a\":1}'; echo '{\"b\":2}'", "more than one JSON value"),
    "badutf8": ("printf '{\"a\":\"\\xff\\xfe\"}'", "invalid UTF-8"),
    "empty": ("true", "printed nothing"),
    "huge": ("head -c 10000000 /dev/zero | tr '\\0' a | sed 's/^/{\"a\":\"/; s/$/\"}/'", "over the 8192-byte cap"),
    "crash": ("echo '{\"ok\":1}'; echo boom >&2; exit 3", "exited with status 3"),
    "string": ("echo '\"just a string\"'", "a string"),
}


def _reading(loop, name):
    return json.loads((loop.data / "snapshots" / f"sensor-{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_readings_become_error_objects(loop, name):
    body, problem = BAD[name]
    loop.fake("journal")
    loop.seed()
    loop.sensor(name, body)
    loop.sensor("good", "echo '{\"signal\": {\"n\": 1}}'")
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    reading = _reading(loop, name)
    assert problem in reading["looop_error"]["problem"]
    assert reading["looop_error"]["sensor"] == name
    assert schemas.is_valid("reading", reading)
    assert _reading(loop, "good") == {"signal": {"n": 1}}
    assert f"sensor {name}: FAILED" in out.stdout
    # the AI sees the fault, not garbage
    assert f"--- sensor-{name}.json" in loop.prompt_copy.read_text()
    assert (loop.data / "snapshots" / f"sensor-{name}.json").stat().st_size < 2000


def test_stderr_is_kept_and_empty_stderr_removed(loop):
    loop.fake("journal")
    loop.seed()
    loop.sensor("noisy", "echo warning >&2; echo '{}'")
    loop.run("tick")
    snaps = loop.data / "snapshots"
    assert (snaps / "sensor-noisy.err").read_text().strip() == "warning"
    assert not (snaps / "sensor-today.err").exists()


def test_hanging_sensor_is_killed_with_its_group(loop):
    loop.fake("journal")
    loop.seed()
    marker = loop.root / "child-alive"
    loop.sensor("hang", f"(sleep 30; touch {marker}) & sleep 30")
    out = loop.run("tick", env={"LOOOP_SENSOR_TIMEOUT": "1"})
    assert out.returncode == 0
    assert "timed out after 1s" in _reading(loop, "hang")["looop_error"]["problem"]
    assert "timed out" in (loop.data / "snapshots" / "sensor-hang.err").read_text()
    # its background child was killed too (the whole process group)
    import subprocess

    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"touch {marker}" not in ps


def test_not_executable_sensor(loop):
    loop.fake("journal")
    loop.seed()
    loop.sensor("noexec", "echo '{}'", executable=False)
    loop.run("tick")
    assert "not executable" in _reading(loop, "noexec")["looop_error"]["problem"]


def test_size_cap_is_configurable(loop):
    loop.fake("journal")
    loop.seed()
    loop.sensor("big", "python3 -c 'print(\"{\\\"a\\\": \\\"\" + \"x\" * 20000 + \"\\\"}\")'")
    loop.run("tick", env={"LOOOP_SENSOR_MAX_BYTES": "0"})
    assert len(_reading(loop, "big")["a"]) == 20000


def test_sensors_run_concurrently(loop):
    loop.fake("journal")
    loop.seed()
    # each sensor waits (up to 10 s) until all 8 have started: only concurrent sensors all see the others
    here = loop.root / "started"
    here.mkdir()
    meet = (f"touch {here}/$1\n"
            f"for _ in $(seq 200); do [ $(ls {here} | wc -l) -ge 8 ] && break; sleep 0.05; done\n"
            f"echo \"{{\\\"met\\\": $(ls {here} | wc -l)}}\"")
    for i in range(8):
        loop.sensor(f"meet{i}", f"set -- {i}\n{meet}")
    out = loop.run("tick")
    assert out.returncode == 0
    assert [_reading(loop, f"meet{i}")["met"] for i in range(8)] == [8] * 8


def test_snapshots_are_wiped_every_beat(loop):
    loop.fake("journal")
    loop.seed()
    gone = loop.sensor("gone", "echo '{}'")
    loop.run("tick")
    assert (loop.data / "snapshots" / "sensor-gone.json").exists()
    gone.unlink()
    loop.run("tick")
    assert not (loop.data / "snapshots" / "sensor-gone.json").exists()


def test_sensors_get_the_loop_environment(loop):
    loop.fake("journal")
    loop.seed()
    loop.sensor("env", 'printf \'{"d":"%s","c":"%s","r":"%s","b":"%s"}\' "$LOOOP_DATA_DIR" "$CLAIMS_DIR" "$REPORTS_DIR" "$LOOOP_BIN"')
    loop.run("tick")
    got = _reading(loop, "env")
    assert got["d"] == str(loop.data)
    assert got["c"] == str(loop.data / "claims") and got["r"] == str(loop.data / "reports")
    assert got["b"].startswith("/")


# -- hardening: nothing a sensor prints or is named can break the beat --------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from looop.sensing.readings import check_reading  # noqa: E402


@given(st.lists(st.sampled_from(['[', '{"k":', '{"a":1,"b":']), min_size=65, max_size=3000),
       st.sampled_from(["1", '"x"', "[]", "{}", "null"]))
def test_deeply_nested_readings_are_refused_never_raised(opens, leaf):
    closes = "".join("]" if o == "[" else "}" for o in reversed(opens))
    text = "".join(opens) + leaf + closes
    if len(opens) % 2:
        text = '{"signal":' + text + "}"
    assert "nested" in check_reading(text.encode(), 0)


def test_a_reading_nested_a_thousand_levels_is_an_error_reading(loop):
    loop.fake("journal")
    loop.seed()
    loop.sensor("deep", "python3 -c 'print(\"{\\\"signal\\\":\" + \"[\" * 1000 + \"]\" * 1000 + \"}\")'")
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "nested" in _reading(loop, "deep")["looop_error"]["problem"]
    assert "Traceback" not in out.stderr and loop.calls() == 1


def test_the_cap_is_enforced_while_reading(loop):
    # Endless output with no timeout to save it: the sensor is stopped at the cap.
    loop.fake("journal")
    loop.seed()
    loop.sensor("endless", "printf '{\"a\":\"'; yes")
    out = loop.run("tick", env={"LOOOP_SENSOR_TIMEOUT": "600"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "over the 8192-byte cap" in _reading(loop, "endless")["looop_error"]["problem"]


def test_sensor_stderr_is_bounded(loop):
    loop.fake("journal")
    loop.seed()
    loop.sensor("chatty", "head -c 5000000 /dev/zero | tr '\\0' e >&2; echo '{\"signal\": 1}'")
    out = loop.run("tick")
    assert out.returncode == 0
    assert _reading(loop, "chatty") == {"signal": 1}
    err = loop.data / "snapshots" / "sensor-chatty.err"
    assert err.stat().st_size < 70000 and "stderr cut" in err.read_text()


@pytest.mark.parametrize("name, problem", [
    (b"caf\xe9-\xff", "not valid UTF-8"),
    (b"n" * 250, "250-byte name"),
])
def test_a_sensor_with_an_unusable_name_yields_an_error_reading(loop, name, problem):
    import os

    loop.fake("journal")
    loop.seed()
    loop.sensor("good", "echo '{\"signal\": 1}'")
    path = os.path.join(os.fsencode(loop.data / "sensors"), name + b".sh")
    with open(path, "wb") as fh:
        fh.write(b"#!/bin/sh\necho '{}'\n")
    os.chmod(path, 0o755)
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    assert loop.calls() == 1 and "Traceback" not in out.stderr
    [bad] = [p for p in (loop.data / "snapshots").glob("sensor-*.json") if p.name != "sensor-good.json"
             and p.name != "sensor-today.json"]
    assert problem in json.loads(bad.read_text())["looop_error"]["problem"]
    assert _reading(loop, "good") == {"signal": 1}
    assert "FAILED" in out.stdout


def test_a_dangling_symlink_sensor_yields_an_error_reading(loop):
    loop.fake("journal")
    loop.seed()
    (loop.data / "sensors" / "ghost.sh").symlink_to(loop.root / "nowhere.sh")
    out = loop.run("tick")
    assert out.returncode == 0
    assert "does not exist" in _reading(loop, "ghost")["looop_error"]["problem"]


def test_sigterm_while_sensing_stops_the_sensors_at_once(loop):
    import os
    import signal
    import subprocess

    from tests.fleet.kit import wait_for

    loop.fake("journal")
    loop.seed()
    pids = loop.root / "sensor-pids"
    for name in ("slow1", "slow2"):
        loop.sensor(name, f"echo $$ >> {pids}; sleep 300; echo '{{}}'")
    tick = loop.popen("tick", env={"LOOOP_SENSOR_TIMEOUT": "300"}, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: pids.exists() and len(pids.read_text().split()) == 2, what="both sensors to start")
        tick.send_signal(signal.SIGTERM)
        tick.wait(30)
    finally:
        if tick.poll() is None:
            tick.kill()
    for pid in map(int, pids.read_text().split()):
        try:
            os.kill(pid, 0)
            alive = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0] != "Z"
        except (ProcessLookupError, FileNotFoundError):
            alive = False
        assert not alive, f"sensor {pid} outlived the interrupted beat"


SIGNAL_IN_A_SENSOR_THREAD = r'''
import os, signal, sys, threading, time
from pathlib import Path
from looop.sensing.sense import sense

def stop(signum, frame):
    raise SystemExit(143)

signal.signal(signal.SIGTERM, stop)
sensors, out, pids = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])

def kick():  # once both sensors run, SIGTERM to a sensor's thread, as the kernel may choose
    while not (pids.exists() and len(pids.read_text().split()) == 2):
        time.sleep(0.01)
    thread = next(t for t in threading.enumerate() if t.name.startswith("sensor"))
    signal.pthread_kill(thread.ident, signal.SIGTERM)

threading.Thread(target=kick, daemon=True).start()
sense(sensors, out, dict(os.environ, LOOOP_SENSOR_TIMEOUT="300"), sensors)
'''


def test_a_sigterm_that_lands_in_a_sensors_thread_still_stops_the_beat_at_once(tmp_path):
    """The kernel may hand a process's SIGTERM to any thread; the beat still stops, and its sensors with it."""
    import os
    import subprocess
    import sys

    sensors, pids = tmp_path / "sensors", tmp_path / "pids"
    sensors.mkdir()
    for name in ("slow1", "slow2"):
        script = sensors / f"{name}.sh"
        script.write_text(f"#!/usr/bin/env bash\necho $$ >> {pids}; sleep 300; echo '{{}}'\n")
        script.chmod(0o755)
    done = subprocess.run([sys.executable, "-c", SIGNAL_IN_A_SENSOR_THREAD, str(sensors), str(tmp_path / "out"),
                           str(pids)], capture_output=True, text=True, timeout=20)
    assert done.returncode == 143, done.stderr
    for pid in map(int, pids.read_text().split()):
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0] == "Z"
