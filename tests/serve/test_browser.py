"""The web inbox in a real browser (the system Chromium): log in from the printed
link, answer a real worker's asks by button and by text, tell it, approve a
PLAYBOOK proposal; without the cookie or the CSRF token nothing happens."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.fleet import kit as fleet
from tests.mailbox import kit as mailbox
from tests.serve.kit import base, browser, served

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_answer_by_button_and_by_text_and_the_worker_prints_each(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "pr12", "mailbox-ask", "Merge PR 12 now?", "yes,no", "mailbox-ask", "Which branch?", "-",
                "hang")
    mailbox.wait_pending(loop)
    with served(loop) as (url, _), browser() as b:
        page = b.new_context(viewport={"width": 360, "height": 740}).new_page()
        page.goto(url)
        assert page.url.rstrip("/") == base(url)  # the token left the address bar
        page.get_by_text("Merge PR 12 now?").wait_for()
        # the README's picture is redrawn only when asked (LOOOP_DRAW_DOCS=1): a run leaves the checkout clean
        shot = DOCS / "web-inbox.png" if os.environ.get("LOOOP_DRAW_DOCS") == "1" else loop.root / "web-inbox.png"
        page.screenshot(path=str(shot), full_page=True)
        # usable on a phone: no sideways scroll, big enough buttons
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for box in [page.get_by_role("button", name=n).bounding_box() for n in ("yes", "no")]:
            assert box and box["height"] >= 44 and box["width"] >= 44
        page.get_by_role("button", name="yes").click()
        page.get_by_text("answered pr12-1").wait_for()
        fleet.wait_output(loop, "pr12", "received: yes")

        fleet.wait_for(lambda: any(a["id"] == "pr12-2" for a in mailbox.pending(loop)), what="the second ask")
        page.reload()
        page.get_by_text("Which branch?").wait_for()
        page.get_by_label("Answer pr12-2").fill("main, <b>please</b>")
        page.get_by_role("button", name="Answer").click()
        page.get_by_text("answered pr12-2").wait_for()
        fleet.wait_output(loop, "pr12", "received: main, <b>please</b>")
        answer = json.loads((loop.data / "answers" / "pr12-2.json").read_text())
        assert answer["by"] == "web"


def test_first_answer_wins_and_the_second_sees_who_answered(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "dep", "mailbox-ask", "Deploy?", "go,stop", "hang")
    mailbox.wait_pending(loop)
    with served(loop) as (url, _), browser() as b:
        page = b.new_context().new_page()
        page.goto(url)
        page.get_by_text("Deploy?").wait_for()
        out = loop.run("answer", "dep-1", "stop")  # the terminal is faster
        assert out.returncode == 0, out.stderr
        page.get_by_role("button", name="go").click()
        page.get_by_text("already answered by cli").wait_for()
        assert json.loads((loop.data / "answers" / "dep-1.json").read_text())["answer"] == "stop"


def test_tell_a_worker_and_approve_a_proposal(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "w1", "mailbox-ask", "Ready?", "-", "hang")
    mailbox.wait_pending(loop)
    (loop.data / "PLAYBOOK.proposed.md").write_text("# new rules\nbe brief\n")
    with served(loop) as (url, _), browser() as b:
        page = b.new_context().new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(url)
        page.get_by_label("Message").fill("use the staging db")
        page.get_by_role("button", name="Tell").click()
        page.get_by_text("told w1").wait_for()
        [tell] = list((loop.data / "tells").glob("w1-*.json"))
        assert json.loads(tell.read_text())["msg"] == "use the staging db"

        page.goto(base(url) + "/fleet")
        assert page.locator("#screen-w1").count() == 1, page.content()[-3000:]
        assert "fake worker w1" in page.locator("#screen-w1").inner_text()
        assert loop.run("answer", "w1-1", "go on").returncode == 0
        page.locator("#screen-w1").get_by_text("received: go on").wait_for(timeout=10_000)  # live, no reload
        assert blocked == []  # htmx runs under the CSP: nothing inline was needed

        page.get_by_role("link", name="Kill…").click()
        page.get_by_role("heading", name="Kill w1?").wait_for()
        assert fleet.status(loop, "w1")["state"] == "running"  # asking is not doing
        page.get_by_role("button", name="Kill w1").click()
        page.get_by_role("status").get_by_text("w1 killed").wait_for()
        assert fleet.status(loop, "w1")["state"] == "killed"

        page.goto(base(url) + "/playbook")
        page.get_by_text("+be brief").wait_for()
        page.get_by_role("button", name="Approve").click()
        page.get_by_text("approved").first.wait_for()
        assert (loop.data / "PLAYBOOK.md").read_text() == "# new rules\nbe brief\n"
        assert not (loop.data / "PLAYBOOK.proposed.md").exists()
        assert any("playbook approved (web)" in line for line in loop.journal())


def test_no_cookie_no_csrf_wrong_token_are_refused_and_change_nothing(loop):
    fleet.use_fake_worker(loop, "journal")
    loop.seed()
    fleet.start(loop, "x", "mailbox-ask", "Sure?", "yes,no", "hang")
    mailbox.wait_pending(loop)
    with served(loop) as (url, _), browser() as b:
        stranger = b.new_context().new_page()
        stranger.goto(base(url) + "/")
        stranger.get_by_role("heading", name="Log in").wait_for()
        assert "Sure?" not in stranger.content()
        wrong = stranger.goto(base(url) + "/login?t=" + "A" * 43)
        assert wrong is not None and wrong.status == 403
        stranger.get_by_text("not valid").wait_for()

        ctx = b.new_context()
        page = ctx.new_page()
        page.goto(url)
        page.get_by_text("Sure?").wait_for()
        forged = ctx.request.post(base(url) + "/asks/x-1/answer", form={"answer": "yes"})
        assert forged.status == 403
        forged = ctx.request.post(base(url) + "/api/asks/x-1/answer", data={"answer": "yes"},
                                  headers={"X-CSRF-Token": "nope"})
        assert forged.status == 403
        assert not (loop.data / "answers" / "x-1.json").exists()
        # the same call with the session's token works
        csrf = ctx.request.get(base(url) + "/api/session").json()["csrf"]
        done = ctx.request.post(base(url) + "/api/asks/x-1/answer", data={"answer": "no"},
                                headers={"X-CSRF-Token": csrf})
        assert done.status == 200 and done.json()["ok"]


def test_login_is_rate_limited_and_a_new_token_ends_sessions(loop):
    loop.seed()
    with served(loop) as (url, proc):
        codes = [get(base(url) + "/login?t=wrong")[0] for _ in range(12)]
        assert codes[:10] == [403] * 10 and codes[10:] == [429, 429]


def get(url: str, cookie: str = "") -> tuple[int, str]:
    """A plain GET straight to the server (no proxy from the environment)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Cookie": cookie})
    resp = conn.getresponse()
    return resp.status, resp.read().decode()
