// The OpenAPI documents the API server serves (/openapi/v2, /openapi/v3/...), generated from the
// field lists in messages/ so that `kubectl explain` and kubectl's validation see capstan's model.
#pragma once

#include <optional>
#include <string>

namespace capstan::api {

struct openapi_reply {
  std::string content_type;
  std::string body;
};

// The answer to a GET of `path` (without its query), or nullopt when `path` is not an OpenAPI
// path (the caller answers 404). Served paths:
// - "/openapi/v2": Swagger 2.0 as JSON. kubectl asks for it only in gnostic protobuf
//   (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`), which capstan does not
//   encode: an `accept` naming protobuf and neither JSON nor */* gets an empty
//   application/octet-stream body, which client-go decodes as an empty document (kubectl then
//   relies on the v3 documents and on the server's own field validation).
// - "/openapi/v3": the index {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?
//   hash=H"}, ...}}; H is the SHA-256 of that document's body, so it changes only with the body.
// - "/openapi/v3/api/v1", "/openapi/v3/apis/autoscaling/v1", "/openapi/v3/apis/policy/v1":
//   OpenAPI 3.0 documents (components.schemas and paths), whatever `accept` says.
// Thread-safe. Every document is built once, on the first call, and shared read-only after.
std::optional<openapi_reply> openapi_document(const std::string& path, const std::string& accept);

}  // namespace capstan::api
