"""`looop screenshot`: what a session's terminal shows, from its log alone."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from looop.core import schemas
from tests.fleet.kit import fleet_root, start, use_fake_worker, wait_output, wait_state
from tests.helpers import FIXTURES

LOGS = FIXTURES / "logs"


def recorded(loop, name: str, log: str) -> Path:
    """A finished session whose log is a recording of a real program."""
    d = fleet_root(loop) / "sessions" / f"looop-{name}"
    d.mkdir(parents=True)
    shutil.copyfile(LOGS / log, d / "output.log")
    (d / "meta.json").write_text(json.dumps({"cols": 80, "rows": 24, "started_epoch": time.time() - 60}))
    (d / "status.json").write_text(json.dumps({"state": "exited", "exit_code": 0, "ended_at": time.time()}))
    return d


@pytest.mark.parametrize("name", ["progress", "less"])
def test_screenshot_matches_the_rendered_recording_byte_for_byte(loop, name):
    recorded(loop, "rec", f"{name}.log")
    out = loop.call("screenshot", "rec")
    assert out.returncode == 0, out.stderr
    assert out.stdout == (LOGS / f"{name}.screen.txt").read_text()
    ansi = loop.call("screenshot", "rec", "--ansi", env={"NO_COLOR": "1"})
    assert ansi.stdout == (LOGS / f"{name}.screen.ansi").read_text()


def test_screenshot_json_is_the_grid(loop):
    recorded(loop, "rec", "progress.log")
    out = loop.call("screenshot", "looop-rec", "--json")
    doc = json.loads(out.stdout)
    assert schemas.is_valid("screenshot", doc)
    assert (doc["cols"], doc["rows"], len(doc["lines"])) == (80, 24, 24)
    assert doc["lines"][4] == "done ünïcode ✓ 漢字"
    assert doc["cursor"] == [0, 5]


def test_screenshot_of_a_live_worker_and_after_it_ended(loop):
    use_fake_worker(loop)
    start(loop, "painter", "say", "\x1b[31mred\x1b[0m alert", "say", "second", "sleep", "30")
    wait_output(loop, "painter", "second")
    live = loop.call("screenshot", "painter")
    assert live.stdout.splitlines()[1:] == ["red alert", "second"]
    assert "\x1b" not in live.stdout
    assert "\x1b[31mred\x1b[0m alert" in loop.call("screenshot", "painter", "--ansi").stdout
    loop.run("kill", "painter", "--grace", "1")
    wait_state(loop, "painter", "killed", "exited")
    assert loop.call("screenshot", "painter").stdout.splitlines()[1:3] == ["red alert", "second"]


def test_screenshot_of_an_unknown_session_is_one_line(loop):
    out = loop.call("screenshot", "nope")
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "nope" in out.stderr and "Traceback" not in out.stderr


def test_watch_refuses_an_unknown_id_before_the_screen_opens(loop):
    out = loop.call("watch", "nope")
    assert out.returncode == 1
    assert "nope" in out.stderr and "\x1b[?1049h" not in out.stdout


def test_watch_without_a_terminal_says_so(loop):
    out = loop.call("watch")
    assert out.returncode == 1
    assert "terminal" in out.stderr and "screenshot" in out.stderr


def test_watch_since_takes_the_durations_schedules_take(loop):
    out = loop.call("watch", "--since", "a while")
    assert out.returncode == 2 and "--since 'a while': not a duration" in out.stderr
