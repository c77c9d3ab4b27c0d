// Runs probe actions off the runtime's thread, each bounded by its timeoutSeconds, as the
// kubelet does: tcpSocket and httpGet connect from the node to the pod's IP (or the probe's
// host), exec runs the command in the container (runc exec). The runner's workers are few and
// fixed; a container never has the same probe in flight twice (container_probes.hpp), so the
// queue is bounded by three probes per container.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "messages/objects.hpp"

namespace capstan::nodeagent {

// Where a probe of one container goes.
struct probe_target {
  std::string pod_ip;
  std::vector<messages::container_port> ports;  // to resolve named ports
  std::string runc_root, container_id;          // for exec
};

struct probe_outcome {
  bool success = false;
  std::string message;  // why it failed ("" on success), at most 1 KiB
};

// Runs `probe`'s action against `target`, blocking for at most its timeoutSeconds (at least 1 s).
// httpGet succeeds on a status from 200 to 399 (HTTPS: through TLS, the certificate not checked,
// as the kubelet does); tcpSocket on a connection; exec on exit code 0.
probe_outcome run_probe(const messages::probe& probe, const probe_target& target);

// The port a probe names (a number, or a container port's name); 0 when it names none.
int32_t resolve_probe_port(const messages::int_or_string& port,
                           const std::vector<messages::container_port>& ports);

// A few worker threads running submitted jobs in order of submission.
class probe_runner {
public:
  explicit probe_runner(std::size_t workers = 2);
  // Waits for the jobs running now; the ones not started are dropped.
  ~probe_runner();
  probe_runner(const probe_runner&) = delete;
  probe_runner& operator=(const probe_runner&) = delete;

  void submit(std::function<void()> job);

private:
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace capstan::nodeagent
