"""`looop _fmt`: render an agent's NDJSON stream for humans, and meter it.

Understands pi's `--mode json`, Claude Code's and Gemini CLI's
`--output-format stream-json` and `codex exec --json` events: tool calls as
`→ tool: <arg>`, failed tools, assistant text. Unknown events are ignored and
non-JSON lines pass through. The stream's cost goes to the ledger (codex and
gemini report tokens only: priced at list price, see PRICES); the exit status
says whether the model call really succeeded (pi exits 0 even when it did not).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, TextIO

from looop.core.errors import ExitStatus

_ARG_KEYS = ("command", "path", "file_path", "filePath", "pattern", "url", "query", "description")

# US$ per million tokens (input, cached input, output): list prices, used only
# for streams that count tokens but not dollars (codex, gemini). The longest
# matching model prefix wins; "codex"/"gemini" stand for an unnamed model.
PRICES: dict[str, tuple[float, float, float]] = {
    "codex": (1.25, 0.125, 10.0),  # codex exec names no model: its default, gpt-5
    "gpt-5": (1.25, 0.125, 10.0),
    "gpt-5-mini": (0.25, 0.025, 2.0),
    "gpt-5-nano": (0.05, 0.005, 0.4),
    "gemini": (1.25, 0.125, 10.0),  # an unknown gemini model is priced like pro: over, not under
    "gemini-2.5-pro": (1.25, 0.125, 10.0),
    "gemini-2.5-flash": (0.30, 0.03, 2.50),
    "gemini-2.5-flash-lite": (0.10, 0.01, 0.40),
}


def price(model: str, fresh: float, cached: float, output: float) -> float:
    """US$ for these token counts at `model`'s list price."""
    key = max((k for k in PRICES if model.startswith(k)), key=len, default="codex")
    per_in, per_cached, per_out = PRICES[key]
    return (fresh * per_in + cached * per_cached + output * per_out) / 1e6


@dataclass
class Meter:
    cost: float = 0.0
    assistant_messages: int = 0
    error: str | None = None
    claude: bool = False  # saw Claude Code events
    claude_result: bool = False
    final: str | None = None  # a stream with a closing event (gemini, codex) not yet closed: its name
    source: str = ""  # "codex" or "gemini" once their events are seen
    text: str = ""  # gemini's streamed assistant text, printed when the message is whole
    model: str = ""
    tokens: int = 0
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
        if self.final is not None:
            return f"the stream ended without its final {self.final} event"
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
        if isinstance(kind, str) and (kind.startswith(("thread.", "turn.", "item.")) or
                                      (kind == "error" and "severity" not in event and meter.source == "codex")):
            return _codex(meter, event, kind)
        if kind in ("init", "message", "tool_use", "tool_result") or (kind == "result" and "stats" in event) or \
                (kind == "result" and "status" in event) or (kind == "error" and "severity" in event):
            return _gemini(meter, event, kind)
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


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _tokens(meter: Meter, model: str, fresh: Any, cached: Any, output: Any) -> None:
    fresh, cached, output = _number(fresh), _number(cached), _number(output)
    meter.tokens += int(fresh + cached + output)
    meter.cost += price(model, fresh, cached, output)


def _codex(meter: Meter, event: dict[str, Any], kind: str) -> list[str]:
    """`codex exec --json`: items, then turn.completed with the turn's token usage."""
    meter.source = "codex"
    if kind == "turn.started":
        meter.final = "turn"
        return []
    item = event.get("item")
    if kind == "item.started" and isinstance(item, dict) and item.get("type") == "command_execution":
        return [f"→ shell: {_short(str(item.get('command') or ''))}"]
    if kind == "item.completed" and isinstance(item, dict):
        what = item.get("type")
        if what == "agent_message" and isinstance(item.get("text"), str):
            meter.assistant_messages += 1
            return [item["text"]]
        if what == "command_execution" and isinstance(item.get("exit_code"), int) and item["exit_code"] != 0:
            detail = _short(str(item.get("aggregated_output") or f"exit code {item['exit_code']}"))
            return [f"✗ shell failed: {detail}"]
        if what == "file_change":
            changes = item.get("changes")
            changes = changes if isinstance(changes, list) else []
            paths = [str(c.get("path")) for c in changes if isinstance(c, dict)]
            return [f"→ edit: {_short(', '.join(paths))}"] if paths else []
        if what == "error" and isinstance(item.get("message"), str):
            return [f"✗ {_short(item['message'])}"]
        return []
    if kind == "turn.completed":
        meter.final, meter.error = None, None  # an earlier `error` (a reconnect) was survived
        usage = _obj(event.get("usage"))
        cached = _number(usage.get("cached_input_tokens"))
        _tokens(meter, "codex", _number(usage.get("input_tokens")) - cached, cached, usage.get("output_tokens"))
        return []
    if kind in ("turn.failed", "error"):
        if kind == "turn.failed":
            meter.final = None
        err = _obj(event.get("error")) or event
        meter.error = _short(str(err.get("message") or "the turn failed"), 300)
        return [f"✗ {meter.error}"]
    return []


def _gemini(meter: Meter, event: dict[str, Any], kind: str) -> list[str]:
    """Gemini CLI `--output-format stream-json`: init … result with the run's token stats."""
    meter.source = "gemini"
    if kind == "message" and event.get("role") == "assistant" and event.get("delta"):
        if not meter.text:
            meter.assistant_messages += 1
        meter.text += str(event.get("content") or "")
        return []
    said, meter.text = ([meter.text] if meter.text.strip() else []), ""
    return said + _gemini_event(meter, event, kind)


def _gemini_event(meter: Meter, event: dict[str, Any], kind: str) -> list[str]:
    if kind == "init":
        meter.final = "result"
        meter.model = str(event.get("model") or "")
        return []
    if kind == "message":
        if event.get("role") != "assistant" or not isinstance(event.get("content"), str):
            return []
        meter.assistant_messages += 1
        return [event["content"]]
    if kind == "tool_use":
        name = str(event.get("tool_name") or "tool")
        if isinstance(event.get("tool_id"), str) and len(meter.tools) < 4096:
            meter.tools[event["tool_id"]] = name
        return [f"→ {name}: {_short(_first_arg(event.get('parameters')))}"]
    if kind == "tool_result" and event.get("status") == "error":
        name = meter.tools.get(str(event.get("tool_id")), "tool")
        err = _obj(event.get("error"))
        return [f"✗ {name} failed: {_short(str(err.get('message') or event.get('output') or ''))}".rstrip(": ")]
    if kind == "error":
        return [f"✗ {event.get('severity', 'error')}: {_short(str(event.get('message') or ''))}"]
    if kind == "result":
        meter.final = None
        stats = _obj(event.get("stats"))
        cached = _number(stats.get("cached"))
        fresh = _number(stats.get("input")) if "input" in stats else _number(stats.get("input_tokens")) - cached
        _tokens(meter, meter.model or "gemini", fresh, cached, stats.get("output_tokens"))
        if event.get("status") == "error":
            err = _obj(event.get("error"))
            meter.error = _short(str(err.get("message") or "the run failed"), 300)
            return [f"✗ {meter.error}"]
        meter.error = None
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
    if meter.text.strip():  # gemini text still streaming when the stream ended
        out.write(meter.text.rstrip("\n") + "\n")
    kind = env.get("LOOOP_COST_KIND")
    ledger = env.get("COST_LEDGER")
    if kind and ledger and meter.cost > 0:
        from pathlib import Path

        from looop.records import cost

        try:
            cost.record(Path(ledger), kind, env.get("LOOOP_COST_ID", ""), env.get("LOOOP_COST_RUNNER", ""), meter.cost)
        except OSError as exc:
            sys.stderr.write(f"looop _fmt: could not record ${meter.cost:g} in {ledger}: {exc.strerror or exc}\n")
    why = meter.problem()
    if why is not None:
        sys.stderr.write(f"looop _fmt: {why}\n")
        return ExitStatus.FAILED
    return 0
