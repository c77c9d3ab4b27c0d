#!/usr/bin/env python3
"""The API server holds under hostile clients: connection churn, idle sockets, 1,000 watchers,
request floods, oversized and malformed bodies and parameters. Every probe tells "refused"
(an HTTP status with a Kubernetes Status) apart from "the probe failed" (no answer).

Usage: api_limits_test.py KUBECONFIG MASTER_PID
The master runs with --max-requests-inflight 8 so that a flood meets the limit."""

import base64
import json
import re
import os
import selectors
import socket
import ssl
import subprocess
import sys
import threading
import time

import yaml

# An instrumented master (scripts/test --sanitize, which exports CAPSTAN_SANITIZE) runs slower
# and holds more memory: time and memory bounds grant it tests/sanitizers/budget.hpp's factors.
SANITIZER = os.environ.get("CAPSTAN_SANITIZE", "")
TIME_FACTOR = {"address": 3, "thread": 10}.get(SANITIZER, 1)
MEMORY_FACTOR = {"address": 3, "thread": 8}.get(SANITIZER, 1)

kubeconfig, master_pid = sys.argv[1], int(sys.argv[2])
config = yaml.safe_load(open(kubeconfig))
server = config["clusters"][0]["cluster"]["server"]
ca_pem = base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
token = config["users"][0]["user"]["token"]
host, port = server[len("https://"):].rsplit(":", 1)
port = int(port)
tls = ssl.create_default_context(cadata=ca_pem)

passes = 0
failures = 0


def check(what, ok, detail=""):
    global passes, failures
    if ok:
        passes += 1
    else:
        failures += 1
        print(f"FAIL: {what}" + (f" ({detail})" if detail else ""), flush=True)


def proc(pid):
    """Threads, memory mappings, RSS and peak RSS (KiB) of a process."""
    status = open(f"/proc/{pid}/status").read().splitlines()
    field = {line.split(":")[0]: line.split(":")[1].strip() for line in status if ":" in line}
    maps = sum(1 for _ in open(f"/proc/{pid}/maps"))
    return {"threads": int(field["Threads"]), "maps": maps,
            "rss": int(field["VmRSS"].split()[0]), "hwm": int(field["VmHWM"].split()[0])}


def connect(timeout=10):
    raw = socket.create_connection((host, port), timeout=timeout)
    return tls.wrap_socket(raw, server_hostname=host)


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    def json(self):
        return json.loads(self.body)


def read_response(sock, deadline):
    """Reads one HTTP response (Content-Length or chunked); None when the connection ends or
    the deadline passes first."""
    data = b""
    while b"\r\n\r\n" not in data:
        sock.settimeout(max(deadline - time.time(), 0.01))
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, OSError):
            return None
        if not chunk:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        want = int(headers["content-length"])
        while len(rest) < want:
            sock.settimeout(max(deadline - time.time(), 0.01))
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, OSError):
                return None
            if not chunk:
                return None
            rest += chunk
        return status, headers, rest[:want]
    return status, headers, rest  # chunked streams are read by the caller


def request(method, path, body=None, content_type="application/json", headers=None,
            timeout=10.0):
    """One request on a fresh connection; a Response, or None when no answer came."""
    started = time.time()
    try:
        sock = connect(timeout)
    except OSError as e:
        print(f"probe failed: connect: {e}")
        return None
    try:
        if isinstance(body, str):
            body = body.encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                f"Accept: application/json\r\n{extra}")
        if body is not None:
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        sock.sendall((head + "\r\n").encode() + (body or b""))
        got = read_response(sock, started + timeout)
        if got is None:
            return None
        return Response(*got, time.time() - started)
    except OSError as e:
        print(f"probe failed: {method} {path[:80]}: {e}")
        return None
    finally:
        sock.close()


def metric(name):
    r = request("GET", "/metrics")
    if r is None:
        return None
    for line in r.body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def gauge_at_most(name, bound):
    value = metric(name)
    return value is not None and value <= bound


def wait_until(what, seconds, predicate):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    print(f"timed out waiting for {what}")
    return False


def is_status(r, code, reason=None):
    if r is None or r.status != code:
        return False
    try:
        body = r.json()
    except ValueError:
        return False
    return body.get("kind") == "Status" and (reason is None or body.get("reason") == reason)


def describe(r):
    return "no answer" if r is None else f"{r.status} {r.body[:200]!r} in {r.seconds:.2f}s"


# ---- connection churn ------------------------------------------------------------------------
never_speaks = socket.create_connection((host, port))  # opens TCP, never starts TLS
never_speaks_opened = time.time()
baseline = proc(master_pid)
print(f"master at start: {baseline}", flush=True)

started = time.time()
for i in range(20000):
    s = socket.create_connection((host, port))
    s.close()
print(f"20,000 TCP connect+close in {time.time() - started:.1f}s", flush=True)
started = time.time()
for i in range(300):
    r = request("GET", "/healthz")
    if r is None or r.status != 200:
        check("/healthz during churn", False, describe(r))
        break
print(f"300 TLS connect+GET /healthz+close in {time.time() - started:.1f}s", flush=True)

idle = []
try:
    for i in range(2000):
        idle.append(socket.create_connection((host, port)))
except OSError as e:
    check("2,000 idle sockets open", False, str(e))
check("2,000 idle sockets open", len(idle) == 2000, f"{len(idle)} opened")
r = request("GET", "/api/v1/namespaces/default/pods")
check("a list answers in under 1 s while 2,000 idle sockets are open",
      r is not None and r.status == 200 and r.seconds < 1.0 * TIME_FACTOR, describe(r))
env = dict(os.environ, KUBECONFIG=kubeconfig)
started = time.time()
kubectl = subprocess.run(["kubectl", "get", "nodes"], env=env, capture_output=True, text=True,
                         timeout=30)
kubectl_seconds = time.time() - started
check("kubectl get nodes works while 2,000 idle sockets are open",
      kubectl.returncode == 0 and "Ready" in kubectl.stdout, kubectl.stderr)
check("kubectl get nodes answers in under 2 s (process start included)", kubectl_seconds < 2.0,
      f"{kubectl_seconds:.2f}s")
during = proc(master_pid)
print(f"master with 2,000 idle sockets: {during}", flush=True)
check("idle sockets cost no threads", during["threads"] <= baseline["threads"] + 2,
      f"{baseline['threads']} -> {during['threads']}")
for s in idle:
    s.close()

# The socket that never started TLS is closed by the server after the handshake timeout (10 s).
never_speaks.settimeout(max(20 - (time.time() - never_speaks_opened), 1))
try:
    closed = never_speaks.recv(1) == b""
except socket.timeout:
    closed = False
except OSError:
    closed = True  # reset by the server: closed too
check("a connection that never starts TLS is closed by the server within 20 s", closed)
never_speaks.close()

check("connections drop back after the churn",
      wait_until("the connection gauge", 20,
                 lambda: gauge_at_most("capstan_apiserver_connections", 2)))
after = proc(master_pid)
print(f"master after churn: {after}", flush=True)
check("threads back to their start after churn", after["threads"] <= baseline["threads"] + 2,
      f"{baseline['threads']} -> {after['threads']}")
check("memory mappings back near their start after churn", after["maps"] <= baseline["maps"] + 40,
      f"{baseline['maps']} -> {after['maps']}")

# ---- requests in flight ----------------------------------------------------------------------
r = request("POST", "/api/v1/namespaces",
            json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flood"}}))
check("namespace flood created", r is not None and r.status == 201, describe(r))
rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "many"},
      "spec": {"replicas": 300, "selector": {"app": "many"},
               "template": {"metadata": {"labels": {"app": "many"}},
                            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
r = request("POST", "/api/v1/namespaces/flood/replicationcontrollers", json.dumps(rc))
check("an RC of 300 pods created", r is not None and r.status == 201, describe(r))
wait_until("300 pods", 30, lambda: len(
    (request("GET", "/api/v1/namespaces/flood/pods") or Response(0, {}, b'{"items":[]}', 0))
    .json().get("items", [])) >= 300)
# 200 keep-alive connections send a list at the same moment; at most 8 may be in flight.
flood = []
for i in range(200):
    flood.append(connect())
raw = (f"GET /api/v1/namespaces/flood/pods HTTP/1.1\r\nHost: {host}\r\n"
       f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n").encode()
for s in flood:
    s.sendall(raw)
codes = {}
retry_after_ok = True
deadline = time.time() + 60
for s in flood:
    got = read_response(s, deadline)
    code = got[0] if got else None
    codes[code] = codes.get(code, 0) + 1
    if code == 429:
        retry_after_ok &= got[1].get("retry-after") == "1" and \
            json.loads(got[2]).get("reason") == "TooManyRequests"
    s.close()
print(f"200 simultaneous lists: {codes}", flush=True)
check("a flood over --max-requests-inflight gets 429s", codes.get(429, 0) > 0, str(codes))
check("every flooded request is answered 200 or 429",
      set(codes) <= {200, 429} and sum(codes.values()) == 200, str(codes))
check("429s carry Retry-After: 1 and reason TooManyRequests", retry_after_ok)
r = request("GET", "/api/v1/namespaces/flood/pods?limit=1")
check("the server answers after the flood", r is not None and r.status == 200, describe(r))
request("DELETE", "/api/v1/namespaces/flood")

# ---- 1,000 watchers --------------------------------------------------------------------------
r = request("POST", "/api/v1/namespaces",
            json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "watched"}}))
check("namespace watched created", r is not None and r.status == 201, describe(r))
listed = request("GET", "/api/v1/namespaces/watched/pods")
rv = listed.json()["metadata"]["resourceVersion"] if listed and listed.status == 200 else "0"
before_watch = proc(master_pid)
watchers = []
sel = selectors.DefaultSelector()
started = time.time()
watch_request = (f"GET /api/v1/namespaces/watched/pods?watch=true&resourceVersion={rv} HTTP/1.1\r\n"
                 f"Host: {host}\r\nAuthorization: Bearer {token}\r\n\r\n").encode()
for i in range(1000):
    try:
        s = connect()
        s.sendall(watch_request)
        watchers.append(s)
    except OSError as e:
        print(f"watcher {i}: {e}")
        break
check("1,000 watches opened", len(watchers) == 1000, f"{len(watchers)}")
print(f"1,000 watches opened in {time.time() - started:.1f}s", flush=True)
seen = {}
for s in watchers:
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    seen[s] = b""
pods = 5
for i in range(pods):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"w{i}"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    r = request("POST", "/api/v1/namespaces/watched/pods", json.dumps(pod))
    check(f"pod w{i} created", r is not None and r.status == 201, describe(r))


def refused_whole(data):
    # A 429 received in full: the server may keep the connection open for a next request.
    if not data.startswith(b"HTTP/1.1 429"):
        return False
    head, sep, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    return bool(sep) and length is not None and len(body) >= int(length.group(1))


def complete(data):
    return all(f'"name":"w{i}"'.encode() in data for i in range(pods)) and \
        data.count(b'"type":"ADDED"') >= pods


deadline = time.time() + 60
pending = set(watchers)
retries = 0
while pending and time.time() < deadline:
    for key, _ in sel.select(timeout=1):
        s = key.fileobj
        # Read until the TLS layer wants more from the socket: records it already holds are
        # invisible to the selector.
        chunk, ended = b"", False
        while True:
            try:
                piece = s.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                break
            except OSError:
                piece = b""
            if not piece:
                ended = True
                break
            chunk += piece
        seen[s] += chunk
        if ended or refused_whole(seen[s]):
            sel.unregister(s)
            pending.discard(s)
            s.close()
            # A watch's start counts against --max-requests-inflight (8 here) while it reads the
            # journal: a burst of starts may be refused with 429 and Retry-After: 1, and a
            # client then tries again, as client-go does. The replay from resourceVersion still
            # brings it every event.
            if seen[s].startswith(b"HTTP/1.1 429") and retries < 1000:
                retries += 1
                time.sleep(0.05)
                again = connect()
                again.sendall(watch_request)
                again.setblocking(False)
                sel.register(again, selectors.EVENT_READ)
                watchers[watchers.index(s)] = again
                seen[again] = b""
                pending.add(again)
        elif s in pending and complete(seen[s]):
            pending.discard(s)
got_all = sum(1 for s in watchers if complete(seen[s]))
closed_early = sum(1 for s in watchers if not complete(seen[s]) and s not in pending)
print(f"watch starts refused with 429 and tried again: {retries}", flush=True)
check("all 1,000 watchers received every event", got_all == 1000,
      f"{got_all} did; of the others, {closed_early} were closed by the server, "
      f"{len(pending)} were still waiting after {time.time() - started:.0f}s")
with_watchers = proc(master_pid)
print(f"master with 1,000 watchers: {with_watchers}", flush=True)
check("1,000 watchers cost no threads",
      with_watchers["threads"] <= before_watch["threads"] + 2,
      f"{before_watch['threads']} -> {with_watchers['threads']}")
check("1,000 watchers cost under 200 MiB",
      with_watchers["rss"] - before_watch["rss"] < 200 * 1024 * MEMORY_FACTOR,
      f"{(with_watchers['rss'] - before_watch['rss']) // 1024} MiB")
for s in watchers:
    try:
        sel.unregister(s)
    except (KeyError, ValueError):
        pass
    s.close()
check("watches end when their clients go",
      wait_until("the long-running gauge", 20,
                 lambda: gauge_at_most("capstan_apiserver_longrunning_requests", 0)))

# A watch from a resourceVersion not reached yet: an ERROR event after ~3 s, then a clean end.
current = int(request("GET", "/api/v1/namespaces/watched/pods").json()["metadata"]["resourceVersion"])
sock = connect()
sock.sendall((f"GET /api/v1/namespaces/watched/pods?watch=true&resourceVersion={current + 1000} "
              f"HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
stream = b""
deadline = time.time() + 15
while time.time() < deadline and not stream.endswith(b"0\r\n\r\n"):
    sock.settimeout(max(deadline - time.time(), 0.01))
    try:
        chunk = sock.recv(65536)
    except (socket.timeout, OSError):
        break
    if not chunk:
        break
    stream += chunk
sock.close()
check("a watch from a future resourceVersion answers 200, then an ERROR event",
      stream.startswith(b"HTTP/1.1 200") and b'"type":"ERROR"' in stream and
      b"Too large resource version" in stream, stream[:300])
check("... and ends its stream cleanly (last chunk)", stream.endswith(b"0\r\n\r\n"), stream[-50:])

# ---- malformed parameters --------------------------------------------------------------------
for query, what in [("watch=true&resourceVersion=99999999999999999999", "a resourceVersion over 64 bits"),
                    ("resourceVersion=abc", "resourceVersion=abc"),
                    ("limit=-1", "limit=-1"),
                    ("limit=abc", "limit=abc"),
                    ("watch=true&timeoutSeconds=abc", "timeoutSeconds=abc")]:
    r = request("GET", f"/api/v1/namespaces/default/pods?{query}", timeout=5)
    check(f"{what} is a 400", is_status(r, 400, "BadRequest"), describe(r))
r = request("POST", "/api/v1/namespaces/default/pods?dryRun=Some",
            json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "d"},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}))
check("dryRun=Some is a 400", is_status(r, 400), describe(r))

# ---- hostile bodies --------------------------------------------------------------------------
def pod_with(**meta):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": dict(meta),
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


pods_path = "/api/v1/namespaces/default/pods"
hwm_before = proc(master_pid)["hwm"]

# A 100 MB body announced by Content-Length: 413 before it is read.
sock = connect()
started = time.time()
sock.sendall((f"POST {pods_path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
              f"Content-Type: application/json\r\nContent-Length: {100 * 1024 * 1024}\r\n\r\n"
              ).encode() + b"{" * 1000)
got = read_response(sock, started + 5)
sock.close()
check("a 100 MB body (Content-Length) is a 413 in under 1 s",
      got is not None and got[0] == 413 and time.time() - started < 1.0 * TIME_FACTOR,
      got and got[:2])

# The same in chunks with no Content-Length: 413 once 3 MiB have come.
sock = connect()
started = time.time()
sock.sendall((f"POST {pods_path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
              f"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode())
piece = b"%x\r\n" % (1024 * 1024) + b" " * (1024 * 1024) + b"\r\n"
sent_mib = 0
try:
    for i in range(100):
        sock.sendall(piece)
        sent_mib += 1
except OSError:
    pass
got = read_response(sock, time.time() + 5)
sock.close()
check("a 100 MB chunked body is a 413 without being read whole",
      got is not None and got[0] == 413 and sent_mib < 100, f"{got and got[:2]}, {sent_mib} MiB sent")

hostile = [
    ("invalid UTF-8 in a label value",
     b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"u","labels":{"app":"\xff\xfe"}},'
     b'"spec":{"containers":[{"name":"c","image":"nginx"}]}}', "application/json", 400,
     b"metadata.labels"),
    ("a NUL byte in the body", b'{"apiVersion":"v1","kind":"Pod",\x00}', "application/json", 400, None),
    ("100,000-deep [", b"[" * 100000, "application/json", 400, None),
    ("100,000-deep { in a field",
     b'{"apiVersion":"v1","kind":"Pod","metadata":' + b'{"a":' * 100000, "application/json", 400,
     None),
    ("a YAML alias bomb",
     ("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
      "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n"
              for i in range(8))).encode(), "application/yaml", 400, b"aliasing"),
]
for what, body, ctype, code, needle in hostile:
    r = request("POST", pods_path, body, content_type=ctype, timeout=5)
    ok = is_status(r, code) and r.seconds < 1.0 * TIME_FACTOR and \
        (needle is None or needle in r.body)
    check(f"{what} is a {code} in under 1 s", ok, describe(r))

labels = {f"k{i}": f"v{i}" for i in range(10000)}
r = request("POST", pods_path, json.dumps(pod_with(name="many-labels", labels=labels)), timeout=10)
check("10,000 labels are accepted in under 1 s",
      r is not None and r.status == 201 and r.seconds < 1.0 * TIME_FACTOR,
      describe(r))
r = request("GET", f"{pods_path}?labelSelector=" + "a" * (200 * 1024), timeout=5)
check("a 200 KB selector is a 414", r is not None and r.status == 414, describe(r))
r = request("GET", f"{pods_path}?labelSelector=" + ",".join(f"k{i}=v{i}" for i in range(5000)),
            timeout=5)
check("a 54 KB selector is answered (not a dropped connection)",
      r is not None and r.status in (200, 400), describe(r))
check("... and matches the pod with those labels",
      r is not None and r.status == 200 and b"many-labels" in r.body, describe(r))
r = request("POST", pods_path + "?dryRun=All", json.dumps(pod_with(name="a" * 30000)), timeout=5)
check("a 30,000-character name is a 422 (regexes once overflowed the stack)",
      is_status(r, 422, "Invalid"), describe(r))
r = request("GET", f"{pods_path}?labelSelector=a%3D" + "b" * 60000, timeout=5)
check("a 60,000-character selector value is a 400", is_status(r, 400), describe(r))
r = request("POST", pods_path + "?fieldManager=%ff", json.dumps(pod_with(name="fm")), timeout=5)
check("a fieldManager that is not UTF-8 is a 422", is_status(r, 422, "Invalid"), describe(r))
r = request("GET", pods_path, headers={"X-Big": "x" * 70000}, timeout=5)
check("a 70 KB header is answered 431", r is not None and r.status == 431, describe(r))
copies = [{"op": "add", "path": "/metadata/annotations", "value": {"x": "a" * 1000}}] + \
    [{"op": "copy", "from": "/metadata/annotations", "path": f"/metadata/annotations/c{i}"}
     for i in range(40)]
r = request("PATCH", f"{pods_path}/many-labels?dryRun=All", json.dumps(copies),
            content_type="application/json-patch+json", timeout=5)
check("a JSON patch that copies itself 40 times is refused quickly", r is not None and
      r.status in (400, 422) and r.seconds < 1.0 * TIME_FACTOR, describe(r))
r = request("GET", "/healthz")
check("the master is alive after the crashers", r is not None and r.status == 200, describe(r))
hwm_after = proc(master_pid)["hwm"]
check("hostile bodies raise the master's peak RSS by under 100 MiB",
      hwm_after - hwm_before < 100 * 1024 * MEMORY_FACTOR, f"{(hwm_after - hwm_before) // 1024} MiB")
r = request("GET", "/healthz")
check("the master is alive after all of it", r is not None and r.status == 200, describe(r))
final = proc(master_pid)
print(f"master at the end: {final}", flush=True)

print(f"{passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
