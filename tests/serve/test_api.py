"""`/api/` answers JSON that matches its schema, and a hostile data dir (markup,
escapes, non-UTF-8 names, FIFOs, huge files) renders every page and every API
document without a crash, a hang or live markup."""

from __future__ import annotations

import http.client
import json
import os
from urllib.parse import urlsplit

from looop.core import schemas
from tests.fleet import kit as fleet
from tests.mailbox import kit as mailbox
from tests.serve.kit import served

PAGES = ["/", "/fleet", "/today", "/playbook", "/fleet/w1/screen"]
API = {"/api/inbox": "web-inbox", "/api/fleet": "web-fleet", "/api/today": "web-today",
       "/api/playbook": "web-playbook", "/api/fleet/w1/screen": "web-screen"}


class Client:
    def __init__(self, login_url: str) -> None:
        parts = urlsplit(login_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port
        status, headers, _ = self.request("GET", f"{parts.path}?{parts.query}")
        assert status == 303
        self.cookie = headers["set-cookie"].split(";", 1)[0]
        self.csrf = json.loads(self.request("GET", "/api/session")[2])["csrf"]

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
        sent = {"Cookie": getattr(self, "cookie", ""), **(headers or {})}
        data = None
        if body is not None:
            data, sent["Content-Type"] = json.dumps(body), "application/json"
        conn.request(method, path, body=data, headers=sent)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode()

    def post(self, path: str, body: dict, csrf: bool = True):
        return self.request("POST", path, body, {"X-CSRF-Token": self.csrf} if csrf else {})


def test_every_api_document_matches_its_schema_and_actions_go_through_the_verbs(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "w1", "mailbox-ask", "Ship it?", "yes,no", "hang")
    mailbox.wait_pending(loop)
    (loop.data / "attention.md").write_text("- [a1] 2026-12-03 09:00 renew the token\n")
    (loop.data / "PLAYBOOK.proposed.md").write_text("# rules\nnew line\n")
    with served(loop) as (url, _):
        c = Client(url)
        for path, name in API.items():
            status, headers, text = c.request("GET", path)
            assert status == 200, (path, text)
            assert headers["content-type"].startswith("application/json")
            doc = json.loads(text)
            assert schemas.problems(name, doc) == [], path
            if name == "web-today":
                assert schemas.problems("today", doc["digest"]) == []
        inbox = json.loads(c.request("GET", "/api/inbox")[2])
        assert [a["id"] for a in inbox["asks"]] == ["w1-1"] and inbox["attention"][0]["id"] == "a1"

        results = [c.post("/api/asks/w1-1/answer", {"answer": "yes"}), c.post("/api/asks/w1-1/answer", {"answer": "no"}),
                   c.post("/api/attention/a1/done", {}), c.post("/api/playbook/reject", {})]
        for _status, _, text in results:
            assert schemas.problems("web-result", json.loads(text)) == []
        assert [r[0] for r in results] == [200, 409, 200, 200]
        assert "already answered by web" in json.loads(results[1][2])["error"]
        fleet.wait_output(loop, "w1", "received: yes")
        assert (loop.data / "attention.md").read_text() == ""
        assert any("attention done a1 (web)" in line for line in loop.journal())
        assert not (loop.data / "PLAYBOOK.proposed.md").exists()

        status, _, text = c.post("/api/fleet/w1/kill", {}, csrf=False)
        assert status == 403 and fleet.status(loop, "w1")["state"] == "running"
        status, _, text = c.post("/api/fleet/w1/kill", {})
        assert status == 200, text
        assert fleet.status(loop, "w1")["state"] in ("killed", "exited")


def test_a_hostile_data_dir_renders_as_text_everywhere(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    evil = "<script>alert(1)</script>\x1b]0;pwned\x07\x1b[2J<img src=x onerror=alert(2)>"
    fleet.start(loop, "w1", "say", evil, "mailbox-ask", evil, "-", "hang")
    mailbox.wait_pending(loop)
    asks = loop.data / "asks"
    (asks / "h-1.json").write_text(json.dumps({"v": 1, "id": "h-1", "worker": "<b>x</b>", "prompt": evil,
                                               "options": [evil, "\udcff"], "ts": "2026-12-03T00:00:00Z"}))
    os.mkfifo(asks / "fifo-1.json")
    with open(os.path.join(os.fsencode(asks), b"bad-\xff.json"), "wb") as fh:
        fh.write(b'{"v": 1, "worker": "\xff\xfe", "prompt": "bytes \xff", "ts": "2026-12-03T00:00:00Z"}')
    (loop.data / "attention.md").write_text(f"- {evil}\n")
    os.mkfifo(loop.data / "PLAYBOOK.proposed.md")
    with open(loop.data / "journal.md", "a") as fh:
        fh.write(("- 2026-12-03 09:00 " + "x" * 200 + evil + "\n") * 100_000)  # ~30 MB
    (loop.data / "tells").mkdir(exist_ok=True)
    (loop.data / "tells" / "w1-1.json").write_text(json.dumps({"v": 1, "id": "w1-1", "worker": "w1", "msg": evil,
                                                              "ts": "2026-12-03T00:00:00Z"}))
    with served(loop) as (url, _):
        c = Client(url)
        for path in PAGES:
            status, headers, text = c.request("GET", path)
            assert status == 200, (path, text[-500:])
            assert "<script>alert" not in text and "<img src=x" not in text and "<b>x</b>" not in text, path
            assert "\x1b" not in text and "\x07" not in text, path
            assert text.count("<script") == 1, path  # only the vendored htmx
            assert "default-src 'none'" in headers["content-security-policy"]
            assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in c.request("GET", "/")[2]
        for path in API:
            status, _, text = c.request("GET", path)
            assert status == 200, (path, text[-500:])
            assert "\x1b" not in json.loads(text).__repr__()


def test_a_new_token_ends_every_session_and_the_old_link(loop):
    loop.seed()
    with served(loop) as (url, _):
        c = Client(url)
        assert c.request("GET", "/api/inbox")[0] == 200
        token_file = next((loop.root / "home").rglob("looop-serve/*/token"))
        assert token_file.stat().st_mode & 0o077 == 0  # owner-only
        rotated = loop.run("serve", "--new-token", "--host", "0.0.0.0")  # a public host without TLS is refused
        assert rotated.returncode == 2 and "--insecure-http" in rotated.stderr
        from looop.serve import auth

        auth.ensure_token(token_file, rotate=True)
        assert c.request("GET", "/api/inbox")[0] == 401
        assert c.request("GET", urlsplit(url).path + "?" + urlsplit(url).query)[0] == 403
