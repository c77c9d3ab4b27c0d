#include "api/command_status.hpp"

#include "api/responses.hpp"

namespace capstan::api {

http_response reply_error(const actors::command_reply& r, messages::object_kind kind,
                          const std::string& name) {
  using actors::error_code;
  const auto& e = *r.error;
  std::string message = e.message;
  if (e.code == error_code::invalid && !e.causes.empty()) {
    message += ": ";
    for (std::size_t i = 0; i < e.causes.size(); ++i)
      message += (i ? ", " : "") + e.causes[i].to_string();
    if (e.causes.size() > 1)
      message = e.message + ": [" + message.substr(e.message.size() + 2) + "]";
  }
  // Kubernetes names the Kind in an Invalid status ("The Service \"x\" is invalid") and the
  // resource otherwise ("pods \"x\" not found").
  std::string detail_kind(e.code == error_code::invalid ? messages::info(kind).name
                                                        : messages::info(kind).resource);
  return status_error(actors::http_status(e.code), actors::status_reason(e.code), message,
                      detail_kind, name, e.causes);
}

}  // namespace capstan::api
