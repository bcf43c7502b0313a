"""`service install --serve` runs the web inbox beside the pulse, as its own unit."""

from __future__ import annotations

import os
import plistlib
from pathlib import Path

from looop.core.paths import Paths
from looop.setup import service


def test_the_serve_units_run_looop_serve_for_the_same_profile(tmp_path: Path):
    paths = Paths(data=tmp_path / "d", config=tmp_path / "c.json", is_default_profile=False)
    pulse = service.systemd_unit(paths, "/opt/looop", "/bin")
    web = service.serve_unit(pulse)
    assert web.name.startswith("looop-serve-") and web.name != pulse.name and web.path.parent == pulse.path.parent
    assert "ExecStart=/opt/looop serve" in web.text.splitlines()
    assert f'Environment="LOOOP_DATA_DIR={paths.data}"' in web.text
    agent = service.serve_unit(service.launchd_plist(paths, "/opt/looop", "/bin"))
    body = plistlib.loads(agent.text.encode())
    assert body["ProgramArguments"] == ["/opt/looop", "serve"] and body["Label"].endswith(".serve")
    assert agent.path.name == f"{body['Label']}.plist"


def test_install_serve_writes_a_second_unit_and_leaves_the_pulse_alone(loop):
    loop.fake("journal")
    env = {"PATH": os.environ["PATH"]}
    from tests.setup.test_service import _user_manager

    ok = 0 if _user_manager() else 1  # without a service manager, install writes the unit and says it is not running
    assert loop.run("service", "install", env=env).returncode == ok
    out = loop.run("service", "install", "--serve", env=env)
    assert out.returncode == ok, out.stderr
    units = sorted(p.name for p in (loop.root / "home" / ".config" / "systemd" / "user").glob("looop-*.service"))
    assert len(units) == 2 and any(u.startswith("looop-serve-") for u in units)
    assert loop.run("service", "uninstall", "--serve").returncode == 0
    assert len(list((loop.root / "home" / ".config" / "systemd" / "user").glob("looop-*.service"))) == 1
