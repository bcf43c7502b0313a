"""Built-in runner presets: how each agent CLI makes one move, or hosts a worker.

A tick command reads the prompt on stdin, or by path where it says
`{{prompt_file}}`; streams that are NDJSON go through `looop _fmt`, which
renders them, meters their cost and turns a silent model error into a failure.
"""

from __future__ import annotations

from typing import Any

# pi (and gemini) glue their instruction argument straight onto stdin, so the
# instruction starts with a blank line.
_BRIEF = "The text above is your whole brief for this beat. Follow it exactly."
_AFTER_STDIN = f"$'\\n\\n{_BRIEF}'"
# opencode puts stdin after its message argument.
_BEFORE_STDIN = "'The text that follows is your whole brief for this beat. Follow it exactly.'"

# A worker runs detached: no dialog may wait for a keypress, and its shell tool
# must let a `looop ask` wait for hours (it prints a line a minute, for the
# CLIs that time out a silent command). A day, in ms, for the tool limits:
_DAY_MS = "86400000"
# claude: CLAUDE_CODE_SANDBOXED skips the "trust this folder" dialog; the
# setting skips the bypass-mode warning (as root, claude also wants IS_SANDBOX=1,
# which preflight asks the user for); the Bash limits are the tool's own.
_CLAUDE_WORKER = (f"CLAUDE_CODE_SANDBOXED=1 BASH_DEFAULT_TIMEOUT_MS={_DAY_MS} BASH_MAX_TIMEOUT_MS={_DAY_MS} "
                  "claude --dangerously-skip-permissions --settings '{\"skipDangerousModePermissionPrompt\":true}'")
# codex: --no-daemon keeps the turns in this process group (`kill` leaves nothing,
# and a second worker's commands run in its own environment); the data dir is
# trusted for this run only. Its sandbox's network filter would also refuse the
# unix socket of looop's door (`looop ask` in the box), so its network stays on.
_CODEX_WORKER = ('codex --no-daemon --sandbox workspace-write -c sandbox_workspace_write.network_access=true '
                 '--ask-for-approval never -c "projects={\\"$PWD\\"={trust_level=\\"trusted\\"}}"')
# codex's own sandbox is bubblewrap too: nested in looop's box it cannot make its mount
# points (.agents, .codex) in the read-only data dir, so there looop's box is the boundary.
_CODEX_SANDBOX = '"$([ "${LOOOP_BOXED:-}" = 1 ] && echo danger-full-access || echo workspace-write)"'

PRESETS: dict[str, dict[str, str]] = {
    "claude": {
        "tick": 'claude -p --dangerously-skip-permissions --output-format stream-json --verbose | "$LOOOP_BIN" _fmt',
        "interactive": _CLAUDE_WORKER + ' "$(cat {{prompt_file}})"',
        "resume": "claude --resume",
    },
    "pi": {
        "tick": f'pi -p --mode json -ne --no-session --thinking low {_AFTER_STDIN} | "$LOOOP_BIN" _fmt',
        "interactive": "pi --thinking medium @{{prompt_file}}",
        "resume": "pi --session",
    },
    "codex": {
        # `-` reads the prompt from stdin; the data dir need not be a trusted repo;
        # --json streams events whose token counts `_fmt` meters.
        "tick": f'codex exec --json --sandbox {_CODEX_SANDBOX} --skip-git-repo-check - | "$LOOOP_BIN" _fmt',
        "interactive": _CODEX_WORKER + ' "$(cat {{prompt_file}})"',
        "resume": "codex resume",
    },
    "gemini": {
        # --skip-trust: an untrusted folder (the data dir, at first) makes gemini exit 55.
        "tick": f'gemini --approval-mode=yolo --skip-trust --output-format stream-json -p {_AFTER_STDIN} '
                '| "$LOOOP_BIN" _fmt',
        "interactive": 'gemini --approval-mode=yolo --skip-trust -i "$(cat {{prompt_file}})"',
        "resume": "gemini --resume",
    },
    "opencode": {
        # The brief goes on stdin: `--file` would take the message for a second file
        # name, and truncates a long brief.
        "tick": f"opencode run {_BEFORE_STDIN}",
        "interactive": f'OPENCODE_EXPERIMENTAL_BASH_DEFAULT_TIMEOUT_MS={_DAY_MS} opencode --prompt "$(cat {{{{prompt_file}}}})"',
        "resume": "opencode --continue",
    },
}

ORDER = ("claude", "pi", "codex", "gemini", "opencode")

# Where each CLI keeps its own state: writable inside the box (`runners.<name>.state`).
STATE: dict[str, list[str]] = {
    "claude": ["~/.claude", "~/.claude.json", "~/.cache"],
    "pi": ["~/.pi", "~/.cache"],
    "codex": ["~/.codex", "~/.cache"],
    "gemini": ["~/.gemini", "~/.cache"],
    "opencode": ["~/.local/share/opencode", "~/.local/state/opencode", "~/.config/opencode", "~/.cache"],
}


def config_for(default_runner: str) -> dict[str, Any]:
    """A whole config: every preset, `default_runner` chosen."""
    if default_runner not in PRESETS:
        from looop.core.errors import ExitStatus, FatalError

        raise FatalError(f"unknown runner '{default_runner}' (presets: {', '.join(ORDER)})", ExitStatus.BAD_INPUT)
    return {
        "default": default_runner,
        "moves": "typed",
        "sandbox": "auto",
        "interval": 60,
        "busy_interval": 60,
        "active_interval": 60,
        "runners": {name: {**PRESETS[name], "state": list(STATE[name])} for name in ORDER},
    }


def installed(path: str | None = None) -> list[str]:
    """Presets whose CLI is on PATH, in preference order."""
    import shutil

    return [name for name in ORDER if shutil.which(name, path=path)]


INSTALL_HINTS: dict[str, str] = {
    "claude": "npm install -g @anthropic-ai/claude-code",
    "pi": "npm install -g @mariozechner/pi-coding-agent",
    "codex": "npm install -g @openai/codex",
    "gemini": "npm install -g @google/gemini-cli",
    "opencode": "npm install -g opencode-ai",
    "bash": "install bash with your system's package manager",
    "git": "install git with your system's package manager",
}
