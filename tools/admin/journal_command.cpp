#include "tools/admin/journal_command.hpp"

#include <unistd.h>

#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <ostream>

#include "messages/manifest.hpp"
#include "messages/uid.hpp"
#include "store/restore.hpp"
#include "store/secret_sealing.hpp"
#include "tools/cli/cli.hpp"

namespace capstan::admin {

namespace {

using namespace messages;

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

// The master's secrets key ring (DATA/secrets.key), so that Secrets read back whole and are
// written sealed; `create` makes the file as the master would (import writes Secrets). Without
// the file a reader sees Secrets with empty data.
std::shared_ptr<const store::secret_sealer> sealer_of(const std::string& data, bool create) {
  const std::string path = data + "/secrets.key";
  if (create)
    return store::secret_sealer::from_key_file(path);
  if (::access(path.c_str(), F_OK) != 0)
    return nullptr;
  try {
    return store::secret_sealer::from_key_file(path);
  } catch (const store::store_error& e) {
    std::cerr << "warning: " << e.what() << "; Secrets read with empty data\n";
    return nullptr;
  }
}

store::event_log_options writer_options(const std::string& data) {
  store::event_log_options options;
  options.sealer = sealer_of(data, true);
  return options;
}

std::string object_name(object_kind kind, const std::string& ns, const std::string& name) {
  std::string out = std::string(info(kind).singular) + "/";
  return ns.empty() ? out + name : out + ns + "/" + name;
}

int import(const journal_flags& f, std::ostream& out, std::ostream& err) {
  manifest_set manifests = load_manifests(f.files);
  for (const auto& p : manifests.problems)
    err << "error: " << p.to_string() << "\n";
  if (!manifests.ok())
    return 1;

  auto log = store::event_log::open(journal_dir(f.data), writer_options(f.data));
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
    // As the master stamps a new object: kinds without a spec keep no generation.
    meta.generation = kind == object_kind::secret || kind == object_kind::config_map ||
                              kind == object_kind::service_account
                          ? 0
                          : 1;
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

int history(const journal_flags& f, std::ostream& out, std::ostream& err) {
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
  auto log = store::event_log::open_reader(journal_dir(f.data), sealer_of(f.data, false));
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

int state(const journal_flags& f, std::ostream& out, std::ostream& err) {
  std::optional<object_kind> kind;
  if (!f.kind.empty() && !(kind = kind_from_resource(f.kind)) && !(kind = kind_from_name(f.kind))) {
    err << "error: unknown kind \"" << f.kind << "\"\n";
    return 2;
  }
  auto log = store::event_log::open_reader(journal_dir(f.data), sealer_of(f.data, false));
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

int snapshot(const journal_flags& f, std::ostream& out, std::ostream&) {
  auto log = store::event_log::open(journal_dir(f.data), writer_options(f.data));
  auto s = store::restore(*log);
  store::write_snapshot(*log, s);
  out << "snapshot written at seq " << s.seq << " (" << s.size() << " objects)\n";
  return 0;
}

// The journal's own errors (a corrupt record, a locked or missing directory) end the command.
int guarded(int (*command)(const journal_flags&, std::ostream&, std::ostream&),
            const journal_flags& f, std::ostream& out, std::ostream& err) {
  try {
    return command(f, out, err);
  } catch (const store::store_error& e) {
    err << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int journal_history(const journal_flags& f, std::ostream& out, std::ostream& err) {
  return guarded(history, f, out, err);
}

int journal_state(const journal_flags& f, std::ostream& out, std::ostream& err) {
  return guarded(state, f, out, err);
}

void add_journal_command(CLI::App& root) {
  CLI::App* journal = cli::add_group(
      root, "journal",
      "Offline tools over a data directory's journal (import and snapshot need the master "
      "stopped; history and state only read)");
  struct subcommand {
    const char* name;
    const char* description;
    int (*run)(const journal_flags&, std::ostream&, std::ostream&);
  };
  const subcommand subcommands[] = {
      {"import",
       "Validate manifests and append one ObjectCreated event per object, as --user; refuses "
       "(and appends nothing) if any object is invalid or already exists",
       import},
      {"history", "Every event, or one object's: sequence, time, who, what", history},
      {"state", "The objects as they were right after --at SEQ (default: now), rebuilt by replay",
       state},
      {"snapshot", "Write a snapshot of the current state so the next start replays only the tail",
       snapshot},
  };
  for (const auto& s : subcommands) {
    auto f = std::make_shared<journal_flags>();
    CLI::App* cmd = journal->add_subcommand(s.name, s.description);
    cmd->add_option("--data", f->data, "The master's data directory")->required();
    const std::string name = s.name;
    if (name == "import") {
      cmd->add_option("--user", f->user, "Who the events are recorded as")->required();
      cmd->add_option("-f,--filename", f->files, "Manifest files or directories")
          ->required()
          ->allow_extra_args(false);
    }
    if (name == "history" || name == "state")
      cmd->add_option("--kind", f->kind, "Only objects of this kind (pods, rc, Service, ...)");
    if (name == "history") {
      cmd->add_option("--name", f->name, "Only this object: [NAMESPACE/]NAME");
      cmd->add_option("--from", f->from, "The first sequence number shown");
      cmd->add_option("--to", f->to, "The last sequence number shown");
    }
    if (name == "state")
      cmd->add_option("--at", f->at, "The sequence number to rebuild the state at")
          ->each([f](const std::string&) { f->has_at = true; });
    cmd->callback([f, run = s.run] { cli::exit_with(guarded(run, *f, std::cout, std::cerr)); });
  }
}

}  // namespace capstan::admin
