"""Who may use the web inbox: one login token, session cookies and CSRF tokens derived from it.

The token (32 random bytes, an owner-only file) logs a browser in once; the
session cookie is an HMAC of the token, so rotating the token (`serve
--new-token`) ends every session at once, even in a running server. Each
state-changing request carries a CSRF token bound to its session.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path

COOKIE = "looop_session"
LOGIN_PER_MINUTE = 10


def ensure_token(path: Path, rotate: bool = False) -> str:
    """The token in `path`, made (owner-only) when missing or when rotating."""
    from looop.core.fsio import atomic_write, read_text

    if not rotate:
        found = (read_text(path, "", limit=256) or "").strip()
        if len(found) >= 43:
            return found
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    atomic_write(path, token + "\n", mode=0o600)
    return token


class Keys:
    """The current token (re-read when its file changes) and what is derived from it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[float, int] | None = None
        self._token = ""
        self._lock = threading.Lock()

    def token(self) -> str:
        from looop.core.fsio import read_text

        try:
            st = os.stat(self.path)
            stamp: tuple[float, int] | None = (st.st_mtime, st.st_ino)
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._seen:
                self._token = (read_text(self.path, "", limit=256) or "").strip() if stamp else ""
                self._seen = stamp
            return self._token

    def _mac(self, what: str) -> str:
        token = self.token()
        if not token:
            return ""
        return hmac.new(token.encode(), what.encode(), hashlib.sha256).hexdigest()

    def login_ok(self, given: str) -> bool:
        token = self.token()
        return bool(token) and hmac.compare_digest(given.encode(), token.encode())

    def new_session(self) -> str:
        sid = secrets.token_urlsafe(18)
        return f"{sid}.{self._mac('session:' + sid)}"

    def session_of(self, cookie: str | None) -> str | None:
        """The session id of a valid cookie, else None."""
        if not cookie or "." not in cookie:
            return None
        sid, _, mac = cookie.partition(".")
        want = self._mac("session:" + sid)
        return sid if want and hmac.compare_digest(mac.encode(), want.encode()) else None

    def csrf(self, sid: str) -> str:
        return self._mac("csrf:" + sid)

    def csrf_ok(self, sid: str, given: str | None) -> bool:
        want = self.csrf(sid)
        return bool(want and given) and hmac.compare_digest(str(given).encode(), want.encode())


class RateLimit:
    """At most `per_minute` attempts in any 60 s, per client address."""

    def __init__(self, per_minute: int = LOGIN_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, who: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 1024:  # forget quiet clients
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - 60}
            hits = self._seen.setdefault(who, deque())
            while hits and hits[0] <= now - 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            return True
