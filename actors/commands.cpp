#include "actors/commands.hpp"

namespace capstan::actors {

int http_status(error_code code) {
  switch (code) {
    case error_code::bad_request:
      return 400;
    case error_code::forbidden:
      return 403;
    case error_code::not_found:
      return 404;
    case error_code::already_exists:
      return 409;
    case error_code::conflict:
      return 409;
    case error_code::invalid:
      return 422;
    case error_code::internal:
      return 500;
    case error_code::unavailable:
      return 503;
  }
  return 500;
}

const char* status_reason(error_code code) {
  switch (code) {
    case error_code::bad_request:
      return "BadRequest";
    case error_code::forbidden:
      return "Forbidden";
    case error_code::not_found:
      return "NotFound";
    case error_code::already_exists:
      return "AlreadyExists";
    case error_code::conflict:
      return "Conflict";
    case error_code::invalid:
      return "Invalid";
    case error_code::internal:
      return "InternalError";
    case error_code::unavailable:
      return "ServiceUnavailable";
  }
  return "InternalError";
}

std::string describe(object_kind kind, const object_key& key) {
  return messages::group_resource(kind) + " \"" + key.name + "\"";
}

}  // namespace capstan::actors
