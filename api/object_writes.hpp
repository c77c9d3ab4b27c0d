// Writes to one resource through the API: create, replace (PUT), patch (merge, strategic, JSON),
// server-side apply, with metadata.managedFields kept as Kubernetes keeps them and dryRun
// honoured. Each answers as kube-apiserver does.
#pragma once

#include "actors/master/master.hpp"
#include "api/rest_handler.hpp"
#include "api/routes.hpp"

namespace capstan::api {

// What every write of one request shares.
struct write_context {
  actors::master& master;
  const http_request& req;
  const route& r;
  bool dry_run = false;
  std::string manager;  // fieldManager, or derived from the User-Agent
};

// POST to a collection: 201 with the object.
http_response create_object(const write_context& w);
// PUT or PATCH (not apply) of an object or its status: 200 with the object. Retries a PATCH
// against the latest version when the object changed meanwhile, as Kubernetes does.
http_response update_object(const write_context& w);
// PATCH application/apply-patch+yaml: creates the object when absent (201), else applies the
// configuration as `manager` (200); a conflict with another manager's fields is a 409 naming
// them, unless force=true.
http_response apply_object(const write_context& w);

}  // namespace capstan::api
