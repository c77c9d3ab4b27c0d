#!/usr/bin/env python3
"""Attacks the master's join port (mutual TLS) from outside and checks that nothing gets in
and nothing stalls. Usage: join_port_test.py JOIN_PORT API_PORT CA_FILE KUBECONFIG_TOKEN

Every probe first proves it reached the port (the TCP connect succeeds), so that "refused" is
never confused with "the probe failed". Prints `N passed, N failed`; exits 1 on any failure.
"""
import os
import socket
import ssl
import sys
import threading
import time
import urllib.request

join_port, api_port = int(sys.argv[1]), int(sys.argv[2])
ca_file, token = sys.argv[3], sys.argv[4]
passes = failures = 0


def check(what, ok, detail=""):
    global passes, failures
    if ok:
        passes += 1
    else:
        failures += 1
        print(f"FAIL: {what} {detail}")


def connect():
    s = socket.create_connection(("127.0.0.1", join_port), timeout=5)
    return s


def closed_by_server(s, within):
    """True when the server closes (EOF or reset) within `within` seconds."""
    s.settimeout(0.5)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            data = s.recv(65536)
            if data == b"":
                return True
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


def api_answers():
    ctx = ssl.create_default_context(cafile=ca_file)
    req = urllib.request.Request(f"https://127.0.0.1:{api_port}/healthz",
                                 headers={"Authorization": f"Bearer {token}"})
    start = time.monotonic()
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return r.status == 200 and time.monotonic() - start < 5


# 1. Random bytes: the TLS layer refuses them and the connection is closed.
s = connect()
s.sendall(os.urandom(4096))
check("random bytes close the connection", closed_by_server(s, 15))
s.close()

# 2. 10 MB of junk: closed early, the master does not buffer it all.
s = connect()
sent = 0
try:
    chunk = os.urandom(1 << 16)
    while sent < 10 << 20:
        s.sendall(chunk)
        sent += len(chunk)
except (BrokenPipeError, ConnectionResetError, socket.timeout):
    pass
check("10 MB of junk is cut off", closed_by_server(s, 15), f"(sent {sent} bytes)")
s.close()

# 3. A truncated handshake: the first bytes of a real ClientHello, then silence. The guard
# closes it once its grace (10 s) has passed.
hello_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
hello_ctx.check_hostname = False
hello_ctx.verify_mode = ssl.CERT_NONE
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = hello_ctx.wrap_bio(incoming, outgoing)
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
client_hello = outgoing.read()
s = connect()
s.sendall(client_hello[:40])
start = time.monotonic()
check("a truncated handshake is closed", closed_by_server(s, 25))
check("... within a few seconds of the grace", time.monotonic() - start < 25)
s.close()

# 4. A TLS client without a certificate gets nowhere: the handshake fails.
raw = connect()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
refused = False
try:
    t = ctx.wrap_socket(raw)
    # TLS 1.3 clients learn of a missing certificate on their first read.
    t.settimeout(10)
    t.sendall(b"\x00" * 16)
    refused = t.recv(16) == b""
except (ssl.SSLError, ConnectionResetError, BrokenPipeError, OSError):
    refused = True
check("a TLS client without a certificate is refused", refused)
raw.close()

# 5. 500 idle connections: the API keeps answering while they are open, and they are closed.
idle = []
for _ in range(500):
    idle.append(connect())
check("500 idle connections were accepted", len(idle) == 500)
check("the API answers with 500 idle join connections", api_answers())
open("idle-open", "w").write("500\n")  # the driver starts a real agent now
deadline = time.monotonic() + 30
remaining = list(idle)
while remaining and time.monotonic() < deadline:
    still = []
    for s in remaining:
        s.setblocking(False)
        try:
            # Whatever the master sent before its end (a TLS alert) is read at once: one byte a
            # round would take ~15 s for an alert of 30 bytes.
            while s.recv(4096) != b"":
                pass
        except BlockingIOError:
            still.append(s)
        except (ConnectionResetError, OSError):
            pass
    remaining = still
    if remaining:
        time.sleep(0.5)
check("the 500 idle connections are closed by the master", not remaining,
      f"({len(remaining)} still open)")
for s in idle:
    s.close()
check("the API still answers", api_answers())
print(f"{passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
