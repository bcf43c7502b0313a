"""Short commands (git, tmux, the login-shell probe): one wrapper, a clean environment.

They go through plumbum's `local` with the caller's repository-redirecting
`GIT_*` variables removed (a `looop tick` run from a git hook must not commit
into the hook's repository); a missing program or a timeout is a result, never
an exception. Streaming, process groups and fd passing keep their own Popen.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# GIT_* variables that are about who and how, not which repository: kept.
_GIT_KEEP = frozenset({
    "GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_NO_VERIFY", "GIT_ASKPASS",
    "GIT_TERMINAL_PROMPT", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
})


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.code == 0


def no_git_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (default: ours) without GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE and friends."""
    env = os.environ if env is None else env
    return {k: v for k, v in env.items() if not k.startswith("GIT_") or k in _GIT_KEEP}


def run(argv: Sequence[str], *, cwd: Path | str | None = None, timeout: float = 30,
        env: Mapping[str, str] | None = None) -> Result:
    """Run a short command to completion: (exit code, stdout, stderr), stdin from /dev/null.

    127 when the program is missing, 124 on timeout, 126 when it cannot start."""
    from plumbum import local
    from plumbum.commands.processes import CommandNotFound, ProcessTimedOut

    clean = no_git_env({**os.environ, **(env or {})})
    with local.env():
        for key in [k for k, _ in local.env.items() if k not in clean]:
            del local.env[key]
        local.env.update(**clean)
        try:
            code, out, err = local[argv[0]][tuple(argv[1:])].run(
                retcode=None, timeout=timeout, cwd=str(cwd) if cwd else None, stdin=subprocess.DEVNULL)
        except CommandNotFound:
            return Result(127, "", f"{argv[0]}: not found")
        except ProcessTimedOut:
            return Result(124, "", f"{argv[0]}: no answer within {timeout:g} s")
        except OSError as exc:
            return Result(126, "", f"{argv[0]}: {exc.strerror or exc}")
    return Result(code, out or "", err or "")
