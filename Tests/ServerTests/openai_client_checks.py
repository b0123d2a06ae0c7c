#!/usr/bin/env python3
"""The official `openai` Python client against a running `lathe serve` (started by ServerTests.swift).

Usage: openai_client_checks.py SUITE --base-url URL --model ID [--api-key KEY] [--requests N] [--concurrency N]
Suites: api (models, chat, completions, streaming, seeds, stops), errors (400/401/404 and bad JSON),
queue (429 when the queue is full; a client that disconnects cancels its generation), load (N requests,
C at a time, each must equal the same request answered alone; --references caches those answers). Prints one JSON line with what it measured;
exits 1 with one line per failed check.
"""
import argparse
import concurrent.futures
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

import openai
from openai import OpenAI

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def raw(base, path, body=None, key=None, method=None):
    """A plain HTTP request (for what the openai client cannot send, such as broken JSON)."""
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method or ("POST" if data is not None else "GET"))
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def metric(base, name):
    _, text = raw(base, "/metrics")
    match = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(match.group(1)) if match else None


def chat(client, model, content, **kwargs):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": content}], **kwargs)


def suite_api(args, client):
    models = client.models.list()
    check(args.model in [m.id for m in models.data], f"models list {[m.id for m in models.data]} lacks {args.model}")

    r = chat(client, args.model, "What is the capital of France?", max_tokens=24, temperature=0)
    text = r.choices[0].message.content
    check(r.object == "chat.completion", f"object {r.object}")
    check(r.choices[0].message.role == "assistant", "role")
    # Not a check of wisdom (the 135M model may name another city): the answer exists, and the streamed one
    # below must be identical to it.
    check(text.strip() != "", f"empty chat answer {text!r}")
    check(r.choices[0].finish_reason in ("stop", "length"), f"finish_reason {r.choices[0].finish_reason}")
    check(r.usage.prompt_tokens > 10 and r.usage.completion_tokens > 0, f"usage {r.usage}")
    check(r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens, "total_tokens")

    pieces, finish, usage, roles = [], None, None, []
    stream = chat(client, args.model, "What is the capital of France?", max_tokens=24, temperature=0, stream=True,
                  stream_options={"include_usage": True})
    for chunk in stream:
        check(chunk.object == "chat.completion.chunk", f"chunk object {chunk.object}")
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.role:
                roles.append(choice.delta.role)
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason:
                finish = choice.finish_reason
    check(roles == ["assistant"], f"stream roles {roles}")
    check(len(pieces) > 1, f"stream came in {len(pieces)} pieces")
    check("".join(pieces) == text, f"streamed {''.join(pieces)!r} != non-streamed {text!r}")
    check(finish == r.choices[0].finish_reason, f"stream finish {finish}")
    check(usage is not None and usage.completion_tokens == r.usage.completion_tokens, f"stream usage {usage}")

    r = chat(client, args.model, "Write a long story about a dragon.", max_tokens=5, temperature=0)
    check(r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 5,
          f"max_tokens: {r.choices[0].finish_reason} after {r.usage.completion_tokens}")

    c = client.completions.create(model=args.model, prompt="The capital of France is", max_tokens=8, temperature=0)
    check(c.object == "text_completion" and c.choices[0].text.strip() != "", f"completion {c}")
    check(c.choices[0].finish_reason == "length" and c.usage.completion_tokens == 8, f"completion usage {c.usage}")
    streamed = "".join(ch.choices[0].text for ch in client.completions.create(
        model=args.model, prompt="The capital of France is", max_tokens=8, temperature=0, stream=True) if ch.choices)
    check(streamed == c.choices[0].text, f"streamed completion {streamed!r} != {c.choices[0].text!r}")

    c = client.completions.create(model=args.model, prompt="1, 2, 3, 4, 5,", max_tokens=30, temperature=0, stop=[" 8"])
    check(" 8" not in c.choices[0].text and c.choices[0].finish_reason == "stop" and "7" in c.choices[0].text,
          f"stop string: {c.choices[0].text!r} ({c.choices[0].finish_reason})")

    seeded = [chat(client, args.model, "Tell me a short joke.", max_tokens=20, temperature=1.0, seed=42)
              .choices[0].message.content for _ in range(2)]
    other = chat(client, args.model, "Tell me a short joke.", max_tokens=20, temperature=1.0, seed=7).choices[0].message.content
    check(seeded[0] == seeded[1], f"same seed, different text: {seeded}")
    check(other != seeded[0], "different seeds gave the same text")

    # Keys OpenAI sends as explicit nulls (clients index them): logprobs always, finish_reason while a stream runs.
    for path, prompt in (("/v1/chat/completions", {"messages": [{"role": "user", "content": "Hi"}]}),
                         ("/v1/completions", {"prompt": "Hi"})):
        request = dict(prompt, model=args.model, max_tokens=2, temperature=0)
        status, body = raw(args.base_url, path, request, key=args.api_key)
        choice = json.loads(body)["choices"][0] if status == 200 else {}
        check("logprobs" in choice and choice["logprobs"] is None, f"{path}: no null logprobs in {body}")
        status, body = raw(args.base_url, path, dict(request, stream=True), key=args.api_key)
        first = json.loads(body.split("\n")[0].removeprefix("data: ")) if status == 200 else {}
        choice = (first.get("choices") or [{}])[0]
        check("finish_reason" in choice and choice["finish_reason"] is None and "logprobs" in choice
              and choice["logprobs"] is None, f"{path}: first stream chunk {body.splitlines()[0] if body else body}")

    status, body = raw(args.base_url, "/health")
    check(status == 200 and json.loads(body)["status"] == "ok", f"health {status} {body}")
    status, body = raw(args.base_url, "/metrics")
    check(status == 200 and "lathe_requests_total{" in body and "lathe_time_to_first_token_seconds_bucket" in body
          and "lathe_kv_cache_tokens_capacity" in body and "lathe_queue_depth" in body, "metrics text")
    return {"chat": text}


def expect_error(call, error_type, status, code, what):
    try:
        call()
    except error_type as error:
        check(error.status_code == status, f"{what}: status {error.status_code}, want {status}")
        check(isinstance(error.body, dict) and error.body.get("code") == code and error.body.get("message"),
              f"{what}: error body {error.body}")
        return
    except Exception as error:  # noqa: BLE001 - report the wrong kind
        check(False, f"{what}: raised {type(error).__name__}: {error}")
        return
    check(False, f"{what}: no error")


def suite_errors(args, client):
    m = args.model
    expect_error(lambda: chat(client, "no-such-model", "hi", max_tokens=2), openai.NotFoundError, 404,
                 "model_not_found", "unknown model")
    expect_error(lambda: chat(client, m, "word " * 5000, max_tokens=2), openai.BadRequestError, 400,
                 "context_length_exceeded", "context overflow")
    expect_error(lambda: chat(client, m, "hi", max_tokens=2, temperature=7), openai.BadRequestError, 400, None,
                 "temperature out of range")
    expect_error(lambda: client.chat.completions.create(model=m, messages=[], max_tokens=2), openai.BadRequestError,
                 400, None, "empty messages")
    if args.api_key:
        wrong = OpenAI(base_url=args.base_url + "/v1", api_key="wrong-key", max_retries=0)
        expect_error(lambda: chat(wrong, m, "hi", max_tokens=2), openai.AuthenticationError, 401, "invalid_api_key",
                     "wrong API key")
        expect_error(lambda: wrong.models.list(), openai.AuthenticationError, 401, "invalid_api_key", "wrong key, models")
        status, body = raw(args.base_url, "/v1/chat/completions", {"model": m, "messages": []})
        check(status == 401 and json.loads(body)["error"]["code"] == "invalid_api_key", f"missing key: {status} {body}")
    status, body = raw(args.base_url, "/v1/chat/completions", b'{"model": "x", "messages": [', key=args.api_key)
    check(status == 400 and json.loads(body)["error"]["code"] == "invalid_json", f"bad JSON: {status} {body}")
    error = json.loads(body)["error"]
    check(set(error) >= {"message", "type", "code"}, f"error shape {error}")
    status, body = raw(args.base_url, "/v1/nothing-here", key=args.api_key)
    check(status == 404 and "error" in json.loads(body), f"unknown route: {status} {body}")
    return {}


def suite_queue(args, client):
    """Server with --parallel 1 --max-queue 1: one running, one waiting, the third is refused."""
    m = args.model
    long = {"ignore_eos": True}
    first = chat(client, m, "Count to a thousand.", max_tokens=1500, temperature=0, stream=True, extra_body=long)
    first_iter = iter(first)
    next(first_iter)
    next(first_iter)
    second = chat(client, m, "Name every animal.", max_tokens=1500, temperature=0, stream=True, extra_body=long)
    deadline = time.time() + 10
    while metric(args.base_url, "lathe_queue_depth") != 1 and time.time() < deadline:
        time.sleep(0.05)
    check(metric(args.base_url, "lathe_queue_depth") == 1, "second request is not queued")
    expect_error(lambda: chat(client, m, "hi", max_tokens=2), openai.RateLimitError, 429, "queue_full", "queue full")

    before = metric(args.base_url, "lathe_sequences_cancelled_total")
    first.close()  # the client goes away mid-stream: the server must cancel the generation
    deadline = time.time() + 10
    while metric(args.base_url, "lathe_sequences_cancelled_total") == before and time.time() < deadline:
        time.sleep(0.05)
    check(metric(args.base_url, "lathe_sequences_cancelled_total") == before + 1, "disconnect did not cancel")
    second_iter = iter(second)
    got = [next(second_iter) for _ in range(3)]
    check(any(c.choices and c.choices[0].delta.content for c in got), "queued request did not start after the cancel")
    second.close()
    deadline = time.time() + 10
    while metric(args.base_url, "lathe_active_sequences") != 0 and time.time() < deadline:
        time.sleep(0.05)
    check(metric(args.base_url, "lathe_active_sequences") == 0, "a slot is still busy after both clients left")
    check(metric(args.base_url, "lathe_sequences_cancelled_total") == before + 2, "second disconnect did not cancel")
    r = chat(client, m, "What is the capital of France?", max_tokens=8, temperature=0)
    check(r.usage.completion_tokens > 0, "server unusable after cancellations")
    return {}


PROMPTS = [
    "What is the capital of France?", "Name three colours.", "What is 2 + 2?", "Say hello in Spanish.",
    "What is the largest ocean?", "Name a fruit that is yellow.", "How many legs does a spider have?",
    "What do bees make?",
]


def suite_load(args, client):
    """Every prompt alone first, then all requests `concurrency` at a time; answers must be identical."""
    def ask(prompt):
        started = time.time()
        first = None
        pieces = []
        usage = None
        finish = None
        for chunk in chat(client, args.model, prompt, max_tokens=24, temperature=0, stream=True,
                          stream_options={"include_usage": True}):
            if chunk.usage:
                usage = chunk.usage
            for choice in chunk.choices:
                if choice.delta.content:
                    first = first or time.time()
                    pieces.append(choice.delta.content)
                finish = choice.finish_reason or finish
        return "".join(pieces), finish, usage, (first or time.time()) - started, time.time() - started

    if args.references and os.path.exists(args.references):
        with open(args.references) as f:
            reference = json.load(f)
    else:
        reference = {p: ask(p)[0] for p in PROMPTS}
        if args.references:
            with open(args.references, "w") as f:
                json.dump(reference, f)
    # One streamed request on this thread first: the openai client's pydantic models build their schemas lazily,
    # and doing that from several threads at once can fail ("BaseModel cannot be instantiated directly").
    ask(PROMPTS[0])
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        jobs = [(PROMPTS[i % len(PROMPTS)], pool.submit(ask, PROMPTS[i % len(PROMPTS)])) for i in range(args.requests)]
        results = [(prompt, job.result()) for prompt, job in jobs]
    elapsed = time.time() - started
    for prompt, (text, finish, usage, _, _) in results:
        check(text == reference[prompt], f"{prompt!r}: {text!r} != alone {reference[prompt]!r}")
        check(finish in ("stop", "length") and usage is not None and usage.completion_tokens > 0,
              f"{prompt!r}: finish {finish}, usage {usage}")
    tokens = sum(r[2].completion_tokens for _, r in results if r[2])
    ttfts = sorted(r[3] for _, r in results)
    return {"requests": len(results), "seconds": round(elapsed, 3), "completion_tokens": tokens,
            "tokens_per_second": round(tokens / elapsed, 1), "ttft_p50": round(ttfts[len(ttfts) // 2], 3),
            "ttft_max": round(ttfts[-1], 3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("suite", choices=["api", "errors", "queue", "load"])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--api-key", default="")
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--references", default="", help="load: JSON file of answers given alone (written if absent)")
    args = parser.parse_args()
    client = OpenAI(base_url=args.base_url + "/v1", api_key=args.api_key or "unused", max_retries=0, timeout=120)
    result = globals()[f"suite_{args.suite}"](args, client)
    print(json.dumps({"suite": args.suite, "failures": failures, **result}))
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
