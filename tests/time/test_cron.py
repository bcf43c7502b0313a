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


DOC = Path(__file__).resolve().parents[2] / "docs" / "cron.md"


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
    log = home / ".local" / "state" / "looop" / "cron.log"
    assert log.read_text() == ""  # --quiet: an unchanged beat says nothing, even to the log
    cron_tick(home, "fail")  # from now on the runner fails...
    (home / ".local" / "state" / "looop" / "goals" / "new.md").write_text("a new goal\n")  # ...and must run
    bad = subprocess.run(as_cron, cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert bad.stdout.startswith("looop: the beat failed (exit 1)")
    assert "tick FAILED" in log.read_text()  # the reason is kept
    config = home / ".config" / "looop.json"
    config.write_text('{"default": "fake"}')  # a broken config...
    broken = subprocess.run(as_cron, cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert broken.stdout.startswith("looop: the beat failed (exit 2)")  # ...is exit 2, as the doc says
    assert str(config) in log.read_text().splitlines()[-1]


def stock_account(home: Path) -> None:
    """A new Debian/Ubuntu account: /etc/skel's login files, looop in ~/.local/bin."""
    skel = Path("/etc/skel")
    for name in (".profile", ".bashrc"):
        if (skel / name).is_file():
            shutil.copy(skel / name, home / name)
    if not (home / ".profile").exists():  # the part of Debian's stock ~/.profile that matters here
        (home / ".profile").write_text('if [ -d "$HOME/.local/bin" ] ; then\n    PATH="$HOME/.local/bin:$PATH"\nfi\n')
    if not (home / ".bashrc").exists():
        (home / ".bashrc").write_text("case $- in\n    *i*) ;;\n      *) return;;\nesac\n")
    installed_at_home(home)


def documented_check(home: Path, tool: str) -> str:
    (line,) = [b for b in doc_blocks("sh") if "command -v" in b]
    line = line.strip().replace("claude", tool)
    done = subprocess.run(["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", "sh", "-c", line],
                          capture_output=True, text=True, timeout=30)
    return done.stdout.strip()


def test_a_runner_in_local_bin_is_found_from_cron_on_a_stock_account(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    stock_account(home)
    (home / ".local" / "bin" / "my-agent").symlink_to(FAKE_RUNNER)
    assert documented_check(home, "my-agent") == str(home / ".local" / "bin" / "my-agent")
    config = home / ".config" / "looop.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"default": "a", "runners": {"a": {"tick": "my-agent journal 'via ~/.profile'"}}}))
    done = subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", *looop_argv(), "tick"],
                          cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (home / ".local" / "state" / "looop" / "journal.md").read_text().rstrip().endswith("via ~/.profile")


def test_a_runner_set_up_in_bashrc_is_not_found_from_cron_as_the_doc_warns(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    stock_account(home)
    manager = home / ".nvm" / "bin"
    manager.mkdir(parents=True)
    (manager / "my-agent").symlink_to(FAKE_RUNNER)
    with (home / ".bashrc").open("a") as rc:  # where version managers put themselves
        rc.write(f'\nexport PATH="{manager}:$PATH"\n')
    assert documented_check(home, "my-agent") == ""
    config = home / ".config" / "looop.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"default": "a", "runners": {"a": {"tick": "my-agent journal"}}}))
    done = subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", *looop_argv(), "tick"],
                          cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "my-agent" in done.stderr  # named, not a silent "command not found"
    # the doc's fix: the tool's directory on a PATH line in the crontab
    fixed = subprocess.run(["env", "-i", f"PATH={manager}:/usr/bin:/bin", f"HOME={home}", *looop_argv(), "tick"],
                           cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


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


def test_the_documented_crontab_line_works_before_the_first_tick(tmp_path: Path):
    (line,) = doc_blocks("crontab")
    command = line.strip().split(None, 5)[5]
    home = tmp_path / "home"
    home.mkdir()
    installed_at_home(home)
    config = home / ".config" / "looop.json"
    config.parent.mkdir(parents=True)
    tick = " ".join(shlex.quote(w) for w in [str(FAKE_RUNNER), "journal", "first from cron"])
    config.write_text(json.dumps({"default": "fake", "moves": "agent", "runners": {"fake": {"tick": tick}}}))
    assert not (home / ".local" / "state").exists()
    as_cron = ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", "SHELL=/bin/sh", "/bin/sh", "-c", command]
    done = subprocess.run(as_cron, cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    data = home / ".local" / "state" / "looop"
    assert "first from cron" in (data / "journal.md").read_text()
    assert oct(data.stat().st_mode & 0o777) == "0o700"
