#include "dns/cluster_zone.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace capstan::dns {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

// A DNS-1123 label: what may stand for a name part (a service, namespace or hostname).
bool is_label(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-')
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string dashed(const std::string& ipv4) {
  std::string out = ipv4;
  std::replace(out.begin(), out.end(), '.', '-');
  return out;
}

bool matches(record_type have, uint16_t asked) {
  return asked == static_cast<uint16_t>(record_type::any) || static_cast<uint16_t>(have) == asked;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), std::string::npos, suffix) == 0;
}

}  // namespace

std::string reverse_name(const std::string& ipv4) {
  in_addr a{};
  if (inet_pton(AF_INET, ipv4.c_str(), &a) != 1)
    return "";
  const auto* b = reinterpret_cast<const unsigned char*>(&a.s_addr);
  return std::to_string(b[3]) + "." + std::to_string(b[2]) + "." + std::to_string(b[1]) + "." +
         std::to_string(b[0]) + ".in-addr.arpa";
}

void cluster_zone::add(record r) {
  r.ttl = settings_.ttl;
  auto& records = names_[r.name].records;
  for (const auto& have : records)
    if (have.type == r.type && have.address == r.address && have.target == r.target &&
        have.port == r.port)
      return;
  add_empty_parents(r.name);
  records.push_back(std::move(r));
}

void cluster_zone::add_additional(const std::string& name, record r) {
  r.ttl = settings_.ttl;
  auto& extra = names_[name].additional;
  for (const auto& have : extra)
    if (have.name == r.name && have.address == r.address)
      return;
  extra.push_back(std::move(r));
}

void cluster_zone::add_empty_parents(const std::string& name) {
  const std::string& domain = settings_.domain;
  std::string parent = name;
  while (parent.size() > domain.size()) {
    auto dot = parent.find('.');
    if (dot == std::string::npos)
      break;
    parent = parent.substr(dot + 1);
    if (!ends_with(parent, domain))
      break;
    empty_names_.emplace(parent, true);
  }
}

record cluster_zone::soa() const {
  record r;
  r.name = settings_.domain;
  r.type = record_type::soa;
  r.ttl = settings_.ttl;
  r.target = "ns.dns." + settings_.domain;
  return r;
}

cluster_zone::cluster_zone(zone_settings settings, const std::vector<messages::service>& services,
                           const std::vector<messages::endpoints>& endpoints)
    : settings_(std::move(settings)) {
  settings_.domain = lower(settings_.domain);
  while (!settings_.domain.empty() && settings_.domain.back() == '.')
    settings_.domain.pop_back();
  const std::string& domain = settings_.domain;
  empty_names_.emplace(domain, true);
  empty_names_.emplace("svc." + domain, true);
  empty_names_.emplace("pod." + domain, true);
  {
    record version;
    version.name = "dns-version." + domain;
    version.type = record_type::txt;
    version.target = "1.1.0";
    add(std::move(version));
  }
  std::map<std::pair<std::string, std::string>, const messages::endpoints*> endpoints_of;
  for (const auto& e : endpoints)
    endpoints_of[{e.metadata.namespace_, e.metadata.name}] = &e;

  for (const auto& s : services) {
    const std::string ns = lower(s.metadata.namespace_), name = lower(s.metadata.name);
    if (!is_label(ns) || !is_label(name))
      continue;
    const std::string base = name + "." + ns + ".svc." + domain;
    empty_names_.emplace(ns + ".svc." + domain, true);
    empty_names_.emplace(ns + ".pod." + domain, true);
    empty_names_.emplace(base, true);  // exists, with records or (no address yet) without
    if (s.spec.cluster_ip != "None") {
      if (!is_ipv4(s.spec.cluster_ip))
        continue;  // not allocated yet
      record a;
      a.name = base;
      a.address = s.spec.cluster_ip;
      add(a);
      record ptr;
      ptr.name = reverse_name(s.spec.cluster_ip);
      ptr.type = record_type::ptr;
      ptr.target = base;
      ptr.ttl = settings_.ttl;
      reverse_[ptr.name].push_back(ptr);
      for (const auto& port : s.spec.ports) {
        const std::string port_name = lower(port.name);
        if (!is_label(port_name) || port.port <= 0 || port.port > 65535)
          continue;
        record srv;
        srv.name = "_" + port_name + "._" + lower(port.protocol.empty() ? "TCP" : port.protocol) +
                   "." + base;
        srv.type = record_type::srv;
        srv.weight = 100;
        srv.port = static_cast<uint16_t>(port.port);
        srv.target = base;
        add(std::move(srv));
      }
      continue;
    }
    // Headless: the ready endpoints, each under its own name too.
    auto found = endpoints_of.find({s.metadata.namespace_, s.metadata.name});
    if (found == endpoints_of.end())
      continue;
    for (const auto& subset : found->second->subsets) {
      std::vector<std::pair<std::string, std::string>> hosts;  // (host name, address)
      for (const auto& address : subset.addresses) {
        if (!is_ipv4(address.ip))
          continue;
        const std::string host_label =
            is_label(lower(address.hostname)) ? lower(address.hostname) : dashed(address.ip);
        const std::string host = host_label + "." + base;
        hosts.emplace_back(host, address.ip);
        record a;
        a.name = base;
        a.address = address.ip;
        add(a);
        a.name = host;
        add(a);
        record ptr;
        ptr.name = reverse_name(address.ip);
        ptr.type = record_type::ptr;
        ptr.target = host;
        ptr.ttl = settings_.ttl;
        auto& at = reverse_[ptr.name];
        if (std::none_of(at.begin(), at.end(), [&](const record& r) { return r.target == host; }))
          at.push_back(ptr);
      }
      for (const auto& port : subset.ports) {
        const std::string port_name = lower(port.name);
        if (!is_label(port_name) || port.port <= 0 || port.port > 65535 || hosts.empty())
          continue;
        const std::string srv_name = "_" + port_name + "._" +
                                     lower(port.protocol.empty() ? "TCP" : port.protocol) + "." +
                                     base;
        for (const auto& [host, ip] : hosts) {
          record srv;
          srv.name = srv_name;
          srv.type = record_type::srv;
          srv.weight = static_cast<uint16_t>(std::max<std::size_t>(1, 100 / hosts.size()));
          srv.port = static_cast<uint16_t>(port.port);
          srv.target = host;
          add(std::move(srv));
          record a;
          a.name = host;
          a.address = ip;
          add_additional(srv_name, std::move(a));
        }
      }
    }
  }
}

zone_answer cluster_zone::pod_answer(const std::string& name, std::string_view label,
                                     uint16_t type) const {
  zone_answer out;
  out.in_zone = true;
  std::string ip(label);
  std::replace(ip.begin(), ip.end(), '-', '.');
  if (std::count(label.begin(), label.end(), '-') != 3 || !is_ipv4(ip)) {
    out.code = response_code::name_error;
    out.authority.push_back(soa());
    return out;
  }
  if (matches(record_type::a, type)) {
    record a;
    a.name = name;
    a.address = ip;
    a.ttl = settings_.ttl;
    out.answers.push_back(std::move(a));
  } else {
    out.authority.push_back(soa());
  }
  return out;
}

zone_answer cluster_zone::answer(std::string_view asked, uint16_t type) const {
  zone_answer out;
  try {
    std::string name = lower(asked);
    while (!name.empty() && name.back() == '.')
      name.pop_back();
    const std::string& domain = settings_.domain;
    if (name == domain || ends_with(name, "." + domain)) {
      out.in_zone = true;
      auto found = names_.find(name);
      if (found != names_.end()) {
        for (const auto& r : found->second.records)
          if (matches(r.type, type))
            out.answers.push_back(r);
        if (!out.answers.empty() && (matches(record_type::srv, type)))
          out.additional = found->second.additional;
      }
      if (name == domain && matches(record_type::soa, type))
        out.answers.push_back(soa());
      if (!out.answers.empty())
        return out;
      if (found != names_.end() || empty_names_.count(name)) {
        out.authority.push_back(soa());
        return out;
      }
      // LABEL.NS.pod.DOMAIN
      const std::string pods = ".pod." + domain;
      if (ends_with(name, pods)) {
        std::string rest = name.substr(0, name.size() - pods.size());  // LABEL.NS
        auto dot = rest.find('.');
        if (dot != std::string::npos && rest.find('.', dot + 1) == std::string::npos &&
            is_label(rest.substr(dot + 1)))
          return pod_answer(name, std::string_view(rest).substr(0, dot), type);
      }
      out.code = response_code::name_error;
      out.authority.push_back(soa());
      return out;
    }
    auto reverse = reverse_.find(name);
    if (reverse == reverse_.end())
      return out;  // not the cluster's
    out.in_zone = true;
    if (matches(record_type::ptr, type))
      out.answers = reverse->second;
    return out;
  } catch (const std::exception&) {  // no memory: the client retries
    zone_answer failed;
    failed.in_zone = true;
    failed.code = response_code::server_failure;
    return failed;
  }
}

}  // namespace capstan::dns
