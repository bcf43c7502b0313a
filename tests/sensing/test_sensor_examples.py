"""The starter catalog: `init` installs sensors/examples/, and each example, copied into
sensors/, gives a valid reading from recorded inputs (a fake `gh` and `df` replaying recorded
output, a real git repository, loopback HTTP servers, a real directory)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from looop.core import schemas
from tests.helpers import FIXTURES

RECORDED = FIXTURES / "sensors"
EXAMPLES = ("calendar-next", "disk-space", "git-repo", "github-prs", "http-health", "new-files")


@pytest.fixture
def catalog(loop):
    out = loop.run("init", "--runner", "pi")
    assert out.returncode == 0, out.stderr
    assert "example sensors (not running yet)" in out.stdout
    return loop


def reading(loop, name: str, env: dict[str, str] | None = None) -> dict:
    shutil.copy(loop.data / "sensors" / "examples" / f"{name}.sh", loop.data / "sensors" / f"{name}.sh")
    out = loop.run("sensor", "test", name, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads(out.stdout.splitlines()[0])
    assert schemas.problems("reading", data) == []
    return data


def with_fakes(loop) -> dict[str, str]:
    return {"PATH": f"{RECORDED / 'bin'}:{loop.env['PATH']}"}


def test_init_installs_the_catalog_and_none_of_it_runs(catalog):
    examples = catalog.data / "sensors" / "examples"
    assert sorted(p.stem for p in examples.glob("*.sh")) == sorted(EXAMPLES)
    assert (examples / "README.md").is_file()
    assert all(os.access(p, os.X_OK) for p in examples.glob("*.sh"))
    listed = json.loads(catalog.call("sensor", "list", "--json").stdout)
    assert [r["name"] for r in listed] == [], "examples are not sensors until copied up a level"
    (examples / "disk-space.sh").write_text("#!/bin/sh\necho mine\n")
    assert catalog.run("init", "--runner", "pi", "--force").returncode == 0
    assert (examples / "disk-space.sh").read_text() == "#!/bin/sh\necho mine\n", "an edited example is kept"


def test_github_prs_from_recorded_gh_output(catalog):
    data = reading(catalog, "github-prs", with_fakes(catalog))
    assert data["signal"]["review_requested"] == ["acme/api#412", "acme/web#77"]
    assert data["signal"]["my_ci"] == {"acme/api#415": "none"}
    one_repo = reading(catalog, "github-prs", {**with_fakes(catalog), "GH_REPOS": "acme/api"})
    assert one_repo["signal"] == {"review_requested": ["acme/api#412"],
                                  "my_ci": {"acme/api#415": "fail", "acme/api#416": "pending", "acme/api#417": "pass"}}
    assert one_repo["detail"]["titles"]["acme/api#415"] == "Fix flaky test"


def test_github_prs_without_gh_fails_saying_so(catalog):
    shutil.copy(catalog.data / "sensors" / "examples" / "github-prs.sh", catalog.data / "sensors")
    out = catalog.run("sensor", "test", "github-prs", env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 1 and "gh is not installed" in out.stdout


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_git_repo_sees_dirty_and_unpushed(catalog, tmp_path):
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    _git(tmp_path, "clone", "-q", str(origin), str(work))
    (work / "a").write_text("1\n")
    _git(work, "add", "a")
    _git(work, "commit", "-qm", "one")
    _git(work, "push", "-q", "origin", "HEAD:main")
    _git(work, "branch", "-q", "--set-upstream-to=origin/main")
    clean = reading(catalog, "git-repo", {"GIT_REPOS": str(work)})
    assert clean["signal"][str(work)] == {"branch": "main", "dirty": False, "unpushed": 0, "behind": 0}
    (work / "a").write_text("2\n")
    _git(work, "commit", "-qam", "two")
    (work / "b").write_text("new\n")
    busy = reading(catalog, "git-repo", {"GIT_REPOS": f"{work} {tmp_path / 'nowhere'}"})
    assert busy["signal"][str(work)] == {"branch": "main", "dirty": True, "unpushed": 1, "behind": 0}
    assert "error" in busy["signal"][str(tmp_path / "nowhere")]


def test_disk_space_from_recorded_df(catalog):
    data = reading(catalog, "disk-space", with_fakes(catalog))
    assert data["signal"] == {"/": "low", "/home/me": "ok"}
    assert data["detail"]["/"]["free_pct"] == 5.0
    relaxed = reading(catalog, "disk-space", {**with_fakes(catalog), "DISK_MIN_FREE_PCT": "4"})
    assert relaxed["signal"] == {"/": "ok", "/home/me": "ok"}


class Server:
    """A loopback HTTP server: path → (status, body)."""

    def __init__(self, routes: dict[str, tuple[int, bytes]]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = routes.get(self.path, (404, b"no"))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_http_health_against_a_loopback_server(catalog):
    server = Server({"/health": (200, b"ok"), "/broken": (503, b"down")})
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    dead = f"http://127.0.0.1:{closed.server_address[1]}/"
    closed.server_close()
    try:
        urls = f"{server.url}/health {server.url}/broken {dead}"
        data = reading(catalog, "http-health", {"HEALTH_URLS": urls, "HEALTH_TIMEOUT": "5"})
    finally:
        server.close()
    assert data["signal"] == {f"{server.url}/health": "up", f"{server.url}/broken": "down", dead: "down"}
    assert data["detail"][f"{server.url}/broken"]["status"] == 503


def test_calendar_next_event_from_a_loopback_ics(catalog):
    server = Server({"/cal.ics": (200, (RECORDED / "calendar.ics").read_bytes())})
    try:
        far = reading(catalog, "calendar-next", {"ICS_URL": f"{server.url}/cal.ics"})
        near = reading(catalog, "calendar-next", {"ICS_URL": f"{server.url}/cal.ics", "ICS_LOOKAHEAD_H": "1000000"})
    finally:
        server.close()
    assert far["signal"] == {"next": None}, "beyond the lookahead nothing wakes the loop"
    assert far["detail"]["next_any"]["start"] == "2098-11-05T14:30:00+00:00" and far["detail"]["events"] == 4
    assert near["signal"]["next"] == {"start": "2098-11-05T14:30:00+00:00",
                                      "summary": "Design review, room 4 with a very long title that the server folded"}


def test_new_files_in_a_directory(catalog, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "invoice.pdf").write_text("x")
    (inbox / "old notes.txt").write_text("x")
    os.utime(inbox / "old notes.txt", (1_600_000_000, 1_600_000_000))
    (inbox / "sub").mkdir()
    data = reading(catalog, "new-files", {"NEW_FILES_DIR": str(inbox)})
    assert data["signal"] == {"new": ["invoice.pdf"], "count": 1}
