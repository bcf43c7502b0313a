"""The web inbox's routes: pages (HTML, forms that work without JavaScript) and `/api/` (JSON).

Every route but the login and the static files needs the session cookie;
every POST also needs the CSRF token of that session (403 and nothing
changes without it). Work that reads or writes files runs in a thread, so a
slow kill or a big listing never stalls other requests.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from looop.core.errors import FatalError
from looop.core.paths import Paths
from looop.serve import actions, data
from looop.serve.auth import COOKIE, Keys, RateLimit

HERE = Path(__file__).parent
BODY_MAX = 128 << 10  # a form or an API call: an answer's cap plus room
FLASH = "looop_flash"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"no-referrer"), (b"x-content-type-options", b"nosniff"),
           (b"cache-control", b"no-store")]

Handler = Callable[[Request], Awaitable[Response]]


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` is outside text: printable and valid Unicode before autoescape."""
    if isinstance(value, Markup):  # a macro's output, escaped already
        return value
    return data.clean(value) if isinstance(value, str) else value


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      finalize=_finalize, trim_blocks=True, lstrip_blocks=True)
    return env


class Secure:
    """ASGI wrapper: the security headers on every response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + HEADERS
            await send(message)

        await self.app(scope, receive, sending)


def create(paths: Paths, token_file: Path, *, secure_cookie: bool = False) -> Any:
    keys = Keys(token_file)
    limit = RateLimit()
    env = templates()

    def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        sid = keys.session_of(request.cookies.get(COOKIE))
        flash = request.cookies.get(FLASH)
        said = None
        if flash and ":" in unquote(flash):
            kind, _, text = unquote(flash).partition(":")
            said = {"kind": "error" if kind == "error" else "ok", "text": text[:300]}
        html = env.get_template(name).render(csrf=keys.csrf(sid) if sid else "", said=said, nav=name, **values)
        response = HTMLResponse(html, status_code=status)
        if flash:
            response.delete_cookie(FLASH, path="/")
        return response

    def back(to: str, kind: str, text: str) -> RedirectResponse:
        response = RedirectResponse(to, status_code=303)
        response.set_cookie(FLASH, quote(f"{kind}:{data.clean(text)[:300]}"), httponly=True, samesite="strict",
                            secure=secure_cookie, path="/", max_age=60)
        return response

    def login_page(request: Request, status: int = 401, why: str = "") -> HTMLResponse:
        return HTMLResponse(env.get_template("login.html").render(why=why, csrf="", nav="login", said=None),
                            status_code=status)

    def client(request: Request) -> str:
        return request.client.host if request.client else "?"

    async def body(request: Request) -> dict[str, str] | None:
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > BODY_MAX:
                return None
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                value = json.loads(raw or b"{}")
            except ValueError:
                return {}
            return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
        parsed = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def authed(api: bool, post: bool, work: Callable[..., Any], *, to: str | None = None) -> Handler:
        """A route: the session checked, then (POST) the CSRF token, then `work` in a thread."""

        async def handler(request: Request) -> Response:
            sid = keys.session_of(request.cookies.get(COOKIE))
            if sid is None:
                if api:
                    return JSONResponse({"ok": False, "error": "not logged in: open the login link `looop serve` "
                                                              "printed"}, status_code=401)
                return login_page(request)
            form: dict[str, str] = {}
            if post:
                got = await body(request)
                if got is None:
                    return _refuse(api, 413, "request too large")
                form = got
                if not keys.csrf_ok(sid, form.get("csrf") or request.headers.get("x-csrf-token")):
                    return _refuse(api, 403, "forbidden: the CSRF token is missing or wrong; nothing was changed")
            args = dict(request.path_params)
            try:
                result = await run_in_threadpool(work, form, **args)
            except FatalError as exc:
                if api:
                    return JSONResponse({"ok": False, "error": data.clean(str(exc))}, status_code=409)
                return back(to or request.url.path, "error", str(exc))
            if api:
                if post:
                    return JSONResponse({"ok": True, "message": data.clean(result)})
                return JSONResponse(result)
            if post:
                return back(to or "/", "ok", str(result))
            name, values = result
            if isinstance(name, Response):
                return name
            return page(request, name, **values)

        return handler

    def _refuse(api: bool, status: int, why: str) -> Response:
        if api:
            return JSONResponse({"ok": False, "error": why}, status_code=status)
        return HTMLResponse(env.get_template("refused.html").render(why=why, csrf="", nav="", said=None),
                            status_code=status)

    # -- login --------------------------------------------------------------------------
    async def login(request: Request) -> Response:
        if request.method == "POST":
            got = await body(request) or {}
            given = got.get("t", "")
        else:
            given = request.query_params.get("t", "")
            if not given:
                return login_page(request, 200)
        if not limit.allow(client(request)):
            return login_page(request, 429, "too many login attempts: wait a minute")
        if not keys.login_ok(given.strip()):
            return login_page(request, 403, "that login token is not valid (`looop serve` prints the current link)")
        response = RedirectResponse("/", status_code=303)  # the token leaves the address bar and the history
        response.set_cookie(COOKIE, keys.new_session(), httponly=True, samesite="strict", secure=secure_cookie,
                            path="/", max_age=30 * 86400)
        return response

    async def logout(request: Request) -> Response:
        sid = keys.session_of(request.cookies.get(COOKIE))
        got = await body(request) or {}
        if sid is None or not keys.csrf_ok(sid, got.get("csrf")):
            return _refuse(False, 403, "forbidden: the CSRF token is missing or wrong")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- the work of each route (in a thread) ------------------------------------------------
    def w_inbox(form: dict[str, str]) -> Any:
        return "inbox.html", {"d": data.inbox(paths)}

    def w_fleet(form: dict[str, str]) -> Any:
        d = data.fleet_page(paths, with_screens=True)
        return "fleet.html", {"d": d}

    def w_screen(form: dict[str, str], id: str) -> Any:
        return "screen.html", {"s": data.screen(paths, id)}

    def w_kill_confirm(form: dict[str, str], id: str) -> Any:
        from looop.fleet import sessions

        return "kill.html", {"id": sessions.find(paths.fleet_root, id).name}

    def w_today(form: dict[str, str]) -> Any:
        return "today.html", {"d": data.today_page(paths)}

    def w_playbook(form: dict[str, str]) -> Any:
        return "playbook.html", {"d": data.playbook_page(paths)}

    def a_answer(form: dict[str, str], id: str) -> str:
        return actions.answer(paths, id, form.get("answer", ""))

    def a_tell(form: dict[str, str], id: str = "") -> str:
        return actions.tell(paths, id or form.get("worker", ""), form.get("msg", ""))

    def a_kill(form: dict[str, str], id: str) -> str:
        return actions.kill(paths, id)

    def a_done(form: dict[str, str], id: str) -> str:
        return actions.attention_done(paths, id)

    def a_verdict(form: dict[str, str], verdict: str) -> str:
        return actions.playbook(paths, verdict)

    async def session_info(request: Request) -> Response:
        sid = keys.session_of(request.cookies.get(COOKIE))
        if sid is None:
            return JSONResponse({"ok": False, "error": "not logged in"}, status_code=401)
        return JSONResponse({"ok": True, "csrf": keys.csrf(sid)})

    async def term_css(request: Request) -> Response:
        return Response(TERM_CSS, media_type="text/css")

    routes = [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", authed(False, False, w_inbox)),
        Route("/asks/{id}/answer", authed(False, True, a_answer, to="/"), methods=["POST"]),
        Route("/tell", authed(False, True, a_tell, to="/"), methods=["POST"]),
        Route("/attention/{id}/done", authed(False, True, a_done, to="/"), methods=["POST"]),
        Route("/fleet", authed(False, False, w_fleet)),
        Route("/fleet/{id}/screen", authed(False, False, w_screen, to="/fleet")),
        Route("/fleet/{id}/kill", authed(False, False, w_kill_confirm, to="/fleet"), methods=["GET"]),
        Route("/fleet/{id}/kill", authed(False, True, a_kill, to="/fleet"), methods=["POST"]),
        Route("/fleet/{id}/tell", authed(False, True, a_tell, to="/fleet"), methods=["POST"]),
        Route("/today", authed(False, False, w_today)),
        Route("/playbook", authed(False, False, w_playbook)),
        Route("/playbook/{verdict}", authed(False, True, a_verdict, to="/playbook"), methods=["POST"]),
        Route("/api/session", session_info),
        Route("/api/inbox", authed(True, False, lambda form: data.inbox(paths))),
        Route("/api/fleet", authed(True, False, lambda form: data.fleet_page(paths))),
        Route("/api/fleet/{id}/screen", authed(True, False, lambda form, id: data.screen(paths, id))),
        Route("/api/today", authed(True, False, lambda form: data.today_page(paths))),
        Route("/api/playbook", authed(True, False, lambda form: data.playbook_page(paths))),
        Route("/api/asks/{id}/answer", authed(True, True, a_answer), methods=["POST"]),
        Route("/api/fleet/{id}/tell", authed(True, True, a_tell), methods=["POST"]),
        Route("/api/fleet/{id}/kill", authed(True, True, a_kill), methods=["POST"]),
        Route("/api/attention/{id}/done", authed(True, True, a_done), methods=["POST"]),
        Route("/api/playbook/{verdict}", authed(True, True, a_verdict), methods=["POST"]),
        Route("/static/term.css", term_css),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Secure(Starlette(routes=routes))


TERM_CSS = data.term_css()
