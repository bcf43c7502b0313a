"""Helpers for the mailbox tests: asks on disk, a local webhook, a notify_command recorder."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.fleet import kit as fleet_kit
from tests.helpers import Loop


def pending(loop: Loop) -> list[dict[str, Any]]:
    out = loop.run("asks", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def wait_pending(loop: Loop, count: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
    def enough() -> list[dict[str, Any]] | None:
        found = pending(loop)
        return found if len(found) >= count else None

    return fleet_kit.wait_for(enough, timeout, f"{count} pending ask(s)")


def files(loop: Loop, directory: str) -> list[str]:
    d = loop.data / directory
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


class Hook:
    """A local HTTP server that records what apprise's json:// posts to it."""

    def __init__(self, delay: float = 0.0, port: int = 0) -> None:
        self.posts: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if delay:
                    import time

                    time.sleep(delay)
                hook.posts.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def recorder(tmp: Path) -> tuple[str, Path]:
    """A notify_command that appends each JSON object it gets on stdin to a file."""
    out = tmp / "notified.jsonl"
    script = tmp / "record.sh"
    script.write_text(f"#!/bin/sh\ncat >> {out}\n")
    script.chmod(0o755)
    return str(script), out


def recorded(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]
    except FileNotFoundError:
        return []
