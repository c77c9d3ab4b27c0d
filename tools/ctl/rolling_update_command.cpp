// `capstanctl rolling-update NAME --image=IMAGE [--update-period=1s]` and `... NAME --rollback`:
// kubectl 1.0's rolling update. A new RC NAME-<hash> is scaled up one pod at a time while NAME is
// scaled down; --rollback undoes an interrupted one.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

struct rolling_update_options {
  std::string name;
  std::string image;
  std::string update_period = "1s";
  bool rollback = false;
};

bool scale_to(const connection& c, const std::string& rc, int replicas, std::ostream& err) {
  json patch = {{"spec", {{"replicas", replicas}}}};
  auto r = call(c, "PATCH",
                object_path(object_kind::replication_controller, c.namespace_, rc) + "/scale",
                json_text(patch), "application/merge-patch+json");
  if (r.status != 200)
    server_error(r, err);
  return r.status == 200;
}

// Waits until the RC has `replicas` ready pods and no more than that (polling the API).
bool wait_ready(const connection& c, const std::string& rc, int replicas, std::ostream& err) {
  for (int i = 0; i < 1200; ++i) {
    auto doc = get_json(c, object_path(object_kind::replication_controller, c.namespace_, rc), err);
    if (!doc)
      return false;
    const auto& st = (*doc)["status"];
    if (st.value("readyReplicas", 0) >= replicas && st.value("replicas", 0) == replicas)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  err << "error: timed out waiting for " << rc << " to have " << replicas << " ready pods\n";
  return false;
}

std::string short_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : text)
    h = (h ^ ch) * 1099511628211ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(h & 0xffffffffULL));
  return buf;
}

std::chrono::milliseconds parse_period(const std::string& text) {
  try {
    std::size_t pos = 0;
    double n = std::stod(text, &pos);
    std::string unit = text.substr(pos);
    double ms = unit == "ms" ? n : unit == "m" || unit == "m0s" ? n * 60000 : n * 1000;
    return std::chrono::milliseconds(static_cast<long long>(ms));
  } catch (...) {
    return std::chrono::seconds(1);
  }
}

// Adds deployment=<hash> to an RC's selector and template, and to its current pods, so that it
// and its successor never count each other's pods.
bool pin_old(const connection& c, const json& rc, const std::string& hash, std::ostream& err) {
  const std::string name = rc["metadata"].value("name", "");
  const std::string ns = c.namespace_;
  json selector = rc["spec"].value("selector", json::object());
  std::string query;
  for (auto it = selector.begin(); it != selector.end(); ++it)
    query += (query.empty() ? "" : ",") + it.key() + "=" + it.value().get<std::string>();
  auto pods = get_json(
      c, collection_path(object_kind::pod, ns, false) + "?labelSelector=" + url_encode(query), err);
  if (!pods)
    return false;
  for (const auto& p : (*pods)["items"]) {
    json patch = {{"metadata", {{"labels", {{"deployment", hash}}}}}};
    auto r = call(c, "PATCH", object_path(object_kind::pod, ns, p["metadata"].value("name", "")),
                  json_text(patch), "application/merge-patch+json");
    if (r.status != 200)
      return server_error(r, err), false;
  }
  json patch = {{"spec",
                 {{"selector", {{"deployment", hash}}},
                  {"template", {{"metadata", {{"labels", {{"deployment", hash}}}}}}}}}};
  auto r = call(c, "PATCH", object_path(object_kind::replication_controller, ns, name),
                json_text(patch), "application/merge-patch+json");
  if (r.status != 200)
    return server_error(r, err), false;
  return true;
}

int rolling_update(const rolling_update_options& p, const connection& c, std::ostream& out,
                   std::ostream& err) {
  const std::string& old_name = p.name;
  auto old_rc =
      get_json(c, object_path(object_kind::replication_controller, c.namespace_, old_name), err);
  if (!old_rc)
    return 1;
  const std::string prefix = old_name + "-";
  if (p.rollback) {
    // Find the successor an interrupted update left, scale the old one back, remove the new one.
    auto list =
        get_json(c, collection_path(object_kind::replication_controller, c.namespace_, false), err);
    if (!list)
      return 1;
    std::string next;
    for (const auto& rc : (*list)["items"]) {
      std::string n = rc["metadata"].value("name", "");
      if (n.rfind(prefix, 0) == 0 &&
          rc["spec"]["template"]["metadata"]["labels"].contains("deployment"))
        next = n;
    }
    if (next.empty()) {
      err << "error: no rolling update of " << old_name << " to roll back\n";
      return 1;
    }
    int desired =
        (*old_rc)["spec"].value("replicas", 0) +
        get_json(c, object_path(object_kind::replication_controller, c.namespace_, next), err)
            .value_or(json{{"spec", {{"replicas", 0}}}})["spec"]
            .value("replicas", 0);
    out << "Setting \"" << old_name << "\" replicas to " << desired << "\n";
    if (!scale_to(c, old_name, desired, err) || !wait_ready(c, old_name, desired, err))
      return 1;
    auto r =
        call(c, "DELETE", object_path(object_kind::replication_controller, c.namespace_, next));
    if (r.status != 200)
      return server_error(r, err);
    out << "Rollback succeeded. Deleted " << next << "\n";
    out << "replicationcontroller \"" << old_name << "\" rolled back\n";
    return 0;
  }
  if (p.image.empty()) {
    err << "error: --image is required (or --rollback)\n";
    return 2;
  }
  json old_template = (*old_rc)["spec"]["template"];
  if (old_template["spec"]["containers"].size() != 1) {
    err << "error: --image only works with replication controllers of one container\n";
    return 1;
  }
  if (old_template["spec"]["containers"][0].value("image", "") == p.image) {
    err << "error: " << old_name << " already runs " << p.image << "\n";
    return 1;
  }
  const int desired = (*old_rc)["spec"].value("replicas", 0);
  json new_template = old_template;
  new_template["spec"]["containers"][0]["image"] = p.image;
  std::string new_hash = short_hash(json_text(new_template));
  std::string old_hash =
      (*old_rc)["spec"]["selector"].value("deployment", short_hash(json_text(old_template)));
  std::string new_name = prefix + new_hash;
  if (!(*old_rc)["spec"]["selector"].contains("deployment") && !pin_old(c, *old_rc, old_hash, err))
    return 1;
  json new_rc = {
      {"apiVersion", "v1"},
      {"kind", "ReplicationController"},
      {"metadata",
       {{"name", new_name},
        {"namespace", c.namespace_},
        {"labels", (*old_rc)["metadata"].value("labels", json::object())}}},
      {"spec",
       {{"replicas", 0}, {"selector", (*old_rc)["spec"]["selector"]}, {"template", new_template}}}};
  new_rc["spec"]["selector"]["deployment"] = new_hash;
  new_rc["spec"]["template"]["metadata"]["labels"]["deployment"] = new_hash;
  auto created =
      call(c, "POST", collection_path(object_kind::replication_controller, c.namespace_, false),
           json_text(new_rc));
  if (created.status != 201 && created.status != 409)
    return server_error(created, err);
  out << "Created " << new_name << "\n";
  auto period = parse_period(p.update_period);
  int now_new = 0, now_old = desired;
  if (auto existing = get_json(
          c, object_path(object_kind::replication_controller, c.namespace_, new_name), err))
    now_new = (*existing)["spec"].value("replicas", 0);
  // One pod at a time: the service keeps between desired-1 and desired+1 pods throughout.
  while (now_new < desired || now_old > 0) {
    if (now_new < desired) {
      ++now_new;
      out << "Scaling " << new_name << " up to " << now_new << "\n";
      if (!scale_to(c, new_name, now_new, err) || !wait_ready(c, new_name, now_new, err))
        return 1;
    }
    if (now_old > 0) {
      --now_old;
      out << "Scaling " << old_name << " down to " << now_old << "\n";
      if (!scale_to(c, old_name, now_old, err) || !wait_ready(c, old_name, now_old, err))
        return 1;
    }
    out.flush();
    if (now_new < desired || now_old > 0)
      std::this_thread::sleep_for(period);
  }
  auto r =
      call(c, "DELETE", object_path(object_kind::replication_controller, c.namespace_, old_name));
  if (r.status != 200)
    return server_error(r, err);
  out << "Update succeeded. Deleting " << old_name << "\n";
  out << "replicationcontroller \"" << old_name << "\" rolling updated to \"" << new_name << "\"\n";
  return 0;
}

}  // namespace

void add_rolling_update_command(CLI::App& root, context& ctx) {
  auto p = std::make_shared<rolling_update_options>();
  CLI::App* cmd = root.add_subcommand(
      "rolling-update", "Replace a replication controller's pods one at a time (kubectl 1.0)");
  cmd->add_option("NAME", p->name, "The replication controller to update")->required();
  cmd->add_option("--image", p->image, "The new image of its one container");
  cmd->add_option("--update-period", p->update_period,
                  "Time to wait between two pods (e.g. 1s, 500ms, 1m)")
      ->capture_default_str();
  cmd->add_flag("--rollback", p->rollback, "Undo an interrupted rolling update of NAME");
  cmd->callback([&ctx, p] {
    run_connected(ctx,
                  [&](const connection& c) { return rolling_update(*p, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
