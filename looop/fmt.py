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
    claude_result: bool = False
    out: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.assistant_messages > 0


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
    except ValueError:
        return [line.rstrip("\n")]
    if not isinstance(event, dict):
        return [line.rstrip("\n")]
    kind = event.get("type")
    try:
        return _pi(meter, event, kind) if kind not in ("assistant", "user", "result", "system") else \
            _claude(meter, event, kind)
    except (AttributeError, TypeError, KeyError, ValueError):
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
        if msg.get("stopReason") == "error":
            meter.error = str(msg.get("errorMessage") or "the model call failed")
            return [f"✗ model error: {meter.error}"]
        meter.error = None
        return _texts(msg.get("content"))
    return []


def _claude(meter: Meter, event: dict[str, Any], kind: Any) -> list[str]:
    if kind == "assistant":
        msg = event.get("message") or {}
        meter.assistant_messages += 1
        out = []
        for block in msg.get("content") or []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and str(block.get("text", "")).strip():
                out.append(block["text"])
            elif block.get("type") == "tool_use":
                out.append(f"→ {block.get('name') or 'tool'}: {_short(_first_arg(block.get('input')))}")
        return out
    if kind == "user":
        out = []
        for block in (event.get("message") or {}).get("content") or []:
            if isinstance(block, dict) and block.get("type") == "tool_result" and block.get("is_error"):
                content = block.get("content")
                detail = " ".join(_texts(content)) if not isinstance(content, str) else content
                out.append(f"✗ tool failed: {_short(detail)}")
        return out
    if kind == "result":
        meter.claude_result = True
        meter.cost += _number(event.get("total_cost_usd"))
        if event.get("is_error") or event.get("subtype", "success") != "success":
            meter.error = str(event.get("result") or event.get("subtype") or "the run failed")
            return [f"✗ {meter.error}"]
        if meter.assistant_messages == 0:
            meter.assistant_messages = 1
        return []
    return []


def run(lines: Iterable[str], out: TextIO, env: dict[str, str] | os._Environ[str] | None = None) -> int:
    env = os.environ if env is None else env
    meter = Meter()
    for line in lines:
        for text in feed(meter, line):
            try:
                out.write(text.rstrip("\n") + "\n")
                out.flush()
            except BrokenPipeError:
                pass
    kind = env.get("LOOOP_COST_KIND")
    if kind and meter.cost > 0:
        from pathlib import Path

        from looop import cost

        ledger = env.get("COST_LEDGER")
        if ledger:
            cost.record(Path(ledger), kind, env.get("LOOOP_COST_ID", ""), env.get("LOOOP_COST_RUNNER", ""), meter.cost)
    if meter.error is not None:
        sys.stderr.write(f"looop _fmt: the model call failed: {meter.error}\n")
        return 1
    if meter.assistant_messages == 0:
        sys.stderr.write("looop _fmt: the stream ended with no assistant message\n")
        return 1
    return 0
