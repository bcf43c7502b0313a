"""`looop serve`: the web inbox, on 127.0.0.1 unless told otherwise (and then only with TLS or a warning)."""

from __future__ import annotations

from pathlib import Path

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.log import warn
from looop.core.paths import Paths, resolve

LOCAL = ("127.0.0.1", "localhost", "::1")


def serve(paths: Paths, host: str = "127.0.0.1", port: int = 8765, cert: str | None = None, key: str | None = None,
          insecure_http: bool = False, token_file: str | None = None, new_token: bool = False) -> int:
    if (cert is None) != (key is None):
        raise FatalError("serve: --cert and --key go together (a PEM certificate and its private key)", ExitStatus.BAD_INPUT)
    tls = cert is not None
    for given in (cert, key):
        if given is not None and not Path(given).is_file():
            raise FatalError(f"serve: no file {given}", ExitStatus.BAD_INPUT)
    if host not in LOCAL and not tls and not insecure_http:
        raise FatalError(f"serve: {host} is reachable from other machines; give --cert/--key for TLS, "
                         "or --insecure-http to accept that anyone on the path can read the login token", ExitStatus.BAD_INPUT)
    if not 0 <= port <= 65535:
        raise FatalError(f"serve: --port {port} is not a TCP port", ExitStatus.BAD_INPUT)
    try:
        import uvicorn

        from looop.serve import app as web
    except ImportError as exc:
        raise FatalError(f"serve needs the web extra ({exc.name} is missing): pip install 'looop[serve]'", ExitStatus.FAILED) from None
    from looop.serve import auth

    tokens = Path(token_file).expanduser() if token_file else paths.serve_token
    token = auth.ensure_token(tokens, rotate=new_token)
    if host not in LOCAL and not tls:
        warn(f"serve: plain HTTP on {host}: the login token and every answer cross the network unencrypted")
    config = uvicorn.Config(web.create(paths, tokens, secure_cookie=tls), host=host, port=port, log_level="warning",
                            access_log=False, ssl_certfile=cert, ssl_keyfile=key, lifespan="off",
                            timeout_graceful_shutdown=3)
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)  # connections wait in the backlog from the moment the link is printed
    except OSError as exc:
        raise FatalError(f"serve: cannot listen on {host}:{port}: {exc.strerror or exc}", ExitStatus.FAILED) from None
    bound = sock.getsockname()[1]
    scheme = "https" if tls else "http"
    shown = f"[{host}]" if ":" in host else host
    print(f"looop serve: {scheme}://{shown}:{bound}/login?t={token}")
    print(f"  the link logs a browser in (token file: {tokens}; `looop serve --new-token` ends every session)")
    if host in LOCAL:
        print(f"  from a phone: an SSH tunnel, `ssh -L {bound}:127.0.0.1:{bound} this-machine`, then the link; "
              f"or Tailscale: `tailscale serve {bound}` (the port itself stays on 127.0.0.1)")
    print("  Ctrl-C stops it", flush=True)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0


class Serve(usage.Verb):
    DESCRIPTION_MORE = (
        "JSON under /api/ (the same cookie; POSTs need the X-CSRF-Token header from GET /api/session): "
        "GET /api/inbox, /api/fleet, /api/fleet/<id>/screen, /api/today, /api/playbook; "
        "POST /api/asks/<id>/answer {answer}, /api/fleet/<id>/tell {msg}, /api/fleet/<id>/kill, "
        "/api/attention/<id>/done, /api/playbook/approve|reject. Schemas: schemas/web-*.schema.json.")

    host = usage.option("--host", str, "127.0.0.1", argname="ADDR",
                        help="where to listen; anything but 127.0.0.1/localhost/::1 needs --cert/--key or --insecure-http")
    port = usage.option("--port", int, 8765, argname="PORT", help="the TCP port (0: any free one)")
    cert = usage.option("--cert", str, None, argname="FILE", help="TLS certificate (PEM)")
    key = usage.option("--key", str, None, argname="FILE", help="TLS private key (PEM)")
    insecure_http = usage.flag("--insecure-http",
                               help="allow plain HTTP on a non-local host (warned: anyone on the path sees the token)")
    token_file = usage.option("--token-file", str, None, argname="FILE",
                              help="where the login token lives (default: owner-only, in the state dir)")
    new_token = usage.flag("--new-token", help="rotate the login token: old links and sessions stop working")

    def main(self) -> int:
        return serve(resolve(), host=self.host, port=self.port, cert=self.cert, key=self.key,
                     insecure_http=self.insecure_http, token_file=self.token_file, new_token=self.new_token)
