#!/usr/bin/env python3
"""Renders every chat template here × every conversation in conversations.json with jinja2, exactly as
HF transformers' apply_chat_template does (ImmutableSandboxedEnvironment(trim_blocks, lstrip_blocks),
loopcontrols, raise_exception, strftime_now, tojson = json.dumps(ensure_ascii=False)), and prints one JSON
object: {"jinja2": version, "cases": [{"template", "conversation", "output" | "error"}]}
(`--snippets`: the language snippets in snippets.json instead).
strftime_now is pinned to 2025-01-15 12:00:00 so outputs are deterministic."""
import json
import sys
from datetime import datetime
from pathlib import Path

import jinja2
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime(2025, 1, 15, 12, 0, 0)
BOS, EOS = "<|bos|>", "<|eos|>"


class AssistantTracker(Extension):
    """HF's `{% generation %}` block; rendering is unchanged by it."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.Scope(body, lineno=lineno)


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def snippets(here, env):
    """`--snippets`: small templates exercising one language piece each, from snippets.json."""
    cases = []
    for item in json.loads((here / "snippets.json").read_text(encoding="utf-8")):
        case = {"template": item["template"], "context": item.get("context", {})}
        try:
            case["output"] = env.from_string(item["template"]).render(**case["context"])
        except Exception as error:
            case["error"] = f"{type(error).__name__}: {error}"
        cases.append(case)
    json.dump({"jinja2": jinja2.__version__, "cases": cases}, sys.stdout, ensure_ascii=True)


def main():
    here = Path(__file__).resolve().parent
    if sys.argv[1:] == ["--snippets"]:
        return snippets(here, environment())
    names = sys.argv[1:] or sorted(p.stem for p in here.glob("*.jinja"))
    conversations = json.loads((here / "conversations.json").read_text(encoding="utf-8"))
    env = environment()
    cases = []
    for name in names:
        template = env.from_string((here / f"{name}.jinja").read_text(encoding="utf-8"))
        for conv in conversations:
            context = {"messages": conv["messages"], "tools": conv.get("tools"), "documents": None,
                       "add_generation_prompt": conv["add_generation_prompt"],
                       "bos_token": BOS, "eos_token": EOS, **conv.get("extra", {})}
            case = {"template": name, "conversation": conv["name"]}
            try:
                case["output"] = template.render(**context)
            except Exception as error:  # jinja2 raised: ours must raise too
                case["error"] = f"{type(error).__name__}: {error}"
            cases.append(case)
    json.dump({"jinja2": jinja2.__version__, "cases": cases}, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
