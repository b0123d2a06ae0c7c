#!/usr/bin/env python3
"""Random templates for differential testing against jinja2 (seeded, so runs repeat): whitespace-control mazes
(text, newlines, tags with -/+ markers, comments, raw blocks, nested if/for), random expressions over
literals, variables, operators, filters, tests, slices and methods, and random statement programs (for/else,
filtered loops, loop variables, break/continue, set, namespaces, unpacking, macros, call blocks). Prints {"context", "cases": [{"template",
"output" | "error"}]} rendered as HF renders (see render_reference.py). Usage: fuzz_reference.py [SEED] [N]."""
import copy
import json
import random
import sys

from render_reference import environment

LITS = ["0", "1", "-3", "7", "2.5", "-1.0", "1e20", "3.0", "0.1", "'a'", "'Ab c'", "''", "' x '", "'héllo'", "'1'",
        "none", "true", "false", "[]", "[3, 1, 2]", "['b', 'a']", "{}", "{'k': 1, 'j': 'v'}", "(1, 2)", "(1,)"]
VARS = ["x", "d", "s", "n", "nope", "m", "f", "e"]
FILTERS = ["length", "first", "last", "list", "string", "upper", "lower", "trim", "title", "capitalize", "tojson",
           "int", "float", "abs", "sort", "unique | list", "reverse | list", "items | list", "join(',')", "default('D')",
           "default('D', true)", "select | list", "reject | list", "sum", "min", "max", "round", "dictsort", "count",
           "replace('a', 'b')", "tojson(indent=2)", "map('string') | list", "e", "safe", "indent(2)", "wordcount",
           "center(7)"]
TESTS = ["defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "iterable", "sequence",
         "boolean", "odd", "even", "true", "false", "lower", "upper", "callable", "divisibleby 2", "in [1, 'a']", "eq 1"]
OPS = ["+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", ">", "<=", ">=", "and", "or", "in", "not in"]
METHODS = ["upper()", "lower()", "strip()", "split()", "split(' ')", "startswith('A')", "endswith('c')", "title()",
           "replace('b', 'B')", "get('k')", "get('z', 0)", "items() | list", "keys() | list", "values() | list",
           "count('a')", "find('b')", "index(1)", "capitalize()", "format(1)", "join(['p', 'q'])"]
CONTEXT = {"x": [3, 1, 2], "d": {"k": 1, "j": "v"}, "s": "Hello World", "n": None,
           "m": {"role": "user", "content": None}, "f": 1.5, "e": ""}


def expression(depth):
    r = random.random()
    if depth > 3 or r < 0.25:
        return random.choice(LITS + VARS)
    if r < 0.45:
        return "(%s %s %s)" % (expression(depth + 1), random.choice(OPS), expression(depth + 1))
    if r < 0.6:
        return "(%s | %s)" % (expression(depth + 1), random.choice(FILTERS))
    if r < 0.68:
        return "(%s is %s%s)" % (expression(depth + 1), random.choice(["", "not "]), random.choice(TESTS))
    if r < 0.74:
        return "(not %s)" % expression(depth + 1)
    if r < 0.8:
        return "(%s if %s else %s)" % (expression(depth + 1), expression(depth + 1), expression(depth + 1))
    if r < 0.88:
        return "%s[%s]" % (random.choice(VARS + ["'abc'", "[1, 2, 3]"]),
                           random.choice(["0", "-1", "1:", ":-1", "::-1", "'k'", "5"]))
    return "%s.%s" % (random.choice(VARS + ["'abc'", "[1, 2, 1]"]), random.choice(METHODS))


def marker():
    return random.choice(["", "", "-", "+"])


def maze(depth):
    r = random.random()
    ws = random.choice(["\n", "  ", "\t", " \n ", "\n\n", "x", "y ", " z\n", "\r\n", "  \n  "])
    if r < 0.35:
        return ws
    if r < 0.5:
        return "{{%s 'v' %s}}" % (random.choice(["", "-"]), random.choice(["", "-"]))
    if r < 0.6:
        return "{#%s c %s#}" % (marker(), marker())
    if r < 0.85 and depth < 3:
        body = "".join(maze(depth + 1) for _ in range(random.randint(0, 4)))
        keyword = random.choice(["if true", "if false", "for i in [1, 2]"])
        end = "endif" if keyword.startswith("if") else "endfor"
        otherwise = ""
        if keyword.startswith("if") and random.random() < 0.3:
            otherwise = "{%%%s else %s%%}" % (marker(), marker()) + "".join(maze(depth + 1) for _ in range(random.randint(0, 3)))
        return "{%%%s %s %s%%}" % (marker(), keyword, marker()) + body + otherwise + "{%%%s %s %s%%}" % (marker(), end, marker())
    if r < 0.9:
        return "{%%%s set a = 1 %s%%}" % (marker(), marker())
    return "{%%%s raw %s%%}{{ r }}\n %s{%%%s endraw %s%%}" % (
        random.choice(["", "-"]), random.choice(["", "-"]), ws, marker(), marker())


LOOP_ITERABLES = ["x", "[1, 2, 3]", "d", "d.items()", "'ab'", "[]", "nope", "range(3)", "x | select('odd')",
                  "[(1, 'a'), (2, 'b')]", "m"]
STATEMENT_EXPRESSIONS = ["i", "loop.index", "loop.first", "loop.last", "loop.length", "loop.revindex", "ns.v", "t",
                         "i ~ '-'", "ns.v + 1", "loop.previtem", "loop.nextitem", "k", "v", "a", "w(i)", "x | length",
                         "i is defined", "t is defined"]
PRELUDE = ("{% set ns = namespace(v=0) %}{% macro w(p, r=2) %}<{{ p }}{{ r }}>{% endmacro %}"
           "{% macro w2(p) %}{{ caller(p) }}{{ caller(p ~ '!') }}{% endmacro %}")


def statement(depth):
    r = random.random()
    if depth > 3 or r < 0.25:
        return random.choice(["{{ %s }}" % random.choice(STATEMENT_EXPRESSIONS), "\n", " ", "|"])
    if r < 0.45:
        body = "".join(statement(depth + 1) for _ in range(random.randint(1, 4)))
        return "{%% for %s in %s%s %%}%s%s{%% endfor %%}" % (
            random.choice(["i", "i", "k, v"]), random.choice(LOOP_ITERABLES),
            random.choice(["", "", " if i", " if loop is undefined"]), body, random.choice(["", "", "{% else %}E"]))
    if r < 0.55:
        return "{%% set t = %s %%}" % random.choice(STATEMENT_EXPRESSIONS)
    if r < 0.65:
        return "{%% set ns.v = %s %%}" % random.choice(["ns.v + 1", "1", "i", "loop.index"])
    if r < 0.72:
        return random.choice(["{% break %}", "{% continue %}"])
    if r < 0.85:
        return "{%% if %s %%}%s{%% else %%}%s{%% endif %%}" % (
            random.choice(STATEMENT_EXPRESSIONS), statement(depth + 1), statement(depth + 1))
    if r < 0.92:
        return "{%% set a, b = %s %%}{{ a }}{{ b }}" % random.choice(["[1, 2]", "(3, 4)", "'xy'", "[1]", "d"])
    return "{%% call(q) w2(%s) %%}[{{ q }}]{%% endcall %%}" % random.choice(["1", "i", "'z'"])


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    random.seed(seed)
    env = environment()
    templates = ["".join(maze(0) for _ in range(random.randint(1, 8))) for _ in range(count)]
    templates += ["{{ %s }}" % expression(0) for _ in range(count)]
    templates += [PRELUDE + "".join(statement(0) for _ in range(random.randint(1, 5))) + "{{ ns.v }}{{ t }}"
                  for _ in range(count)]
    cases = []
    for template in templates:
        case = {"template": template}
        try:
            case["output"] = env.from_string(template).render(**copy.deepcopy(CONTEXT))
        except Exception as error:
            case["error"] = f"{type(error).__name__}: {error}"
        cases.append(case)
    json.dump({"seed": seed, "context": CONTEXT, "cases": cases}, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
