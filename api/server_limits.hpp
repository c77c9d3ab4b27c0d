// The API server's resource bounds: connections, requests in flight, timeouts and sizes. What a
// client can make the master spend is set here, never by the number of clients.
#pragma once

#include <chrono>
#include <cstddef>

namespace capstan::api {

struct server_limits {
  // Threads running the asynchronous network side (TLS, HTTP parsing, watch fan-out).
  std::size_t io_threads = 2;
  // Threads running request handlers, in two fixed pools so that heavy writes (each may wait
  // on the journal) cannot starve reads: reads (watch and log setup included), and writes.
  // A write thread mostly waits: for the group commit, or on a follower for the leader's
  // answer and its own read model catching up (~10 ms in the lab): the writes at once, and so
  // what a group commit gathers, are bounded by this (6 capped a follower near 200 writes/s).
  std::size_t handler_threads = 10;
  std::size_t write_threads = 32;

  // Open connections at most (watches included). Over it, a new connection is closed at once.
  // Lowered at start to what the process's file-descriptor limit allows.
  std::size_t max_connections = 16384;
  // Requests being handled or waiting for a handler thread, as kube-apiserver's
  // --max-requests-inflight / --max-mutating-requests-inflight; beyond them: 429 with
  // Retry-After. Long-running requests (watch, logs -f) are counted apart.
  std::size_t max_requests_inflight = 400;
  std::size_t max_mutating_requests_inflight = 200;
  // Open watches and logs -f at most; beyond: 429.
  std::size_t max_long_running = 12000;

  // A connection that has not finished its TLS handshake after this is closed.
  std::chrono::seconds handshake_timeout{10};
  // A request's headers must arrive within this (kube-apiserver's ReadHeaderTimeout: 32 s).
  std::chrono::seconds header_timeout{32};
  // A keep-alive connection with no new request for this long is closed (kube-apiserver: 90 s).
  std::chrono::seconds idle_timeout{90};
  // A request body, or one response write, must complete within this.
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds write_timeout{60};

  // Request line and headers together; beyond it: 414 (a long URL) or 431. Under 64 KiB, the
  // largest single field Beast can hold.
  std::size_t max_header_bytes = 64000;
  // A request body; beyond it: 413 without reading the rest (kube-apiserver: 3 MiB).
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  // A request body on the paths answered without a bearer token (a node's certificate
  // request); beyond it: 413.
  std::size_t max_public_body_bytes = 64 * 1024;
  // Request bodies held in memory at once, over all connections; beyond it: 429.
  std::size_t max_body_memory = 256 * 1024 * 1024;
  // Bytes queued toward one streaming client (a watch that does not read); beyond it the
  // stream ends, as kube-apiserver drops a watcher whose buffer is full.
  std::size_t max_stream_backlog = 8 * 1024 * 1024;
};

}  // namespace capstan::api
