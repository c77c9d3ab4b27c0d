#!/usr/bin/env python3
"""What clients cost the API server: its threads, memory mappings and RSS after N plain TCP
connect+close, after N TLS requests, with W open watches (each receiving every event), and its
peak RSS while it refuses a YAML alias bomb. Starts its own master on 127.0.0.1 with simulated
nodes; prints a table and one JSON line.

Usage: bench/api_load.py CAPSTAN [--connections 100000] [--tls 2000] [--watchers 10000]"""

import argparse
import base64
import json
import os
import resource
import selectors
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import yaml

parser = argparse.ArgumentParser()
parser.add_argument("capstan")
parser.add_argument("--connections", type=int, default=100000)
parser.add_argument("--tls", type=int, default=2000)
parser.add_argument("--watchers", type=int, default=10000)
args = parser.parse_args()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

work = tempfile.mkdtemp(prefix="capstan-api-load-")
port = 20000 + os.getpid() % 12000
log = open(os.path.join(work, "master.log"), "w")
master = subprocess.Popen([args.capstan, "master", "--data", os.path.join(work, "data"),
                           "--api", f"127.0.0.1:{port}", "--join", f"127.0.0.1:{port + 1}",
                           "--fake-nodes", "3", "--max-connections", str(args.watchers + 1000)],
                          stdout=log, stderr=subprocess.STDOUT)
try:
    deadline = time.time() + 30
    while "capstan master: ready" not in open(os.path.join(work, "master.log")).read():
        if time.time() > deadline or master.poll() is not None:
            sys.exit("the master did not start: " + open(os.path.join(work, "master.log")).read())
        time.sleep(0.1)
    config = yaml.safe_load(open(os.path.join(work, "data", "admin.kubeconfig")))
    ca = base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
    token = config["users"][0]["user"]["token"]
    tls = ssl.create_default_context(cadata=ca)

    def stats():
        status = {l.split(":")[0]: l.split(":")[1].strip()
                  for l in open(f"/proc/{master.pid}/status") if ":" in l}
        return {"threads": int(status["Threads"]),
                "maps": sum(1 for _ in open(f"/proc/{master.pid}/maps")),
                "rss_mib": int(status["VmRSS"].split()[0]) // 1024,
                "peak_rss_mib": int(status["VmHWM"].split()[0]) // 1024}

    def request(method, path, body=b"", ctype="application/json"):
        s = tls.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
        s.sendall((f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                   f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                   ).encode() + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        return data

    def connections_gauge():
        for line in request("GET", "/metrics").decode().splitlines():
            if line.startswith("capstan_apiserver_connections "):
                return int(float(line.split()[1]))
        return -1

    def settle():
        deadline = time.time() + 30
        while connections_gauge() > 1 and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(11)  # the server returns freed buffers every 10 s

    rows = []
    results = {}
    start = stats()
    rows.append(("at start", start))

    t = time.time()
    for i in range(args.connections):
        s = socket.create_connection(("127.0.0.1", port))
        s.close()
    results["tcp_churn_per_s"] = round(args.connections / (time.time() - t))
    t = time.time()
    for i in range(args.tls):
        request("GET", "/healthz")
    results["tls_requests_per_s"] = round(args.tls / (time.time() - t))
    settle()
    rows.append((f"after {args.connections:,} TCP + {args.tls:,} TLS connections", stats()))

    request("POST", "/api/v1/namespaces", json.dumps(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "load"}}).encode())
    before_watch = stats()
    sel = selectors.DefaultSelector()
    watch = (f"GET /api/v1/namespaces/load/pods?watch=true HTTP/1.1\r\nHost: x\r\n"
             f"Authorization: Bearer {token}\r\n\r\n").encode()
    watchers = {}
    t = time.time()
    for i in range(args.watchers):
        s = tls.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
        s.sendall(watch)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        watchers[s] = b""
    results["watch_open_s"] = round(time.time() - t, 1)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    t = time.time()
    request("POST", "/api/v1/namespaces/load/pods", json.dumps(pod).encode())
    pending = set(watchers)
    deadline = time.time() + 120
    while pending and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            while True:
                try:
                    piece = s.recv(65536)
                except (ssl.SSLWantReadError, BlockingIOError):
                    break
                except OSError:
                    piece = b""
                if not piece:
                    pending.discard(s)
                    sel.unregister(s)
                    break
                watchers[s] += piece
            if b'"type":"ADDED"' in watchers[s]:
                pending.discard(s)
    results["watch_fanout_s"] = round(time.time() - t, 2)
    results["watchers_served"] = sum(1 for v in watchers.values() if b'"type":"ADDED"' in v)
    with_watchers = stats()
    rows.append((f"with {args.watchers:,} watches open", with_watchers))
    results["rss_per_watch_kib"] = round((with_watchers["rss_mib"] - before_watch["rss_mib"]) * 1024 /
                                         max(args.watchers, 1), 1)
    for s in watchers:
        s.close()
    settle()
    rows.append(("after the watches closed", stats()))

    bomb = ("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
            "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n"
                    for i in range(8))).encode()
    before_bomb = stats()
    t = time.time()
    answer = request("POST", "/api/v1/namespaces/default/pods", bomb, "application/yaml")
    results["alias_bomb_ms"] = round((time.time() - t) * 1000, 1)
    results["alias_bomb_status"] = int(answer.split()[1])
    after_bomb = stats()
    results["alias_bomb_peak_rss_growth_mib"] = after_bomb["peak_rss_mib"] - before_bomb["peak_rss_mib"]
    rows.append(("after the alias bomb", after_bomb))

    print(f"{'master':<48} {'threads':>8} {'maps':>6} {'RSS MiB':>8} {'peak MiB':>9}")
    for name, s in rows:
        print(f"{name:<48} {s['threads']:>8} {s['maps']:>6} {s['rss_mib']:>8} {s['peak_rss_mib']:>9}")
    for k, v in results.items():
        print(f"{k:<48} {v}")
    print(json.dumps({"rows": {name: s for name, s in rows}, **results}))
finally:
    master.terminate()
    master.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)
