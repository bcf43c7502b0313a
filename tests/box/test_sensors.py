"""Sensors in the box (SPEC §19): a human's sensor sees the data dir read-only and
writes only its own cache dir (`LOOOP_CACHE`); one the decider wrote is boxed
like `run_shell` (it may also write `reports/`). Nothing a sensor starts outlives
its beat."""

from __future__ import annotations

import json
import shlex

from tests.box.kit import HOSTILE, hostile_env, needs_bwrap, results, running, unique_sleep

ATTACKS = ("playbook", "config", "answers", "git", "baseline", "bashrc", "etc", "usr", "serve-token", "bus", "daemon")


def _hostile_sensor(loop, name: str) -> None:
    """A sensor that tries every write, starts a daemon, and says how each went in its reading."""
    loop.sensor(name, f"""tried=$({shlex.quote(str(HOSTILE))} {' '.join(ATTACKS)} </dev/null 2>&1 | tr '\\n' ';')
echo seen >> "$LOOOP_CACHE/seen" && cached=yes || cached=no
printf '{{"signal": "steady", "detail": "%s cache:%s"}}\\n' "$tried" "$cached\"""")


def _detail(loop, name: str) -> str:
    return json.loads((loop.data / "snapshots" / f"sensor-{name}.json").read_text())["detail"]


@needs_bwrap
def test_a_hostile_human_sensor_writes_only_its_cache_and_leaves_nothing_running(loop):
    sleep = unique_sleep()
    loop.env.update(hostile_env(loop, sleep))
    loop.fake("decide", '{"move": "noop"}', sandbox="bwrap", moves="typed")
    loop.seed()
    _hostile_sensor(loop, "probe")
    playbook, config = (loop.data / "PLAYBOOK.md").read_bytes(), loop.config.read_bytes()
    beat = loop.run("tick")
    assert beat.returncode == 0, beat.stdout + beat.stderr
    detail = _detail(loop, "probe")
    found = results(detail.replace(";", "\n"))
    assert found == {a: "held" for a in ATTACKS if a != "daemon"}, detail
    assert "cache:yes" in detail
    assert (loop.data / ".sensor-cache" / "own" / "probe" / "seen").read_text() == "seen\n"
    assert (loop.data / "PLAYBOOK.md").read_bytes() == playbook
    assert loop.config.read_bytes() == config
    assert not (loop.root / "home" / ".bashrc").exists()
    assert running(sleep) == [], "a sensor's daemon outlived its beat"
    assert loop.run("sensor", "test", "probe").returncode == 0  # `sensor test` runs it in the same box
    assert (loop.data / ".sensor-cache" / "own" / "probe" / "seen").read_text() == "seen\nseen\n"


@needs_bwrap
def test_a_sensor_the_decider_wrote_may_write_reports_and_a_humans_may_not(loop):
    script = 'echo from-sensor > "$LOOOP_DATA_DIR/reports/$(basename "$0" .sh).txt" && s=wrote || s=refused\n' \
             'printf \'{"signal": "%s"}\\n\' "$s"'
    move = {"move": "write_sensor", "name": "ai", "script": script}
    loop.fake("decide", json.dumps(move), sandbox="bwrap", moves="typed")
    loop.seed()
    loop.sensor("human", script)
    beat = loop.run("tick")
    assert beat.returncode == 0, beat.stdout + beat.stderr
    assert (loop.data / ".ai-sensors").read_text() == "ai\n"
    loop.fake("decide", '{"move": "noop"}', sandbox="bwrap", moves="typed")
    assert loop.run("tick").returncode == 0
    signals = {n: json.loads((loop.data / "snapshots" / f"sensor-{n}.json").read_text())["signal"]
               for n in ("ai", "human")}
    assert signals == {"ai": "wrote", "human": "refused"}
    assert (loop.data / "reports" / "ai.txt").read_text() == "from-sensor\n"
    assert not (loop.data / "reports" / "human.txt").exists()
    # the human taking the sensor over (its own `sensor write`) boxes it as the human's
    out = loop.run("sensor", "write", "ai", "--force", "-", input=script)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (loop.data / ".ai-sensors").read_text() == ""


def test_with_the_box_off_a_sensor_still_gets_its_own_cache_dir(loop):
    loop.fake("decide", '{"move": "noop"}', sandbox="off", moves="typed")
    loop.sensor("c", 'echo x >> "$LOOOP_CACHE/n"; printf \'{"signal": "%s"}\\n\' "$(wc -l < "$LOOOP_CACHE/n")"')
    for _ in range(2):
        assert loop.run("tick").returncode == 0
    assert (loop.data / ".sensor-cache" / "own" / "c" / "n").read_text() == "x\nx\n"
