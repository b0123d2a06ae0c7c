#!/usr/bin/env python3
"""A Hugging Face Hub look-alike on 127.0.0.1 for Lathe's tests.

Serves the Hub API as huggingface.co does (GET /api/models search, /api/models/{repo}, /api/models/{repo}/tree/{rev}
with Link-header pages) and files at /{repo}/resolve/{rev}/{path}, which answer 302 with X-Linked-Etag (sha256),
X-Linked-Size and X-Repo-Commit to a storage server on a second port (another origin, so a client must not send
the token there) that honours Range. Faults per repo: cut the connection after N bytes, stall after N bytes, corrupt a byte, answer a
status N times, throttle, ignore Range, gate behind a token. GET /_log lists the requests seen.

Usage: hub_server.py --config CONFIG.json --port-file PORTS.json [--lifetime SECONDS]
The config: {"token": "...", "repos": [{"id": "o/n", "files": [{"path": "x.gguf", "source": "/abs/path"} or
{"path": "README.md", "text": "..."}], "gated": false, "downloads": 10, "likes": 1, "page_size": null,
"faults": {"cut_after": N, "cut_times": K, "corrupt_at": OFFSET, "status": 500, "status_times": K,
"rate": BYTES_PER_S, "ignore_range": false, "stall_after": N, "stall_times": K, "stall_seconds": S}}]}
Stops by itself after --lifetime seconds or when its parent process goes away.
"""
import argparse, hashlib, json, os, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class Repo:
    def __init__(self, spec):
        self.id = spec["id"]
        self.gated = spec.get("gated", False)
        self.downloads = spec.get("downloads", 0)
        self.likes = spec.get("likes", 0)
        self.page_size = spec.get("page_size")
        self.faults = dict(spec.get("faults", {}))
        self.lock = threading.Lock()
        self.files = {}
        for f in spec.get("files", []):
            if "source" in f:
                path = f["source"]
                size = os.path.getsize(path)
                sha = f.get("sha256") or file_sha256(path)
                self.files[f["path"]] = {"source": path, "size": size, "sha256": sha, "data": None}
            else:
                data = f["text"].encode()
                self.files[f["path"]] = {"source": None, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                                         "data": data, "lfs": False}

    def take(self, name):
        """Consumes one use of a counted fault; True while it still applies."""
        with self.lock:
            left = self.faults.get(name, 0)
            if left > 0:
                self.faults[name] = left - 1
                return True
            return False


SHA_CACHE = {}


def file_sha256(path):
    key = (path, os.path.getsize(path), os.path.getmtime(path))
    if key not in SHA_CACHE:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        SHA_CACHE[key] = h.hexdigest()
    return SHA_CACHE[key]


class State:
    repos = {}
    token = None
    log = []
    log_lock = threading.Lock()
    api_port = 0
    storage_port = 0


def record(handler, status, note=""):
    with State.log_lock:
        State.log.append({"method": handler.command, "path": handler.path, "status": status,
                          "range": handler.headers.get("Range"), "authorization": handler.headers.get("Authorization"),
                          "server": handler.server.role, "note": note})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        record(self, status)

    def error(self, status, code, message):
        self.send_json(status, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message})

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        try:
            if self.server.role == "storage":
                return self.storage()
            url = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(url.path)
            query = urllib.parse.parse_qs(url.query)
            if path == "/_log":
                with State.log_lock:
                    return self.send_json(200, State.log)
            if path == "/api/models":
                return self.search(query)
            if path.startswith("/api/models/"):
                return self.api(path[len("/api/models/"):], query)
            parts = path.lstrip("/").split("/")
            if len(parts) >= 5 and parts[2] == "resolve":
                return self.resolve("/".join(parts[:2]), parts[3], "/".join(parts[4:]))
            self.error(404, "NotFound", "no route for " + path)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def authorized(self, repo):
        if not repo.gated:
            return True
        auth = self.headers.get("Authorization")
        if auth is None:
            self.error(401, "GatedRepo", "Access to model %s is restricted. You must be authenticated to access it." % repo.id)
            return False
        if auth != "Bearer " + (State.token or ""):
            self.error(403, "GatedRepo", "Access to model %s is restricted and you are not in the authorized list." % repo.id)
            return False
        return True

    def search(self, query):
        term = (query.get("search") or [""])[0].lower()
        limit = int((query.get("limit") or ["20"])[0])
        hits = [r for r in State.repos.values() if term in r.id.lower()]
        if (query.get("filter") or [""])[0] == "gguf":
            hits = [r for r in hits if any(p.endswith(".gguf") for p in r.files)]
        if (query.get("sort") or [""])[0] == "downloads":
            hits.sort(key=lambda r: -r.downloads)
        self.send_json(200, [{"_id": "%024x" % abs(hash(r.id)), "id": r.id, "modelId": r.id, "likes": r.likes,
                              "trendingScore": 0, "private": False, "downloads": r.downloads,
                              "tags": ["gguf", "text-generation"], "pipeline_tag": "text-generation",
                              "library_name": "gguf", "createdAt": "2024-11-01T10:00:00.000Z"} for r in hits[:limit]])

    def api(self, rest, query):
        parts = rest.split("/")
        repo = State.repos.get("/".join(parts[:2]))
        if repo is None:
            return self.error(404, "RepoNotFound", "Repository Not Found for url: " + self.path)
        if not self.authorized(repo):
            return
        if len(parts) == 2 or (len(parts) == 4 and parts[2] == "revision"):
            return self.send_json(200, {
                "_id": "%024x" % abs(hash(repo.id)), "id": repo.id, "modelId": repo.id, "author": repo.id.split("/")[0],
                "sha": COMMIT, "lastModified": "2024-11-01T10:00:00.000Z", "private": False, "disabled": False,
                "gated": "manual" if repo.gated else False, "downloads": repo.downloads, "likes": repo.likes,
                "tags": ["gguf"], "pipeline_tag": "text-generation", "library_name": "gguf",
                "siblings": [{"rfilename": p} for p in sorted(repo.files)], "usedStorage": sum(f["size"] for f in repo.files.values())})
        if len(parts) >= 4 and parts[2] == "tree":
            if parts[3] not in ("main", COMMIT):
                return self.error(404, "RevisionNotFound", "Invalid rev id: " + parts[3])
            entries = []
            for p in sorted(repo.files):
                f = repo.files[p]
                entry = {"type": "file", "oid": hashlib.sha1(p.encode()).hexdigest(), "size": f["size"], "path": p}
                if f.get("lfs", True):
                    entry["lfs"] = {"oid": f["sha256"], "size": f["size"], "pointerSize": 134}
                entries.append(entry)
            headers = {}
            if repo.page_size:
                start = int((query.get("cursor") or ["0"])[0])
                page = entries[start:start + repo.page_size]
                if start + repo.page_size < len(entries):
                    headers["Link"] = '<http://127.0.0.1:%d/api/models/%s/tree/%s?recursive=true&cursor=%d>; rel="next"' % (
                        State.api_port, repo.id, parts[3], start + repo.page_size)
                entries = page
            return self.send_json(200, entries, headers)
        self.error(404, "NotFound", "no route")

    def resolve(self, repo_id, revision, path):
        repo = State.repos.get(repo_id)
        if repo is None:
            return self.error(404, "RepoNotFound", "Repository Not Found")
        if not self.authorized(repo):
            return
        if revision not in ("main", COMMIT):
            return self.error(404, "RevisionNotFound", "Invalid rev id: " + revision)
        f = repo.files.get(path)
        if f is None:
            return self.error(404, "EntryNotFound", "Entry not found")
        if repo.faults.get("status") and repo.take("status_times"):
            return self.error(repo.faults["status"], "", "injected failure")
        location = "http://127.0.0.1:%d/%s/%s/%s" % (State.storage_port, repo_id, COMMIT, urllib.parse.quote(path))
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("X-Linked-Etag", '"%s"' % f["sha256"])
        self.send_header("X-Linked-Size", str(f["size"]))
        self.send_header("ETag", '"%s"' % hashlib.sha1(path.encode()).hexdigest())
        self.send_header("Content-Length", "0")
        self.end_headers()
        record(self, 302)

    def storage(self):
        parts = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/").split("/")
        repo = State.repos.get("/".join(parts[:2]))
        f = repo.files.get("/".join(parts[3:])) if repo else None
        if f is None:
            return self.error(404, "EntryNotFound", "no such object")
        size = f["size"]
        start, end = 0, size - 1
        rng = self.headers.get("Range")
        partial = False
        if rng and rng.startswith("bytes=") and not repo.faults.get("ignore_range"):
            a, _, b = rng[len("bytes="):].partition("-")
            start = int(a)
            end = int(b) if b else size - 1
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return record(self, 416)
            partial = True
        count = end - start + 1
        self.send_response(206 if partial else 200)
        self.send_header("Content-Length", str(count))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", '"%s"' % f["sha256"])
        if partial:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        cut = repo.faults.get("cut_after") if repo.take("cut_times") else None
        stall = repo.faults.get("stall_after") if repo.take("stall_times") else None
        if stall is not None:
            cut = stall
        record(self, 206 if partial else 200, "cut after %d" % cut if cut is not None else "")
        if self.command == "HEAD":
            return
        self.send_body(f, repo, start, count, cut, stall)

    def send_body(self, f, repo, start, count, cut, stall=None):
        corrupt = repo.faults.get("corrupt_at")
        rate = repo.faults.get("rate")
        limit = count if cut is None else min(count, cut)
        if f["data"] is not None:
            self.wfile.write(f["data"][start:start + limit])
        elif corrupt is None and rate is None:
            self.wfile.flush()
            with open(f["source"], "rb") as src:
                sent = 0
                while sent < limit:
                    n = os.sendfile(self.connection.fileno(), src.fileno(), start + sent, min(limit - sent, 1 << 24))
                    if n == 0:
                        break
                    sent += n
        else:
            chunk = 64 << 10 if rate else 1 << 20
            began = time.monotonic()
            with open(f["source"], "rb") as src:
                src.seek(start)
                sent = 0
                while sent < limit:
                    data = bytearray(src.read(min(chunk, limit - sent)))
                    if not data:
                        break
                    if corrupt is not None and start + sent <= corrupt < start + sent + len(data):
                        data[corrupt - start - sent] ^= 0xFF
                    self.wfile.write(data)
                    sent += len(data)
                    if rate:
                        ahead = sent / rate - (time.monotonic() - began)
                        if ahead > 0:
                            time.sleep(ahead)
        if stall is not None:
            self.wfile.flush()
            time.sleep(repo.faults.get("stall_seconds", 10))   # headers and some bytes, then silence
        if cut is not None:
            self.wfile.flush()
            self.close_connection = True
            try:
                import socket
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, role):
        super().__init__(("127.0.0.1", 0), Handler)
        self.role = role


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--lifetime", type=float, default=900)
    args = parser.parse_args()
    config = json.load(open(args.config))
    State.token = config.get("token")
    State.repos = {r["id"]: Repo(r) for r in config.get("repos", [])}
    api, storage = Server("api"), Server("storage")
    State.api_port, State.storage_port = api.server_address[1], storage.server_address[1]
    for s in (api, storage):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as out:
        json.dump({"api": State.api_port, "storage": State.storage_port, "pid": os.getpid()}, out)
    os.rename(tmp, args.port_file)
    parent = os.getppid()
    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline and os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


if __name__ == "__main__":
    main()
