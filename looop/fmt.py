"""`looop _fmt`: render an agent's NDJSON stream for humans, and meter it.

Understands pi's `--mode json` and Claude Code's `--output-format stream-json`
events: tool calls as `→ tool: <arg>`, failed tools, assistant text. Unknown
events are ignored and non-JSON lines pass through. The stream's cost goes to
the ledger; the exit status says whether the model call really succeeded
(pi exits 0 even when it did not).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, TextIO

_ARG_KEYS = ("command", "path", "file_path", "filePath", "pattern", "url", "query", "description")


@dataclass
class Meter:
    cost: float = 0.0
    assistant_messages: int = 0
    error: str | None = None
    claude: bool = False  # saw Claude Code events
    claude_result: bool = False
    tools: dict[str, str] = field(default_factory=dict)  # Claude tool_use id -> name

    @property
    def ok(self) -> bool:
        return self.problem() is None

    def problem(self) -> str | None:
        """Why the stream does not show a successful model call, or None."""
        if self.error is not None:
            return f"the model call failed: {self.error}"
        if self.claude and not self.claude_result:
            return "the Claude stream ended without its final result event"
        if self.assistant_messages == 0:
            return "the stream ended with no assistant message"
        return None


def _first_arg(args: Any) -> str:
    if isinstance(args, dict):
        for key in _ARG_KEYS:
            if isinstance(args.get(key), str):
                return args[key]
        text = json.dumps(args, ensure_ascii=False)
    elif isinstance(args, str):
        text = args
    else:
        text = json.dumps(args, ensure_ascii=False)
    return text


def _short(text: str, n: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    if not isinstance(content, list):
        return []
    return [c["text"] for c in content if isinstance(c, dict) and c.get("type") == "text"
            and isinstance(c.get("text"), str) and c["text"].strip()]


def feed(meter: Meter, line: str) -> list[str]:
    """Digest one line of the stream; return what to print for it."""
    stripped = line.strip()
    if not stripped:
        return []
    try:
        event = json.loads(stripped)
    except (ValueError, RecursionError):
        return [line.rstrip("\n")]
    if not isinstance(event, dict):
        return [line.rstrip("\n")]
    kind = event.get("type")
    try:
        return _pi(meter, event, kind) if kind not in ("assistant", "user", "result", "system") else \
            _claude(meter, event, kind)
    except (AttributeError, TypeError, KeyError, ValueError, RecursionError):
        return []


def _pi(meter: Meter, event: dict[str, Any], kind: Any) -> list[str]:
    if kind == "tool_execution_start":
        name = event.get("toolName") or event.get("name") or "tool"
        return [f"→ {name}: {_short(_first_arg(event.get('args')))}"]
    if kind == "tool_execution_end" and event.get("isError"):
        name = event.get("toolName") or "tool"
        result = event.get("result")
        detail = _short(" ".join(_texts(result.get("content"))) if isinstance(result, dict) else str(result or ""))
        return [f"✗ {name} failed: {detail}".rstrip(": ")]
    if kind == "message_end":
        msg = event.get("message")
        if not isinstance(msg, dict) or msg.get("role") != "assistant":
            return []
        meter.assistant_messages += 1
        usage = msg.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("cost"), dict):
            meter.cost += _number(usage["cost"].get("total"))
        if msg.get("stopReason") in ("error", "aborted"):
            meter.error = str(msg.get("errorMessage") or f"the model call ended: {msg['stopReason']}")
            return [f"✗ model error: {meter.error}"]
        meter.error = None
        return _texts(msg.get("content"))
    return []


def _claude(meter: Meter, event: dict[str, Any], kind: Any) -> list[str]:
    meter.claude = True
    if kind == "assistant":
        msg = event.get("message") or {}
        meter.assistant_messages += 1
        out = []
        for block in msg.get("content") or []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and isinstance(block.get("text"), str) and block["text"].strip():
                out.append(block["text"])
            elif block.get("type") == "tool_use":
                name = str(block.get("name") or "tool")
                if isinstance(block.get("id"), str) and len(meter.tools) < 4096:
                    meter.tools[block["id"]] = name
                out.append(f"→ {name}: {_short(_first_arg(block.get('input')))}")
        return out
    if kind == "user":
        out = []
        for block in (event.get("message") or {}).get("content") or []:
            if isinstance(block, dict) and block.get("type") == "tool_result" and block.get("is_error"):
                content = block.get("content")
                detail = " ".join(_texts(content)) if not isinstance(content, str) else content
                name = meter.tools.get(str(block.get("tool_use_id")), "tool")
                out.append(f"✗ {name} failed: {_short(detail)}".rstrip(": "))
        return out
    if kind == "result":
        meter.claude_result = True
        meter.cost += _number(event.get("total_cost_usd"))
        if event.get("is_error") or event.get("subtype", "success") != "success":
            meter.error = _short(str(event.get("result") or event.get("subtype") or "the run failed"), 300)
            return [f"✗ {meter.error}"]
        meter.error = None
        if meter.assistant_messages == 0:
            meter.assistant_messages = 1
        return []
    return []


def run(lines: Iterable[str], out: TextIO, env: dict[str, str] | os._Environ[str] | None = None) -> int:
    """Render and meter `lines`; the exit status says whether the model call succeeded."""
    env = os.environ if env is None else env
    for stream in (lines, out):
        if hasattr(stream, "reconfigure"):  # never die on bad bytes or a narrow terminal
            stream.reconfigure(errors="replace")
    meter = Meter()
    for line in lines:
        for text in feed(meter, line):
            try:
                out.write(text.rstrip("\n") + "\n")
                out.flush()
            except BrokenPipeError:
                pass
    kind = env.get("LOOOP_COST_KIND")
    ledger = env.get("COST_LEDGER")
    if kind and ledger and meter.cost > 0:
        from pathlib import Path

        from looop import cost

        try:
            cost.record(Path(ledger), kind, env.get("LOOOP_COST_ID", ""), env.get("LOOOP_COST_RUNNER", ""), meter.cost)
        except OSError as exc:
            sys.stderr.write(f"looop _fmt: could not record ${meter.cost:g} in {ledger}: {exc.strerror or exc}\n")
    why = meter.problem()
    if why is not None:
        sys.stderr.write(f"looop _fmt: {why}\n")
        return 1
    return 0
