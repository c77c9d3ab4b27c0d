// The cluster's DNS records, as Kubernetes' DNS specification (v1.1.0) defines them, computed
// from the services and endpoints a node's proxy receives. Pure: no sockets, no wire format
// (dns_message.hpp), no threads; built once per update and then read by any number of threads.
//
// In the cluster domain D (cluster.local):
//   SVC.NS.svc.D                A   the ClusterIP; for a headless service (clusterIP None) the
//                                   ready endpoints' IPs
//   HOST.SVC.NS.svc.D           A   a headless service's ready endpoint whose hostname is HOST
//   _PORT._PROTO.SVC.NS.svc.D   SRV each named port: 0 100 PORT SVC.NS.svc.D (ClusterIP), or
//                                   one per ready endpoint, targets HOST.SVC.NS.svc.D (the
//                                   endpoint's hostname, else its IP with dashes), their A
//                                   records as additional records
//   A-B-C-D.NS.pod.D            A   A.B.C.D (any valid address, as CoreDNS' `pods insecure`)
//   D.C.B.A.in-addr.arpa        PTR SVC.NS.svc.D for a ClusterIP, HOST.SVC.NS.svc.D for a
//                                   headless endpoint
//   dns-version.D               TXT 1.1.0
// A name in D that does not exist is NXDOMAIN; one that exists without records of the asked
// type (AAAA, or an empty name such as NS.svc.D) is NOERROR with no answer; both carry D's SOA.
// Any other name, reverse names the cluster does not know included, is not the zone's: the
// server forwards it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "messages/service.hpp"

namespace capstan::dns {

// Record types (RFC 1035, 2782, 3596).
enum class record_type : uint16_t {
  a = 1,
  ns = 2,
  cname = 5,
  soa = 6,
  ptr = 12,
  txt = 16,
  aaaa = 28,
  srv = 33,
  any = 255,
};

// One resource record, in the fields its type uses. Names are absolute, lower case, without the
// final dot ("web.default.svc.cluster.local").
struct record {
  std::string name;
  record_type type = record_type::a;
  uint32_t ttl = 0;
  std::string address;  // A
  std::string target;   // PTR, SRV; SOA's primary name server; TXT's text
  uint16_t priority = 0, weight = 0, port = 0;  // SRV
};

enum class response_code : uint8_t {
  no_error = 0,
  server_failure = 2,
  name_error = 3,  // NXDOMAIN
  not_implemented = 4,
  refused = 5,
};

struct zone_answer {
  bool in_zone = false;  // false: not the cluster's name; forward it
  response_code code = response_code::no_error;
  std::vector<record> answers;
  std::vector<record> authority;   // the zone's SOA, for NXDOMAIN and empty answers
  std::vector<record> additional;  // A records of SRV targets
};

struct zone_settings {
  std::string domain = "cluster.local";  // lower case, no final dot
  uint32_t ttl = 5;  // seconds: answers follow changes within the proxy's latency plus this
};

class cluster_zone {
public:
  // The records of `services` and `endpoints` (an Endpoints object belongs to the service of
  // its namespace and name). Objects with invalid names or addresses are skipped.
  cluster_zone(zone_settings settings, const std::vector<messages::service>& services,
               const std::vector<messages::endpoints>& endpoints);

  // The answer to a question for `name` (any case, with or without the final dot) of type
  // `type` (a record_type value, or any other number: nothing of it exists). Never throws.
  zone_answer answer(std::string_view name, uint16_t type) const;

  const zone_settings& settings() const { return settings_; }
  // How many names hold records (for metrics and tests).
  std::size_t size() const { return names_.size(); }

private:
  struct name_records {
    std::vector<record> records;     // every record of this name
    std::vector<record> additional;  // for SRV answers
  };
  void add(record r);
  void add_additional(const std::string& name, record r);
  void add_empty_parents(const std::string& name);
  record soa() const;
  zone_answer pod_answer(const std::string& name, std::string_view label, uint16_t type) const;

  zone_settings settings_;
  std::unordered_map<std::string, name_records> names_;
  std::unordered_map<std::string, bool> empty_names_;  // names that exist without records
  std::unordered_map<std::string, std::vector<record>> reverse_;  // PTR name -> records
};

// "10.1.0.5" -> "5.0.1.10.in-addr.arpa"; "" when `ipv4` is not a dotted quad.
std::string reverse_name(const std::string& ipv4);

}  // namespace capstan::dns
