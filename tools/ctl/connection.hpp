// How capstanctl reaches the API: server, CA and token from flags, $KUBECONFIG or
// ~/.kube/config (kubectl's precedence), and a small HTTPS client that verifies the server.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace capstan::ctl {

struct connection_options {
  std::string kubeconfig;  // --kubeconfig
  std::string server;      // --server / -s
  std::string token;       // --token
  std::string namespace_;  // --namespace / -n
  bool insecure = false;   // --insecure-skip-tls-verify
};

struct connection {
  std::string host;
  std::string port;
  std::string ca_pem;  // empty: system roots (or none with insecure)
  bool insecure = false;
  std::string token;
  std::string namespace_ = "default";
};

// Resolves flags over the kubeconfig's current context. Returns nullopt and sets *error when
// there is no server to talk to.
std::optional<connection> resolve_connection(const connection_options& options, std::string* error);

struct http_result {
  int status = 0;  // 0: the request did not reach the server (see body)
  std::string body;
};

// One HTTPS request; `content_type` applies when `body` is not empty.
http_result call(const connection& c, const std::string& method, const std::string& target,
                 const std::string& body = "", const std::string& content_type = "application/json",
                 const std::string& accept = "application/json");

// A streaming GET (a watch): calls `on_line` for every newline-terminated piece of the body
// until the server closes it or `on_line` returns false. Returns the HTTP status (0: no
// connection; the reason goes to *error).
int stream_lines(const connection& c, const std::string& target, const std::string& accept,
                 const std::function<bool(const std::string&)>& on_line, std::string* error);

}  // namespace capstan::ctl
