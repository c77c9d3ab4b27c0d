// Test helpers: small valid objects and the journal records that carry them.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include "messages/domain_event.hpp"
#include "store/apply.hpp"

namespace capstan::test {

using namespace capstan::messages;

inline pod small_pod(const std::string& name, const std::string& ns = "default") {
  pod p;
  p.metadata.name = name;
  p.metadata.namespace_ = ns;
  p.metadata.uid = "uid-" + name;
  p.metadata.labels = {{"name", "frontend"}};
  container c;
  c.name = "frontend";
  c.image = "kubeguide/guestbook-php-frontend";
  c.ports.push_back({"", 0, 80, "TCP", ""});
  c.resources.requests["cpu"] = *quantity::parse("100m");
  p.spec.containers.push_back(c);
  p.spec.restart_policy = "Always";
  p.status.phase = "Pending";
  return p;
}

inline node small_node(const std::string& name) {
  node n;
  n.metadata.name = name;
  n.metadata.uid = "uid-" + name;
  n.metadata.labels = {{"kubernetes.io/hostname", name}};
  n.status.capacity = {{"cpu", quantity::from_milli(4000)},
                       {"memory", quantity::from_bytes(8LL << 30)},
                       {"pods", quantity::from_count(110)}};
  n.status.allocatable = n.status.capacity;
  return n;
}

inline journal_record record_for(const any_object& object, domain_event event,
                                 const std::string& cause = "admin") {
  journal_record r;
  r.kind = kind_of(object);
  r.namespace_ = meta_of(object).namespace_;
  r.name = meta_of(object).name;
  r.uid = meta_of(object).uid;
  r.cause = cause;
  r.event = std::move(event);
  return r;
}

inline journal_record created(const any_object& object) {
  return record_for(object, object_created{object});
}

// A state holding `objects`, each created by its own record (sequence numbers 1, 2, ...).
inline store::cluster_state state_with(const std::vector<any_object>& objects) {
  store::cluster_state s;
  for (const auto& o : objects) {
    auto record = created(o);
    record.seq = s.seq + 1;
    store::apply(s, record);
  }
  return s;
}

// A fresh directory under the system temp dir, removed when the guard goes.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() /
           ("capstan-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string str() const { return path.string(); }
};

}  // namespace capstan::test
