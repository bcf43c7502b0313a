"""`looop service install|uninstall|status`: run the pulse at login.

Linux: a systemd user unit, enabled and started through `systemctl --user`;
macOS: a launchd agent, loaded with `launchctl`. Where the service manager is
not reachable the file is still written and the line to enable it is printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.fsio import atomic_write
from looop.core.paths import Paths, resolve
from looop.setup import service as svc


def service(paths: Paths, action: str, serve: bool = False) -> int:
    from looop.core import selfbin

    unit = svc.unit_for(paths, selfbin.looop_bin(paths), os.environ.get("PATH", os.defpath))
    if serve:  # the web inbox, beside the pulse: its own unit, so either can stop alone
        unit = svc.serve_unit(unit)
    return {"install": install, "uninstall": uninstall, "status": status}[action](paths, unit)


def install(paths: Paths, unit: svc.Unit) -> int:
    from looop.setup.preflight import needs_runner
    from looop.setup.seed import make_data_dir

    needs_runner(paths)  # the one rule before `init`: write the config (asking on a terminal), check the CLI
    make_data_dir(paths)
    atomic_write(unit.path, unit.text)
    print(f"wrote {unit.path}")
    if unit.manager == "systemd":
        steps = [["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", unit.name]]
    else:
        steps = [["launchctl", "bootstrap", f"gui/{os.getuid()}", str(unit.path)]]
    problem = _run_all(steps)
    if problem:
        raise FatalError(f"service install: {unit.path} is written but the pulse is NOT running as a service: "
                         f"{problem}. Without a service manager, run the pulse with `looop up`; once one is "
                         f"reachable: {' '.join(steps[-1])}", ExitStatus.FAILED)
    print(f"{unit.name} enabled: the pulse runs at login and restarts after a failure "
          f"(profile {paths.data}); stop it for now with `looop down`")
    if unit.manager == "systemd":
        print(_lingering())
    return 0


def _lingering() -> str:
    """A systemd user unit runs only while its user is logged in, unless lingering is on."""
    user = os.environ.get("USER") or os.environ.get("LOGNAME") or ""
    linger = _ask(["loginctl", "show-user", user, "--property=Linger"]) if user else ""
    if linger.strip() == "Linger=yes":
        return "lingering is on: it keeps beating while you are logged out"
    return ("note: it stops when you log out; to keep it beating then: "
            f"loginctl enable-linger {user or '$USER'}")


def uninstall(paths: Paths, unit: svc.Unit) -> int:
    if unit.manager == "systemd":
        _run_all([["systemctl", "--user", "disable", "--now", unit.name]])
    else:
        _run_all([["launchctl", "bootout", f"gui/{os.getuid()}/{unit.name}"]])
    try:
        unit.path.unlink()
    except FileNotFoundError:
        print(f"no service installed for this profile ({unit.path} does not exist)")
        return 0
    if unit.manager == "systemd":
        _run_all([["systemctl", "--user", "daemon-reload"]])
    print(f"removed {unit.path}")
    return 0


def status(paths: Paths, unit: svc.Unit) -> int:
    if not unit.path.exists():
        print(f"not installed (would be {unit.path}; `looop service install` writes it)")
        return 0
    if unit.manager == "systemd":
        state = _ask(["systemctl", "--user", "is-active", unit.name]) or "unknown (no systemd user manager)"
        enabled = _ask(["systemctl", "--user", "is-enabled", unit.name]) or "unknown"
    else:
        out = _ask(["launchctl", "print", f"gui/{os.getuid()}/{unit.name}"])
        state = "loaded" if out else "not loaded"
        enabled = "at login (RunAtLoad)"
    current = unit.path.read_text(encoding="utf-8", errors="replace") == unit.text
    print(f"{unit.name}: {state}; enabled: {enabled}; file {unit.path}"
          + ("" if current else " (differs from this looop's: run `looop service install` again)"))
    return 0


def _run_all(steps: list[list[str]]) -> str:
    """Run each command; the first failure as one line ('' when all succeeded)."""
    for argv in steps:
        if not shutil.which(argv[0]):
            return f"{argv[0]} is not installed"
        try:
            out = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{' '.join(argv)}: {exc}"
        if out.returncode != 0:
            why = (out.stderr or out.stdout).strip().splitlines()
            return f"{' '.join(argv)} failed: {why[-1] if why else f'exit {out.returncode}'}"
    return ""


def _ask(argv: list[str]) -> str:
    if not shutil.which(argv[0]):
        return ""
    try:
        out = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 or out.stdout.strip() else ""


class Service(usage.Verb):
    serve = usage.flag("--serve", help="the web inbox (`looop serve`) as its own service, beside the pulse")

    def main(self, action: usage.one_of("install", "uninstall", "status") = "status") -> int:  # type: ignore[valid-type]
        return service(resolve(), action, serve=self.serve)
