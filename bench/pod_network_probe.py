#!/usr/bin/env python3
"""Pod-to-pod TCP throughput and latency, run by bench/pod_network_bench.sh inside pods'
network namespaces (ip netns exec): `serve PORT` answers on PORT (a stream of bytes is read and
counted; each 1-byte message of a ping-pong is echoed); `measure HOST PORT MIB ROUNDS` sends MIB
MiB, then ROUNDS 1-byte round trips, and prints one JSON line: MiB/s and round-trip
microseconds (mean, p50, p99)."""
import json
import socket
import sys
import time


def serve(port):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(4)
    for _ in range(2):  # the bulk transfer, then the ping-pong
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        kind = conn.recv(1)
        if kind == b"B":
            while conn.recv(1 << 20):
                pass
            conn.sendall(b"k")
        else:
            while True:
                b = conn.recv(1)
                if not b:
                    break
                conn.sendall(b)
        conn.close()


def measure(host, port, mib, rounds):
    chunk = b"\0" * (1 << 20)
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(b"B")
    start = time.perf_counter()
    for _ in range(mib):
        s.sendall(chunk)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    seconds = time.perf_counter() - start
    s.close()
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b"P")
    rtts = []
    for _ in range(rounds):
        t = time.perf_counter()
        s.sendall(b"x")
        s.recv(1)
        rtts.append((time.perf_counter() - t) * 1e6)
    s.close()
    rtts.sort()
    print(json.dumps({"mib_per_s": round(mib / seconds, 1),
                      "rtt_us_mean": round(sum(rtts) / len(rtts), 1),
                      "rtt_us_p50": round(rtts[len(rtts) // 2], 1),
                      "rtt_us_p99": round(rtts[int(len(rtts) * 0.99)], 1)}))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        measure(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
