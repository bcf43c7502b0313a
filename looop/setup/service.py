"""The pulse as a login service: a systemd user unit or a launchd agent.

The unit runs this very looop with the data dir and config of the profile it
was installed from, starts at login and restarts after a failure (a clean
stop, such as `looop down`, stays stopped). Pure text here; the verb installs.
"""

from __future__ import annotations

import hashlib
import plistlib
import sys
from dataclasses import dataclass
from pathlib import Path

from looop.core.paths import Paths, launch_agents_dir, systemd_user_dir

LABEL = "dev.looop.pulse"


@dataclass(frozen=True)
class Unit:
    manager: str  # systemd | launchd
    name: str  # looop.service / dev.looop.pulse (+ a profile suffix)
    path: Path
    text: str


def manager() -> str:
    return "launchd" if sys.platform == "darwin" else "systemd"


def suffix(paths: Paths) -> str:
    """'' for the default profile; another data dir gets its own unit."""
    return "" if paths.is_default_profile else "-" + hashlib.sha256(str(paths.data).encode()).hexdigest()[:8]


def environment(paths: Paths, path_var: str) -> dict[str, str]:
    return {"LOOOP_DATA_DIR": str(paths.data), "LOOOP_CONFIG": str(paths.config), "PATH": path_var}


def systemd_unit(paths: Paths, looop_bin: str, path_var: str) -> Unit:
    name = f"looop{suffix(paths)}.service"
    env = "".join(f'Environment="{k}={_systemd_escape(v)}"\n' for k, v in environment(paths, path_var).items())
    text = f"""[Unit]
Description=looop pulse for {paths.data}

[Service]
Type=simple
ExecStart={_systemd_quote(looop_bin)}
WorkingDirectory={str(paths.data).replace("%", "%%")}
{env}Restart=on-failure
RestartSec=10
KillMode=mixed
TimeoutStopSec=30

[Install]
WantedBy=default.target
"""
    return Unit("systemd", name, systemd_user_dir() / name, text)


def launchd_plist(paths: Paths, looop_bin: str, path_var: str) -> Unit:
    label = LABEL + suffix(paths).replace("-", ".")
    body = {
        "Label": label,
        "ProgramArguments": [looop_bin],
        "EnvironmentVariables": environment(paths, path_var),
        "WorkingDirectory": str(paths.data),
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 10,
        "StandardOutPath": str(paths.data / "pulse.log"),
        "StandardErrorPath": str(paths.data / "pulse.log"),
    }
    text = plistlib.dumps(body).decode()
    return Unit("launchd", label, launch_agents_dir() / f"{label}.plist", text)


def unit_for(paths: Paths, looop_bin: str, path_var: str, kind: str | None = None) -> Unit:
    kind = kind or manager()
    _one_line_paths(paths, looop_bin)
    return (launchd_plist if kind == "launchd" else systemd_unit)(paths, looop_bin, path_var)


def _one_line_paths(paths: Paths, looop_bin: str) -> None:
    """A unit is lines: a path holding a line break or another control would write
    lines of its own into it (an `ExecStartPre=`), so such a path is refused."""
    import re

    from looop.core.errors import ExitStatus, FatalError
    from looop.core.untrusted import terminal

    for what, value in (("data dir", str(paths.data)), ("config", str(paths.config)), ("looop", looop_bin)):
        if re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", value):
            raise FatalError(f"service install: the {what} path '{terminal(value)}' holds a line break or a "
                             "control character, which a unit file cannot carry; use a plain path", ExitStatus.FAILED)


def _systemd_quote(word: str) -> str:
    """One word for ExecStart= and friends: quoted when it holds a space."""
    escaped = _systemd_escape(word)
    return f'"{escaped}"' if any(c in word for c in " \t\"'") else escaped


def _systemd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")


def serve_unit(pulse: Unit) -> Unit:
    """`looop serve` as a second service beside the pulse's (`service install --serve`)."""
    if pulse.manager == "launchd":
        body = plistlib.loads(pulse.text.encode())
        label = f"{body['Label']}.serve"
        log = str(Path(body["StandardOutPath"]).with_name("serve.log"))
        body.update(Label=label, ProgramArguments=[*body["ProgramArguments"], "serve"], StandardOutPath=log,
                    StandardErrorPath=log)
        return Unit("launchd", label, pulse.path.with_name(f"{label}.plist"), plistlib.dumps(body).decode())
    name = pulse.name.replace("looop", "looop-serve", 1)
    lines = []
    for line in pulse.text.splitlines(keepends=True):
        if line.startswith("Description="):
            line = line.replace("looop pulse", "looop serve (the web inbox)", 1)
        elif line.startswith("ExecStart="):
            line = line.rstrip("\n") + " serve\n"
        lines.append(line)
    return Unit("systemd", name, pulse.path.with_name(name), "".join(lines))
