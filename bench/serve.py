"""The web inbox: server time of the inbox page with 1,000 asks and a month of
journal; `today` against `status` on that month; `serve` idle RSS and CPU."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import Profile, Row, looop_argv, timed  # noqa: E402

MINUTES = 30 * 24 * 60  # a month of beats, one a minute


def _month(p: Profile, asks: int) -> None:
    p.data.mkdir(parents=True, exist_ok=True)
    assert p.run("tick").returncode == 0
    start = time.time() - 30 * 86400
    with open(p.data / "journal.md", "a") as fh:
        for i in range(MINUTES // 10):  # a decision every ten minutes
            fh.write(time.strftime("- %Y-%m-%d %H:%M ", time.localtime(start + i * 600)) + f"decided move {i}\n")
    with open(p.data / "events.jsonl", "a") as fh:
        for i in range(MINUTES):
            ts = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(start + i * 60))
            fh.write(json.dumps({"ts": ts, "event": "world_unchanged", "hash": "ab" * 16}) + "\n")
    (p.data / "asks").mkdir(exist_ok=True)
    (p.data / "answers").mkdir(exist_ok=True)
    for i in range(asks):
        record = {"v": 1, "id": f"w{i % 20}-{i}", "worker": f"w{i % 20}", "prompt": f"question {i}?",
                  "options": ["yes", "no"], "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i * 2000))}
        (p.data / "asks" / f"{record['id']}.json").write_text(json.dumps(record))
        if i % 2:
            (p.data / "answers" / f"{record['id']}.json").write_text(json.dumps({"v": 1, "answer": "yes",
                                                                                "ts": record["ts"]}))


def _inbox_ms(p: Profile, runs: int) -> float:
    """Median milliseconds the app takes for GET / (in process: server time, not the network)."""
    code = f"""
import time, statistics, asyncio
from pathlib import Path
from looop.core.paths import resolve
from looop.serve import app, auth
paths = resolve()
tok = Path({str(p.root)!r}) / "token"
auth.ensure_token(tok)
keys = auth.Keys(tok)
asgi = app.create(paths, tok)
cookie = ("looop_session=" + keys.new_session()).encode()
async def one():
    sent = []
    async def receive(): return {{"type": "http.request", "body": b"", "more_body": False}}
    async def send(m): sent.append(m)
    scope = {{"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "query_string": b"",
             "headers": [(b"cookie", cookie), (b"host", b"127.0.0.1")], "scheme": "http", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1), "root_path": "", "http_version": "1.1"}}
    await asgi(scope, receive, send)
    assert sent[0]["status"] == 200, sent[0]
samples = []
for _ in range({runs + 2}):
    t = time.perf_counter(); asyncio.run(one()); samples.append(time.perf_counter() - t)
print(statistics.median(samples[2:]) * 1000)
"""
    out = subprocess.run([sys.executable, "-c", code], env=p.env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return float(out.stdout.strip())


def _idle(p: Profile, seconds: float = 10.0) -> tuple[float, float]:
    """(RSS MiB, CPU seconds used while idle for `seconds`) of a running `looop serve`."""
    proc = subprocess.Popen([*looop_argv(), "serve", "--port", "0", "--token-file", str(p.root / "token")],
                            env=p.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        while "Ctrl-C stops it" not in (proc.stdout.readline() or "Ctrl-C stops it"):
            pass
        time.sleep(1.0)  # settled after start-up

        def cpu() -> float:
            fields = open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        before = cpu()
        time.sleep(seconds)
        used = cpu() - before
        rss = next(int(re.findall(r"\d+", ln)[0]) for ln in open(f"/proc/{proc.pid}/status") if ln.startswith("VmRSS"))
        return rss / 1024, used
    finally:
        proc.terminate()
        proc.wait(10)


def rows(runs: int = 15) -> list[Row]:
    p = Profile()
    try:
        _month(p, 1000)
        inbox = _inbox_ms(p, runs)
        today = timed([*looop_argv(), "today"], p.env, runs=max(3, runs // 3))
        status = timed([*looop_argv(), "status"], p.env, runs=max(3, runs // 3))
        rss, cpu = _idle(p)
    finally:
        p.cleanup()
    return [
        ("serve: inbox page, 1,000 asks + a month of journal (server time, ms)", inbox, "ms", "target", 50.0),
        ("today on a month of history", today, "s", "status on the same", status),
        ("serve idle RSS", rss, "MB", "target", 60.0),
        ("serve idle CPU over 10 s (s)", cpu, "s", "", 0),
    ]


if __name__ == "__main__":
    from common import table

    table(rows(5))
