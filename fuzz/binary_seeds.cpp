// Writes the binary seed corpora of journal_record_fuzz and node_message_fuzz: the objects of
// examples/ and the every-field values of the codec tests (tests/messages/fill_fields.hpp),
// encoded by capstan's own encoders in each target's input format (see the targets' headers).
// Usage: binary_seeds SOURCE_DIR CORPUS_DIR; fuzz/make_corpus runs it. Files are named by what
// they hold, so that a rerun rewrites the same files.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "messages/capnp_codec.hpp"
#include "messages/manifest.hpp"
#include "messages/node_protocol.hpp"
#include "tests/messages/fill_fields.hpp"

using namespace capstan::messages;
using capstan::test::filled;
using capstan::test::filled_object;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

// journal_record_fuzz's replay input: 0, then each record as a 4-byte length and its bytes.
std::string replay_input(std::vector<journal_record> records) {
  std::string out(1, '\0');
  uint64_t seq = 0;
  for (auto& r : records) {
    r.seq = ++seq;
    r.time_nanos = 1500000000000000000LL + static_cast<int64_t>(seq);
    std::string bytes = encode_record(r);
    uint32_t length = static_cast<uint32_t>(bytes.size());
    out.append(reinterpret_cast<const char*>(&length), 4);
    out += bytes;
  }
  return out;
}

journal_record record_for(const any_object& object, domain_event event) {
  journal_record r;
  r.kind = kind_of(object);
  r.namespace_ = meta_of(object).namespace_;
  r.name = meta_of(object).name;
  r.uid = meta_of(object).uid;
  r.cause = "admin";
  r.event = std::move(event);
  return r;
}

// What can happen to an object of this kind after its creation, one event of each.
std::vector<domain_event> later_events(object_kind kind) {
  std::vector<domain_event> events = {filled<labels_changed>(), filled<deletion_requested>()};
  switch (kind) {
    case object_kind::pod:
      events.insert(events.end(), {filled<pod_bound>(), filled<pod_status_changed>()});
      break;
    case object_kind::replication_controller:
      events.insert(events.end(), {filled<rc_scaled>(), filled<rc_status_changed>()});
      break;
    case object_kind::node:
      events.insert(events.end(), {filled<node_ready_changed>(), filled<node_status_changed>()});
      break;
    case object_kind::endpoints:
      events.push_back(filled<endpoints_changed>());
      break;
    default:
      break;
  }
  events.push_back(object_deleted{"gone"});
  return events;
}

void journal_seeds(const fs::path& dir, const std::vector<any_object>& objects) {
  std::vector<journal_record> all;
  for (const auto& object : objects) {
    std::vector<journal_record> history = {record_for(object, object_created{object})};
    any_object updated = object;
    meta_of(updated).labels["updated"] = "yes";
    history.push_back(record_for(object, object_updated{updated}));
    for (auto& e : later_events(kind_of(object)))
      history.push_back(record_for(object, std::move(e)));
    const std::string name = std::string(info(kind_of(object)).singular) + "-" +
                             meta_of(object).name;
    write(dir, "replay-" + name, replay_input(history));
    all.push_back(record_for(object, object_created{object}));
  }
  write(dir, "replay-all-created", replay_input(all));
  std::vector<const any_object*> pointers;
  for (const auto& o : objects)
    pointers.push_back(&o);
  write(dir, "chunk-all", std::string(1, '\1') + encode_snapshot_chunk(pointers));
}

template <class T>
void node_seed(const fs::path& dir, uint8_t type, const std::string& name, const T& message) {
  write(dir, name, std::string(1, static_cast<char>(type)) + encode_node_message(message));
}

template <class T>
void node_seeds(const fs::path& dir, uint8_t type, const char* name) {
  node_seed(dir, type, std::string(name) + "-filled", filled<T>());
  node_seed(dir, type, std::string(name) + "-empty", T{});
}

void node_message_seeds(const fs::path& dir, const std::vector<any_object>& objects) {
  // Types in node_message_fuzz's order.
  node_seeds<join_request>(dir, 0, "join_request");
  node_seeds<join_challenge>(dir, 1, "join_challenge");
  node_seeds<join_proofs>(dir, 2, "join_proofs");
  node_seeds<join_results>(dir, 3, "join_results");
  node_seeds<node_heartbeats>(dir, 4, "node_heartbeats");
  node_seeds<pod_status_reports>(dir, 5, "pod_status_reports");
  node_seeds<pod_assignments>(dir, 6, "pod_assignments");
  node_seeds<proxy_update>(dir, 7, "proxy_update");
  node_seeds<node_routes>(dir, 8, "node_routes");
  node_seeds<log_request>(dir, 9, "log_request");
  node_seeds<log_chunk>(dir, 10, "log_chunk");
  // The examples as the gateway sends them: their pods to a node, their services to proxies.
  node_pods to_node;
  to_node.node_name = "node1";
  to_node.full = true;
  proxy_update services;
  services.full = true;
  services.service_cidr = "10.0.0.0/16";
  for (const auto& o : objects) {
    if (auto* p = std::get_if<pod>(&o))
      to_node.pods.push_back(*p);
    if (auto* rc = std::get_if<replication_controller>(&o); rc && rc->spec.template_) {
      pod p;
      p.metadata = rc->spec.template_->metadata;
      p.metadata.name = rc->metadata.name + "-x1";
      p.spec = rc->spec.template_->spec;
      to_node.pods.push_back(p);
    }
    if (auto* s = std::get_if<service>(&o))
      services.services.push_back(*s);
  }
  pod_assignments assignments;
  assignments.nodes.push_back(to_node);
  node_seed(dir, 6, "pod_assignments-examples", assignments);
  node_seed(dir, 7, "proxy_update-examples", services);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SOURCE_DIR CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const fs::path source = argv[1], corpus = argv[2];
  auto set = load_manifests((source / "examples").string(), true);
  if (!set.ok()) {
    for (const auto& p : set.problems)
      std::fprintf(stderr, "%s\n", p.to_string().c_str());
    return 1;
  }
  std::vector<any_object> objects;
  for (auto& o : set.objects)
    objects.push_back(std::move(o.object));
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    any_object o = filled_object(static_cast<object_kind>(k));
    meta_of(o).name = "filled";
    meta_of(o).namespace_ = info(static_cast<object_kind>(k)).namespaced ? "default" : "";
    objects.push_back(std::move(o));
  }
  journal_seeds(corpus / "journal_record_fuzz", objects);
  node_message_seeds(corpus / "node_message_fuzz", objects);
  return 0;
}
