"""`looop service`: the unit files run this looop, for this profile, at login,
and restart it after a failure; systemd-analyze and plistlib accept them."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

from looop.core.paths import Paths
from looop.setup import service


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    data = tmp_path / "my data"
    data.mkdir()
    return Paths(data=data, config=tmp_path / "looop.json", is_default_profile=False)


@pytest.fixture
def looop_bin(tmp_path: Path) -> str:
    binary = tmp_path / "bin" / "looop"
    binary.parent.mkdir()
    binary.write_text("#!/bin/sh\nexit 0\n")
    binary.chmod(0o755)
    return str(binary)


def test_the_systemd_unit_runs_this_profile_at_login_and_restarts_on_failure(paths, looop_bin, tmp_path):
    unit = service.systemd_unit(paths, looop_bin, "/usr/bin:/bin")
    assert unit.name.startswith("looop-") and unit.name.endswith(".service")  # a profile gets its own unit
    lines = unit.text.splitlines()
    assert f"ExecStart={looop_bin}" in lines
    assert f'Environment="LOOOP_DATA_DIR={paths.data}"' in lines
    assert f'Environment="LOOOP_CONFIG={paths.config}"' in lines
    assert "Restart=on-failure" in lines and "WantedBy=default.target" in lines
    assert f"WorkingDirectory={paths.data}" in lines  # a path with a space, as systemd takes it
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    target = tmp_path / unit.name
    target.write_text(unit.text)
    out = subprocess.run(["systemd-analyze", "verify", str(target)], check=False, capture_output=True, text=True)
    complaints = [ln for ln in (out.stdout + out.stderr).splitlines() if unit.name in ln]
    assert out.returncode == 0 and complaints == [], out.stdout + out.stderr


def test_systemd_analyze_would_catch_a_broken_unit(paths, looop_bin, tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    unit = service.systemd_unit(paths, looop_bin, "/usr/bin")
    target = tmp_path / unit.name
    target.write_text(unit.text.replace("Type=simple", "Type=bogus"))
    out = subprocess.run(["systemd-analyze", "verify", str(target)], check=False, capture_output=True, text=True)
    assert unit.name in out.stdout + out.stderr


def test_the_launchd_agent_round_trips_through_plistlib(paths, looop_bin, tmp_path):
    unit = service.launchd_plist(paths, looop_bin, "/usr/bin:/bin")
    body = plistlib.loads(unit.text.encode())
    assert body["Label"] == unit.name and unit.path.name == f"{unit.name}.plist"
    assert body["ProgramArguments"] == [looop_bin]
    assert body["EnvironmentVariables"]["LOOOP_DATA_DIR"] == str(paths.data)
    assert body["EnvironmentVariables"]["LOOOP_CONFIG"] == str(paths.config)
    assert body["RunAtLoad"] is True and body["KeepAlive"] == {"SuccessfulExit": False}
    assert plistlib.dumps(body).decode() == unit.text
    assert unit.path.parent.name == "LaunchAgents"
    if shutil.which("plutil"):  # macOS
        target = tmp_path / unit.path.name
        target.write_text(unit.text)
        assert subprocess.run(["plutil", "-lint", str(target)], check=False, capture_output=True).returncode == 0


def test_the_default_profile_has_the_plain_names(tmp_path, looop_bin):
    paths = Paths(data=tmp_path, config=tmp_path / "c.json", is_default_profile=True)
    assert service.systemd_unit(paths, looop_bin, "/bin").name == "looop.service"
    assert service.launchd_plist(paths, looop_bin, "/bin").name == "dev.looop.pulse"


def test_install_status_uninstall_write_and_remove_the_unit(loop):
    loop.fake("journal")
    env = {"PATH": os.environ["PATH"]}
    out = loop.run("service", "install", env=env)
    units = list((loop.root / "home" / ".config" / "systemd" / "user").glob("looop-*.service"))
    assert len(units) == 1 and f"LOOOP_DATA_DIR={loop.data}" in units[0].read_text()
    assert f"wrote {units[0]}" in out.stdout
    if _user_manager():
        assert out.returncode == 0, out.stderr
        assert "linger" in out.stdout
    else:  # no service manager here: a clear failure, never a silent exit 0
        assert out.returncode == 1 and "the pulse is NOT running as a service" in out.stderr
        assert "looop up" in out.stderr and "Traceback" not in out.stderr
    assert "After=network-online.target" not in units[0].read_text(), "a user unit cannot wait for the network"
    assert units[0].name in loop.run("service", "status").stdout
    assert loop.run("service", "uninstall").returncode == 0 and not units[0].exists()
    assert "not installed" in loop.run("service", "status").stdout


def test_install_without_a_config_points_at_init(loop):
    out = loop.run("service", "install")
    assert out.returncode == 1 and "looop init" in out.stderr


def _user_manager() -> bool:
    if not shutil.which("systemctl"):
        return False
    out = subprocess.run(["systemctl", "--user", "is-system-running"], check=False, capture_output=True, text=True)
    return out.stdout.strip() in ("running", "degraded")


@pytest.mark.skipif(os.environ.get("LOOOP_TEST_SYSTEMD") != "1" or not _user_manager(),
                    reason="opt-in (LOOOP_TEST_SYSTEMD=1) and needs a systemd user manager")
def test_the_unit_really_runs_the_pulse(loop):
    """Installs into the real user manager (under this profile's own unit name)."""
    import time

    loop.fake("journal")
    env = {"HOME": os.environ["HOME"], "XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", ""),
           "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", ""), "PATH": os.environ["PATH"]}
    env = {k: v for k, v in env.items() if v}
    assert loop.run("service", "install", env=env).returncode == 0
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (loop.data / ".pulse.json").exists():
            time.sleep(0.2)
        assert "active" in loop.run("service", "status", env=env).stdout
        assert (loop.data / ".pulse.json").exists()
    finally:
        assert loop.run("service", "uninstall", env=env).returncode == 0
