#include "tools/admin/journal_command.hpp"

#include <ctime>
#include <iomanip>
#include <map>
#include <ostream>

#include "messages/manifest.hpp"
#include "messages/uid.hpp"
#include "store/restore.hpp"

namespace capstan::admin {

namespace {

using namespace messages;

const char* const usage = R"(Usage:
  capstan journal import  --data DIR --user NAME -f PATH [-f PATH ...]
      Validate manifests and append one ObjectCreated event per object, as NAME.
      Refuses (and appends nothing) if any object is invalid or already exists.
  capstan journal history --data DIR [--kind KIND] [--name [NAMESPACE/]NAME] [--from SEQ] [--to SEQ]
      Every event, or one object's: sequence, time, who, what.
  capstan journal state   --data DIR [--at SEQ] [--kind KIND]
      The objects as they were right after SEQ (default: now), rebuilt by replay.
  history and state only read: they work while a master runs on DIR.
  capstan journal snapshot --data DIR
      Write a snapshot of the current state so the next start replays only the tail.
)";

struct flags {
  std::string data, user, kind, name;
  std::vector<std::string> files;
  uint64_t from = 1, to = UINT64_MAX, at = 0;
  bool has_at = false;
};

bool parse_flags(const std::vector<std::string>& args, std::size_t first, flags& f,
                 std::ostream& err) {
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string* {
      if (i + 1 >= args.size()) {
        err << "error: flag " << a << " needs a value\n";
        return nullptr;
      }
      return &args[++i];
    };
    auto number = [&](uint64_t& target) {
      const std::string* v = value();
      if (!v)
        return false;
      if (v->empty() || v->find_first_not_of("0123456789") != std::string::npos) {
        err << "error: flag " << a << " needs a sequence number, not \"" << *v << "\"\n";
        return false;
      }
      target = std::stoull(*v);
      return true;
    };
    const std::string* v = nullptr;
    if (a == "--data" && (v = value()))
      f.data = *v;
    else if (a == "--user" && (v = value()))
      f.user = *v;
    else if ((a == "-f" || a == "--filename") && (v = value()))
      f.files.push_back(*v);
    else if (a == "--kind" && (v = value()))
      f.kind = *v;
    else if (a == "--name" && (v = value()))
      f.name = *v;
    else if (a == "--from") {
      if (!number(f.from))
        return false;
    } else if (a == "--to") {
      if (!number(f.to))
        return false;
    } else if (a == "--at") {
      if (!number(f.at))
        return false;
      f.has_at = true;
    } else {
      if (!v)
        err << "error: unknown flag " << a << "\n";
      return false;
    }
  }
  if (f.data.empty()) {
    err << "error: --data DIR is required\n";
    return false;
  }
  return true;
}

std::string journal_dir(const std::string& data) {
  return data + "/journal";
}

std::string format_time(int64_t nanos) {
  std::time_t t = static_cast<std::time_t>(nanos / 1000000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>((nanos / 1000000) % 1000));
  return std::string(buf) + millis;
}

std::string object_name(object_kind kind, const std::string& ns, const std::string& name) {
  std::string out = std::string(info(kind).singular) + "/";
  return ns.empty() ? out + name : out + ns + "/" + name;
}

int import(const flags& f, std::ostream& out, std::ostream& err) {
  if (f.user.empty() || f.files.empty()) {
    err << "error: import needs --user NAME and at least one -f PATH\n" << usage;
    return 2;
  }
  manifest_set manifests = load_manifests(f.files);
  for (const auto& p : manifests.problems)
    err << "error: " << p.to_string() << "\n";
  if (!manifests.ok())
    return 1;

  auto log = store::event_log::open(journal_dir(f.data));
  auto state = store::restore(*log);
  std::vector<journal_record> records;
  std::map<std::pair<int, std::string>, bool> seen;
  bool refused = false;
  for (auto& m : manifests.objects) {
    auto& meta = meta_of(m.object);
    object_kind kind = kind_of(m.object);
    if (meta.name.empty()) {
      err << "error: " << m.source << ": " << info(kind).name
          << ": import needs metadata.name (generateName is resolved by the master)\n";
      refused = true;
      continue;
    }
    std::string id = object_name(kind, meta.namespace_, meta.name);
    if (state.find(kind, {meta.namespace_, meta.name}) ||
        !seen.emplace(std::make_pair(static_cast<int>(kind), id), true).second) {
      err << "error: " << m.source << ": " << info(kind).resource << " \"" << meta.name
          << "\" already exists\n";
      refused = true;
      continue;
    }
    meta.uid = new_uid();
    meta.creation_timestamp = timestamp::now();
    meta.generation = 1;
    journal_record r;
    r.kind = kind;
    r.namespace_ = meta.namespace_;
    r.name = meta.name;
    r.uid = meta.uid;
    r.cause = f.user;
    r.event = object_created{m.object};
    records.push_back(std::move(r));
  }
  if (refused) {
    err << "nothing imported\n";
    return 1;
  }
  log->append(records);  // one batch: all or nothing
  for (const auto& r : records)
    out << object_name(r.kind, r.namespace_, r.name) << " created (seq " << r.seq << ")\n";
  return 0;
}

int history(const flags& f, std::ostream& out, std::ostream& err) {
  std::optional<object_kind> kind;
  if (!f.kind.empty() && !(kind = kind_from_resource(f.kind)) && !(kind = kind_from_name(f.kind))) {
    err << "error: unknown kind \"" << f.kind << "\"\n";
    return 2;
  }
  std::string ns, name = f.name;
  if (auto slash = f.name.find('/'); slash != std::string::npos) {
    ns = f.name.substr(0, slash);
    name = f.name.substr(slash + 1);
  }
  auto log = store::event_log::open_reader(journal_dir(f.data));
  out << std::left << std::setw(8) << "SEQ" << std::setw(26) << "TIME" << std::setw(28) << "CAUSE"
      << std::setw(24) << "EVENT"
      << "OBJECT\n";
  std::size_t shown = 0;
  log->read(f.from, std::min(f.to, log->last_seq()), [&](journal_record&& r) {
    if (kind && r.kind != *kind)
      return true;
    if (!name.empty() && (r.name != name || (!ns.empty() && r.namespace_ != ns)))
      return true;
    out << std::setw(8) << r.seq << std::setw(26) << format_time(r.time_nanos) << std::setw(28)
        << r.cause << std::setw(24) << event_name(r) << object_name(r.kind, r.namespace_, r.name)
        << "\n";
    ++shown;
    return true;
  });
  if (shown == 0)
    err << "no events match\n";
  return 0;
}

// A short summary of what matters about an object, per kind.
std::string detail(const any_object& o) {
  if (auto* p = std::get_if<pod>(&o))
    return p->status.phase + (p->spec.node_name.empty() ? "" : " on " + p->spec.node_name) +
           (p->status.pod_ip.empty() ? "" : " " + p->status.pod_ip);
  if (auto* rc = std::get_if<replication_controller>(&o))
    return std::to_string(rc->status.ready_replicas) + "/" +
           std::to_string(rc->spec.replicas.value_or(0)) + " ready";
  if (auto* svc = std::get_if<service>(&o)) {
    std::string ports;
    for (const auto& p : svc->spec.ports)
      ports += (ports.empty() ? "" : ",") + std::to_string(p.port) +
               (p.node_port ? ":" + std::to_string(p.node_port) : "") + "/" + p.protocol;
    return svc->spec.type + " " + svc->spec.cluster_ip + " " + ports;
  }
  if (auto* ep = std::get_if<endpoints>(&o)) {
    std::string addresses;
    for (const auto& subset : ep->subsets)
      for (const auto& a : subset.addresses)
        for (const auto& port : subset.ports)
          addresses += (addresses.empty() ? "" : ",") + a.ip + ":" + std::to_string(port.port);
    return addresses.empty() ? "<none>" : addresses;
  }
  if (auto* n = std::get_if<node>(&o)) {
    std::string ready = "NotReady";
    for (const auto& c : n->status.conditions)
      if (c.type == "Ready" && c.status == "True")
        ready = "Ready";
    return ready + " " + n->spec.pod_cidr;
  }
  return "";
}

int state(const flags& f, std::ostream& out, std::ostream& err) {
  std::optional<object_kind> kind;
  if (!f.kind.empty() && !(kind = kind_from_resource(f.kind)) && !(kind = kind_from_name(f.kind))) {
    err << "error: unknown kind \"" << f.kind << "\"\n";
    return 2;
  }
  auto log = store::event_log::open_reader(journal_dir(f.data));
  store::cluster_state s = f.has_at ? store::state_at(*log, f.at) : store::restore(*log);
  out << "state at seq " << s.seq << ": " << s.size() << " objects\n";
  out << std::left << std::setw(23) << "KIND" << std::setw(13) << "NAMESPACE" << std::setw(26)
      << "NAME" << std::setw(9) << "VERSION"
      << "DETAIL\n";
  for (const auto* o : s.all_objects()) {
    if (kind && kind_of(*o) != *kind)
      continue;
    const auto& meta = meta_of(*o);
    out << std::setw(23) << info(kind_of(*o)).name << std::setw(13)
        << (meta.namespace_.empty() ? "-" : meta.namespace_) << std::setw(26) << meta.name
        << std::setw(9) << meta.resource_version << detail(*o) << "\n";
  }
  return 0;
}

int snapshot(const flags& f, std::ostream& out, std::ostream&) {
  auto log = store::event_log::open(journal_dir(f.data));
  auto s = store::restore(*log);
  store::write_snapshot(*log, s);
  out << "snapshot written at seq " << s.seq << " (" << s.size() << " objects)\n";
  return 0;
}

}  // namespace

int run_journal_command(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
  if (args.empty() || args[0] == "help" || args[0] == "--help") {
    (args.empty() ? err : out) << usage;
    return args.empty() ? 2 : 0;
  }
  flags f;
  if (!parse_flags(args, 1, f, err)) {
    err << usage;
    return 2;
  }
  try {
    if (args[0] == "import")
      return import(f, out, err);
    if (args[0] == "history")
      return history(f, out, err);
    if (args[0] == "state")
      return state(f, out, err);
    if (args[0] == "snapshot")
      return snapshot(f, out, err);
  } catch (const store::store_error& e) {
    err << "error: " << e.what() << "\n";
    return 1;
  }
  err << "error: unknown journal command \"" << args[0] << "\"\n" << usage;
  return 2;
}

int run_audit_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> flags, words;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--data" || args[i] == "-n" || args[i] == "--namespace") {
      if (i + 1 < args.size()) {
        flags.push_back(args[i] == "--data" ? "--data" : "--namespace");
        flags.push_back(args[++i]);
      }
    } else {
      words.push_back(args[i]);
    }
  }
  std::string ns = "default";
  std::vector<std::string> journal_flags;
  for (std::size_t i = 0; i + 1 < flags.size(); i += 2) {
    if (flags[i] == "--namespace")
      ns = flags[i + 1];
    else
      journal_flags.insert(journal_flags.end(), {flags[i], flags[i + 1]});
  }
  if (words.empty() || (words[0] != "history" && words[0] != "at")) {
    err << "Usage: capstan audit --data DIR history [TYPE[/NAME]] [-n NS] | at SEQ [TYPE]\n";
    return 2;
  }
  std::vector<std::string> translated;
  if (words[0] == "history") {
    translated = {"history"};
    if (words.size() > 1) {
      std::string type = words[1], name = words.size() > 2 ? words[2] : "";
      if (auto slash = type.find('/'); slash != std::string::npos) {
        name = type.substr(slash + 1);
        type = type.substr(0, slash);
      }
      translated.insert(translated.end(), {"--kind", type});
      if (!name.empty()) {
        auto kind = kind_from_resource(type);
        translated.insert(translated.end(),
                          {"--name", kind && !info(*kind).namespaced ? name : ns + "/" + name});
      }
    }
  } else {
    if (words.size() < 2) {
      err << "error: audit at needs a sequence number\n";
      return 2;
    }
    translated = {"state", "--at", words[1]};
    if (words.size() > 2)
      translated.insert(translated.end(), {"--kind", words[2]});
  }
  translated.insert(translated.end(), journal_flags.begin(), journal_flags.end());
  return run_journal_command(translated, out, err);
}

}  // namespace capstan::admin
