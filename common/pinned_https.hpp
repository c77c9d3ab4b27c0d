// One HTTPS request to a master before the caller holds credentials of its own: a node asking
// for its certificate (nodeagent/bootstrap), a master joining a cluster
// (tools/admin/master_join_client). Either nothing is verified (only to fetch the CA, which the
// caller then checks by the hash its token carries) or the master's certificate must chain to
// the CA given and name the host. Every step is bounded in time and the answer in size.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace capstan::common {

struct https_target {
  std::string host;  // an IP address or a DNS name
  uint16_t port = 6443;
  std::string user_agent = "capstan";
  // Connecting, the TLS handshake and sending: each bounded by this.
  std::chrono::milliseconds step_timeout{10000};
  // Reading the answer, from the end of sending (a master may take longer to answer than to
  // accept: a membership change, say).
  std::chrono::milliseconds answer_timeout{10000};
  std::size_t max_answer_bytes = 1024 * 1024;
  // Set from another thread (a process shutting down): the request ends within ~100 ms,
  // failing. Null: never.
  const std::atomic<bool>* abandon = nullptr;
};

struct https_answer {
  unsigned status = 0;
  std::string body;
};

// GET (empty body) or POST (a JSON body) of `path`. With `trusted_ca_pem`, the master's
// certificate must verify against it and name the host. Throws std::runtime_error saying which
// step failed and why (a certificate that does not verify is told apart from a network fault).
https_answer pinned_https_request(const https_target& target, const std::string& method,
                                  const std::string& path, const std::string& json_body,
                                  const std::optional<std::string>& trusted_ca_pem);

// The Status message of a refused request, or its first 200 bytes when it is not a Status.
std::string refusal_message(const https_answer& answer);

}  // namespace capstan::common
