// `capstanctl describe TYPE NAME`: an object in words, with the events about it (derived from
// the journal).
#include <memory>
#include <ostream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

void field(std::ostream& out, const std::string& name, const std::string& value, int indent = 0) {
  std::string label = std::string(indent, ' ') + name + ":";
  out << label << std::string(label.size() < 16 ? 16 - label.size() : 1, ' ') << value << "\n";
}

int describe(const std::vector<std::string>& args, const connection& c, std::ostream& out,
             std::ostream& err) {
  object_kind kind;
  std::string name;
  if (int code = named_target(args, kind, name, err, "describe TYPE NAME", "describe needs a name"))
    return code;
  auto o = get_json(c, object_path(kind, c.namespace_, name), err);
  if (!o)
    return 1;
  const auto& meta = (*o)["metadata"];
  const auto& spec = (*o).contains("spec") ? (*o)["spec"] : json::object();
  const auto& status = (*o).contains("status") ? (*o)["status"] : json::object();
  field(out, "Name", meta.value("name", ""));
  if (info(kind).namespaced)
    field(out, "Namespace", meta.value("namespace", ""));
  field(out, "Labels", map_text(meta.value("labels", json::object())));
  field(out, "Annotations", map_text(meta.value("annotations", json::object())));
  field(out, "Created", meta.value("creationTimestamp", ""));
  if (kind == object_kind::pod) {
    field(out, "Node", spec.value("nodeName", "<none>"));
    field(out, "Status", status.value("phase", ""));
    field(out, "IP", status.value("podIP", "<none>"));
    for (const auto& owner : meta.value("ownerReferences", json::array()))
      field(out, "Controlled By", owner.value("kind", "") + "/" + owner.value("name", ""));
    out << "Containers:\n";
    for (const auto& ct : spec.value("containers", json::array())) {
      out << "  " << ct.value("name", "") << ":\n";
      field(out, "Image", ct.value("image", ""), 4);
      for (const auto& port : ct.value("ports", json::array()))
        field(out, "Port",
              std::to_string(port.value("containerPort", 0)) + "/" + port.value("protocol", "TCP"),
              4);
      for (const auto& cs : status.value("containerStatuses", json::array()))
        if (cs.value("name", "") == ct.value("name", "")) {
          field(out, "State",
                cs["state"].contains("running")   ? "Running"
                : cs["state"].contains("waiting") ? "Waiting"
                                                  : "Terminated",
                4);
          field(out, "Ready", cs.value("ready", false) ? "True" : "False", 4);
          field(out, "Restart Count", std::to_string(cs.value("restartCount", 0)), 4);
        }
    }
    out << "Conditions:\n";
    for (const auto& cond : status.value("conditions", json::array()))
      out << "  " << cond.value("type", "") << "\t" << cond.value("status", "") << "\n";
  } else if (kind == object_kind::replication_controller) {
    field(out, "Selector", map_text(spec.value("selector", json::object())));
    field(out, "Replicas",
          std::to_string(status.value("replicas", 0)) + " current / " +
              std::to_string(spec.value("replicas", 0)) + " desired");
    field(out, "Pods Status", std::to_string(status.value("readyReplicas", 0)) + " Ready");
    for (const auto& ct : spec["template"]["spec"].value("containers", json::array()))
      field(out, "Image", ct.value("image", ""));
  } else if (kind == object_kind::service) {
    field(out, "Selector", map_text(spec.value("selector", json::object())));
    field(out, "Type", spec.value("type", ""));
    field(out, "IP", spec.value("clusterIP", ""));
    for (const auto& port : spec.value("ports", json::array())) {
      field(out, "Port",
            port.value("name", "<unset>") + "  " + std::to_string(port.value("port", 0)) + "/" +
                port.value("protocol", "TCP"));
      field(out, "TargetPort",
            port["targetPort"].is_string() ? port["targetPort"].get<std::string>()
                                           : json_text(port["targetPort"]));
      if (port.value("nodePort", 0))
        field(out, "NodePort", std::to_string(port.value("nodePort", 0)));
    }
    if (auto ep = get_json(c, object_path(object_kind::endpoints, c.namespace_, name), err)) {
      std::string addresses;
      for (const auto& subset : (*ep).value("subsets", json::array()))
        for (const auto& a : subset.value("addresses", json::array()))
          for (const auto& port : subset.value("ports", json::array()))
            addresses += (addresses.empty() ? "" : ",") + a.value("ip", "") + ":" +
                         std::to_string(port.value("port", 0));
      field(out, "Endpoints", addresses.empty() ? "<none>" : addresses);
    }
  } else if (kind == object_kind::node) {
    field(out, "PodCIDR", spec.value("podCIDR", ""));
    out << "Conditions:\n";
    for (const auto& cond : status.value("conditions", json::array()))
      out << "  " << cond.value("type", "") << "\t" << cond.value("status", "") << "\t"
          << cond.value("reason", "") << "\n";
    out << "Addresses:\n";
    for (const auto& a : status.value("addresses", json::array()))
      out << "  " << a.value("type", "") << ":\t" << a.value("address", "") << "\n";
    out << "Capacity:\n";
    json capacity = status.value("capacity", json::object());
    for (auto it = capacity.begin(); it != capacity.end(); ++it)
      out << "  " << it.key() << ":\t" << it.value().get<std::string>() << "\n";
  }
  // Events about it, from the journal's projection.
  std::string selector =
      "involvedObject.name=" + name + ",involvedObject.kind=" + std::string(info(kind).name);
  std::string events_ns = info(kind).namespaced ? c.namespace_ : "default";
  auto events = get_json(
      c, "/api/v1/namespaces/" + events_ns + "/events?fieldSelector=" + url_encode(selector), err);
  out << "Events:";
  if (!events || (*events)["items"].empty()) {
    out << "  <none>\n";
    return 0;
  }
  out << "\n";
  std::vector<std::vector<std::string>> rows = {{"  Type", "Reason", "Count", "From", "Message"},
                                                {"  ----", "------", "-----", "----", "-------"}};
  for (const auto& e : (*events)["items"])
    rows.push_back({"  " + e.value("type", ""), e.value("reason", ""),
                    std::to_string(e.value("count", 1)), e["source"].value("component", ""),
                    e.value("message", "")});
  print_rows(rows, out);
  return 0;
}

}  // namespace

void add_describe_command(CLI::App& root, context& ctx) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = root.add_subcommand("describe", "Show an object in detail, with its events");
  cmd->add_option("RESOURCE", *args, "TYPE NAME or TYPE/NAME");
  cmd->callback([&ctx, args] {
    run_connected(ctx, [&](const connection& c) { return describe(*args, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
