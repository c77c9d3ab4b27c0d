#include "api/subresources.hpp"

#include "api/object_body.hpp"
#include "api/request_body.hpp"
#include "api/command_status.hpp"
#include "api/responses.hpp"

namespace capstan::api {

using namespace messages;

json scale_of(const replication_controller& rc) {
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata",
           {{"name", rc.metadata.name},
            {"namespace", rc.metadata.namespace_},
            {"uid", rc.metadata.uid},
            {"resourceVersion", rc.metadata.resource_version},
            {"creationTimestamp", rc.metadata.creation_timestamp.to_rfc3339()}}},
          {"spec", {{"replicas", rc.spec.replicas.value_or(0)}}},
          {"status",
           {{"replicas", rc.status.replicas},
            {"selector", label_selector::from_map(rc.spec.selector).to_string()}}}};
}

http_response evict_pod(actors::master& master, const http_request& req,
                        const store::object_key& key, bool dry_run) {
  auto parsed = parse_body(req, "the Eviction");
  if (auto* bad = std::get_if<http_response>(&parsed))
    return *bad;
  json eviction = std::get<json>(std::move(parsed));
  if (!eviction.is_object() || eviction.value("kind", "Eviction") != "Eviction")
    return status_error(400, "BadRequest", "the body must be a policy/v1 Eviction");
  if (auto meta = eviction.find("metadata"); meta != eviction.end() && meta->is_object()) {
    auto name = meta->find("name");
    if (name != meta->end() && (!name->is_string() || name->get<std::string>() != key.name))
      return status_error(400, "BadRequest",
                          "name in URL does not match name in Eviction object");
    auto ns = meta->find("namespace");
    if (ns != meta->end() && ns->is_string() && !ns->get<std::string>().empty() &&
        ns->get<std::string>() != key.namespace_)
      return status_error(400, "BadRequest",
                          "namespace in URL does not match namespace in Eviction object");
  }
  actors::object_command c{
      object_kind::pod, key, req.user.name,
      actors::delete_op{"evicted by " + req.user.name + " (Eviction API)", "", "", std::nullopt}};
  c.dry_run = dry_run;
  if (auto options = eviction.find("deleteOptions");
      options != eviction.end() && options->is_object()) {
    if (auto bad =
            read_delete_options(dump_json(*options), std::get<actors::delete_op>(c.op), c.dry_run))
      return *bad;
  }
  auto reply = master.command(std::move(c));
  if (!reply.ok())
    return reply_error(reply, object_kind::pod, key.name);
  return json_response(201, {{"kind", "Status"},
                             {"apiVersion", "v1"},
                             {"metadata", json::object()},
                             {"status", "Success"},
                             {"code", 201}});
}

}  // namespace capstan::api
