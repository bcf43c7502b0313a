"""install.sh, the `curl -fsSL .../install.sh | bash` path.

The real script runs in a real bash against a real HTTP server on 127.0.0.1
serving a fake release (the real single-file executable, a corrupted one, or
none), in a temp HOME. Where it falls back to a package manager, pipx and nix
are stubs that record their call; pip is the real one, installing offline.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from looop import __version__
from tests.helpers import ROOT
from tests.shipping import Wheelhouse, run

INSTALL_SH = ROOT / "install.sh"
ASSET = subprocess.run([sys.executable, str(ROOT / "scripts" / "build-shiv"), "--print-asset"],
                       capture_output=True, text=True, check=True).stdout.strip()


@dataclass
class Server:
    root: Path
    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("releases")
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            requests.append(self.path)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Server(root=root, url=f"http://127.0.0.1:{httpd.server_address[1]}", requests=requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@dataclass
class Machine:
    """A temp HOME, a PATH of our choosing, and a release directory."""

    root: Path
    server: Server
    env: dict[str, str]

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def stubs(self) -> Path:
        return self.root / "stubs"

    @property
    def release(self) -> Path:
        return self.server.root / self.root.name

    @property
    def calls(self) -> list[str]:
        log = self.root / "calls"
        return log.read_text().splitlines() if log.exists() else []

    def stub(self, name: str, code: int = 0, body: str = "") -> None:
        """A package-manager stand-in that records how it was called."""
        script = self.stubs / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >> "{self.root / "calls"}"\n{body}\nexit {code}\n')
        script.chmod(0o755)

    def publish(self, data: bytes, checksum: bytes | None = None) -> None:
        import hashlib

        self.release.mkdir(exist_ok=True)
        (self.release / ASSET).write_bytes(data)
        digest = checksum if checksum is not None else hashlib.sha256(data).hexdigest().encode()
        (self.release / f"{ASSET}.sha256").write_bytes(digest + b"  " + ASSET.encode() + b"\n")

    def install(self, **env: str) -> subprocess.CompletedProcess[str]:
        return run(["bash", str(INSTALL_SH)], {**self.env, **env}, self.root, timeout=120)


def python_dir(where: Path) -> Path:
    """A directory whose python3 is a plain interpreter (not a venv: pip --user works)."""
    where.mkdir(exist_ok=True)
    (where / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    return where


@pytest.fixture
def machine(tmp_path: Path, server: Server) -> Machine:
    (tmp_path / "home").mkdir()
    (tmp_path / "stubs").mkdir()
    env = {
        "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path), "LANG": "C.UTF-8",
        "PATH": f"{tmp_path / 'stubs'}:{python_dir(tmp_path / 'py')}:/usr/bin:/bin",
        "LOOOP_RELEASE_URL": f"{server.url}/{tmp_path.name}",
        "PYTHONUSERBASE": str(tmp_path / "userbase"), "PIP_BREAK_SYSTEM_PACKAGES": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    return Machine(root=tmp_path, server=server, env=env)


def shiv_build_id(single_file: Path) -> str:
    with zipfile.ZipFile(single_file) as archive:
        return str(json.loads(archive.read("environment.json"))["build_id"])


def installed_version(binary: Path, machine: Machine, **env: str) -> str:
    return run([str(binary), "version"], {**machine.env, **env}, machine.root).stdout.strip()


def test_curl_pipe_bash_installs_the_verified_release(machine: Machine, zipapp: Path):
    machine.publish(zipapp.read_bytes())
    shutil.copy(INSTALL_SH, machine.release / "install.sh")
    machine.stub("pipx")
    url = f"{machine.env['LOOOP_RELEASE_URL']}/install.sh"
    done = run(["bash", "-c", f"curl -fsSL {url} | bash"], machine.env, machine.root, timeout=120)
    assert done.returncode == 0, done.stderr
    target = machine.home / ".local" / "bin" / "looop"
    assert installed_version(target, machine) == f"looop {__version__}"
    assert target.read_bytes() == zipapp.read_bytes()
    # the check that it starts unpacked it under the installed name: the installed looop's copy, the only one
    assert [p.name for p in (machine.home / ".shiv").iterdir() if p.is_dir()] == [f"looop_{shiv_build_id(zipapp)}"]
    assert f"{machine.home}/.local/bin is not on your PATH" in done.stderr
    assert machine.calls == []  # no fallback was needed


def test_install_dir_on_path_gets_no_path_warning(machine: Machine, zipapp: Path):
    machine.publish(zipapp.read_bytes())
    bin_dir = machine.root / "opt-bin"
    done = machine.install(LOOOP_INSTALL_DIR=str(bin_dir), PATH=f"{bin_dir}:{machine.env['PATH']}")
    assert done.returncode == 0, done.stderr
    assert installed_version(bin_dir / "looop", machine) == f"looop {__version__}"
    assert "not on your PATH" not in done.stderr
    assert not (machine.home / ".local" / "bin").exists()


def test_a_checksum_mismatch_aborts_and_installs_nothing(machine: Machine, zipapp: Path):
    corrupted = bytearray(zipapp.read_bytes())
    corrupted[len(corrupted) // 2] ^= 0xFF
    machine.publish(bytes(corrupted), checksum=__import__("hashlib").sha256(zipapp.read_bytes()).hexdigest().encode())
    machine.stub("pipx")
    done = machine.install()
    assert done.returncode == 1
    assert "checksum mismatch" in done.stderr and "Nothing was installed" in done.stderr
    assert not (machine.home / ".local" / "bin").exists()
    assert machine.calls == []  # a tampered download is no reason to try elsewhere
    assert not list(machine.root.glob("looop-install.*"))  # its temp dir is gone too


def test_no_release_file_falls_back_to_pipx(machine: Machine):
    machine.stub("pipx")
    machine.stub("nix")
    done = machine.install()
    assert done.returncode == 0, done.stderr
    assert f"no release file {ASSET}" in done.stderr
    assert machine.calls == ["pipx install --force git+https://github.com/looop-dev/looop.git"]


def test_a_chosen_version_is_what_the_fallback_installs(machine: Machine):
    machine.stub("pipx")
    done = machine.install(LOOOP_VERSION="v0.1.0")
    assert done.returncode == 0, done.stderr
    assert machine.calls == ["pipx install --force git+https://github.com/looop-dev/looop.git@v0.1.0"]


def test_without_pipx_it_falls_back_to_pip_user(machine: Machine, wheelhouse: Wheelhouse):
    machine.stub("nix")
    done = machine.install(LOOOP_PIP_SOURCE=str(wheelhouse.wheel), PIP_NO_INDEX="1",
                           PIP_FIND_LINKS=str(wheelhouse.dir))
    assert done.returncode == 0, done.stderr
    assert machine.calls == []
    assert installed_version(machine.root / "userbase" / "bin" / "looop", machine) == f"looop {__version__}"


def test_when_pipx_and_pip_fail_it_falls_back_to_nix(machine: Machine):
    machine.stub("pipx", code=1)
    machine.stub("nix")
    done = machine.install(LOOOP_PIP_SOURCE=str(machine.root / "no-such.whl"), PIP_NO_INDEX="1")
    assert done.returncode == 0, done.stderr
    assert machine.calls[0].startswith("pipx install")
    assert machine.calls[1:] == ["nix --extra-experimental-features nix-command flakes profile install "
                                 "github:looop-dev/looop"]
    assert "pip install --user failed" in done.stderr


def test_when_nothing_can_install_it_says_what_to_do(machine: Machine):
    machine.stub("pipx", code=1)
    machine.stub("nix", code=1)
    done = machine.install(LOOOP_PIP_SOURCE=str(machine.root / "no-such.whl"), PIP_NO_INDEX="1")
    assert done.returncode == 1
    assert [call.split()[0] for call in machine.calls] == ["pipx", "nix"]
    assert "could not install looop" in done.stderr and "pipx install" in done.stderr


def test_missing_python3_is_a_clear_error(machine: Machine):
    bare = machine.root / "bare-bin"
    bare.mkdir()
    for tool in set(os.listdir("/usr/bin")) | set(os.listdir("/bin")):
        if not tool.startswith("python") and not (bare / tool).exists():
            (bare / tool).symlink_to(Path("/usr/bin" if os.path.exists(f"/usr/bin/{tool}") else "/bin") / tool)
    done = machine.install(PATH=str(bare))
    assert done.returncode == 1
    assert "python3 was not found" in done.stderr and "3.11 or newer" in done.stderr
    assert [r for r in machine.server.requests if r.startswith(f"/{machine.root.name}/")] == []


def test_an_old_python3_is_a_clear_error(machine: Machine, zipapp: Path):
    machine.publish(zipapp.read_bytes())
    machine.stub("python3", body='case "$*" in *version_info*) echo 3.9;; esac')
    done = machine.install()
    assert done.returncode == 1
    assert "needs Python 3.11 or newer" in done.stderr and "is 3.9" in done.stderr
    assert not (machine.home / ".local" / "bin").exists()


PLATFORMS = {
    ("Linux", "x86_64"): "looop-linux-x86_64",
    ("Linux", "aarch64"): "looop-linux-arm64",
    ("Darwin", "arm64"): "looop-darwin-arm64",
    ("Darwin", "x86_64"): "looop-darwin-x86_64",
}


@pytest.mark.parametrize(("system", "machine_name"), sorted(PLATFORMS))
def test_it_asks_for_the_platforms_release_file(machine: Machine, system: str, machine_name: str):
    machine.stub("uname", body=f'case "$1" in -s) echo {system};; -m) echo {machine_name};; esac')
    machine.stub("pipx")
    before = len(machine.server.requests)
    done = machine.install()
    assert done.returncode == 0, done.stderr
    asked = [r.rsplit("/", 1)[-1] for r in machine.server.requests[before:]]
    assert asked == [PLATFORMS[system, machine_name]]


def test_a_download_failure_says_what_failed_not_no_release_file(machine: Machine):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    machine.stub("pipx")
    done = machine.install(LOOOP_RELEASE_URL=f"http://127.0.0.1:{port}/releases")
    assert done.returncode == 0, done.stderr
    assert f"could not download http://127.0.0.1:{port}/releases/{ASSET}:" in done.stderr
    assert "no release file" not in done.stderr
    assert machine.calls[0].startswith("pipx install")


def test_the_pipx_fallback_installs_into_looop_install_dir(machine: Machine):
    machine.stub("pipx", body=f'echo "bin dir $PIPX_BIN_DIR" >> "{machine.root / "calls"}"')
    target = machine.root / "opt-bin"
    done = machine.install(LOOOP_INSTALL_DIR=str(target))
    assert done.returncode == 0, done.stderr
    assert machine.calls[1] == f"bin dir {target}"


def test_on_a_pep_668_system_it_falls_back_to_a_venv_of_its_own(machine: Machine, wheelhouse: Wheelhouse):
    real = getattr(sys, "_base_executable", sys.executable)
    machine.stub("python3", body=(
        'case "$*" in *"pip install --user"*) echo "error: externally-managed-environment" >&2; exit 1;; esac\n'
        f'exec {real} "$@"'))
    machine.stub("nix")
    target = machine.root / "opt-bin"
    done = machine.install(LOOOP_PIP_SOURCE=str(wheelhouse.wheel), PIP_NO_INDEX="1",
                           PIP_FIND_LINKS=str(wheelhouse.dir), LOOOP_INSTALL_DIR=str(target))
    assert done.returncode == 0, done.stderr
    assert "managed by the system (PEP 668)" in done.stderr and "a venv of its own" in done.stderr
    assert [c for c in machine.calls if c.startswith("nix")] == []
    assert installed_version(target / "looop", machine) == f"looop {__version__}"
    assert (machine.home / ".local" / "share" / "looop" / "venv" / "bin" / "looop").exists()
