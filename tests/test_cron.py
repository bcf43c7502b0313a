"""`looop tick` from cron: no TTY, a minimal PATH, no colour, just HOME.

Its exit status must say whether the beat failed, so cron (or a systemd
timer) can report it, and its output must be plain text for the mail.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import FAKE_RUNNER, looop_argv


def cron_tick(home: Path, *moves: str) -> subprocess.CompletedProcess[str]:
    config = home / ".config" / "looop.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    tick = " ".join(shlex.quote(w) for w in [str(FAKE_RUNNER), *moves])
    config.write_text(json.dumps({"default": "fake", "runners": {"fake": {"tick": tick}}}))
    return subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", *looop_argv(), "tick"],
                          cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_a_good_beat_exits_0_in_plain_text(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    done = cron_tick(home, "journal", "from cron")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\x1b[" not in done.stdout + done.stderr
    assert "decided in" in done.stdout
    journal = (home / ".local" / "state" / "looop" / "journal.md").read_text().splitlines()
    assert journal[-1].endswith("from cron")


def test_a_failed_beat_exits_1_and_says_where_to_look(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    done = cron_tick(home, "fail")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "\x1b[" not in done.stdout + done.stderr
    assert "FAILED" in done.stdout + done.stderr
    assert "runs/tick-" in done.stdout + done.stderr  # the replay path
    assert not (home / ".local" / "state" / "looop" / ".last-tick-hash").exists()


DOC = Path(__file__).resolve().parent.parent / "docs" / "cron.md"


def doc_blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(), re.S)


def installed_at_home(home: Path) -> None:
    """looop where the docs say it is: ~/.local/bin/looop."""
    bin_dir = home / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "looop").symlink_to(looop_argv()[0])


def test_the_documented_crontab_line_is_quiet_on_success_and_speaks_on_failure(tmp_path: Path):
    (line,) = doc_blocks("crontab")
    command = line.strip().split(None, 5)[5]  # what cron hands to /bin/sh
    home = tmp_path / "home"
    home.mkdir()
    installed_at_home(home)
    cron_tick(home, "journal", "seeded")  # writes the config; the doc says to run one tick by hand first
    as_cron = ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", "SHELL=/bin/sh", "/bin/sh", "-c", command]
    ok = subprocess.run(as_cron, cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")
    cron_tick(home, "fail")  # from now on the runner fails...
    (home / ".local" / "state" / "looop" / "goals" / "new.md").write_text("a new goal\n")  # ...and must run
    bad = subprocess.run(as_cron, cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert "looop: the beat failed" in bad.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_documented_systemd_units_verify(tmp_path: Path):
    service, timer = doc_blocks("ini")
    home = tmp_path / "home"
    home.mkdir()
    installed_at_home(home)
    units = tmp_path / "units"
    units.mkdir()
    (units / "looop-tick.service").write_text(service)
    (units / "looop-tick.timer").write_text(timer)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--user", str(units / "looop-tick.service"), str(units / "looop-tick.timer")],
        env={"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)},
        capture_output=True, text=True, timeout=60)
    if "Failed to initialize manager" in done.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert "OnCalendar=*:0/5" in timer and "ExecStart=%h/.local/bin/looop tick" in service
