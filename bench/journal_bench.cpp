// journal_bench: how fast the journal is on this machine. Prints a table and one JSON line.
//   raw fsync latency of the disk (256-byte append + fdatasync), for reading the rest against;
//   durable appends/s through group commit (the journal's sync on, a Raft log of one member as
//   the master writes, three members over mutual TLS on loopback in this process, sync off), 1..1024 concurrent writers, each with one append in flight (as
//   object actors will be), with p50/p99 latency;
//   replay from genesis (events/s) beside a raw RocksDB scan of the same log (compacted first,
//   read with the journal's long-read options) and a read that decodes without applying;
//   snapshot + tail
//   restore of 150,000 pods and 5,000 nodes (or --restore-pods, --restore-nodes).
// Usage: journal_bench [--quick] [--dir DIR] [--only fsync|appends|replay|restore]
//                      [--restore-pods N] [--restore-nodes N]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "bench/process_stats.hpp"
#include "bench/raft_replicas.hpp"

#include "common/pki.hpp"
#include "store/event_log_detail.hpp"
#include "store/journal_writer.hpp"
#include "store/raft_log.hpp"
#include "store/restore.hpp"
#include "tools/cli/cli.hpp"

namespace {

using namespace capstan;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty())
    return 0;
  std::size_t i = static_cast<std::size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

messages::pod bench_pod(const std::string& name, int rc) {
  messages::pod p;
  p.metadata.name = name;
  p.metadata.namespace_ = "default";
  p.metadata.uid =
      "00000000-0000-4000-8000-" +
      std::to_string(1000000000000LL + std::hash<std::string>{}(name) % 1000000000000LL);
  p.metadata.labels = {{"name", "frontend-" + std::to_string(rc)}};
  p.metadata.creation_timestamp = messages::timestamp::now();
  messages::container c;
  c.name = "frontend";
  c.image = "kubeguide/guestbook-php-frontend";
  c.ports.push_back({"", 0, 80, "TCP", ""});
  c.env.push_back({"GET_HOSTS_FROM", "env", std::nullopt});
  c.resources.requests["cpu"] = messages::quantity::from_milli(100);
  c.resources.requests["memory"] = messages::quantity::from_bytes(64 << 20);
  c.image_pull_policy = "IfNotPresent";
  p.spec.containers.push_back(c);
  p.spec.restart_policy = "Always";
  p.status.phase = "Pending";
  return p;
}

messages::node bench_node(const std::string& name) {
  messages::node n;
  n.metadata.name = name;
  n.metadata.uid = "uid-" + name;
  n.metadata.labels = {{"kubernetes.io/hostname", name}};
  n.status.capacity = {{"cpu", messages::quantity::from_milli(32000)},
                       {"memory", messages::quantity::from_bytes(128LL << 30)},
                       {"pods", messages::quantity::from_count(110)}};
  n.status.allocatable = n.status.capacity;
  n.status.addresses.push_back({"InternalIP", "192.0.2.1"});
  return n;
}

messages::journal_record record_of(const messages::any_object& o, messages::domain_event e) {
  messages::journal_record r;
  r.kind = messages::kind_of(o);
  r.namespace_ = messages::meta_of(o).namespace_;
  r.name = messages::meta_of(o).name;
  r.uid = messages::meta_of(o).uid;
  r.cause = "system:bench";
  r.event = std::move(e);
  return r;
}

messages::journal_record pod_created_record(int i) {
  messages::any_object o = bench_pod("frontend-" + std::to_string(i), i / 100);
  return record_of(o, messages::object_created{o});
}

// --- raw disk ------------------------------------------------------------------------------

struct fsync_figures {
  double p50_us, p99_us, per_second;
};

fsync_figures measure_fsync(const fs::path& dir, int count) {
  auto path = dir / "fsync-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot create " + path.string());
  std::string block(256, 'x');
  std::vector<double> us;
  auto start = clock_type::now();
  for (int i = 0; i < count; ++i) {
    auto t = clock_type::now();
    if (::write(fd, block.data(), block.size()) != 256 || ::fdatasync(fd) != 0)
      throw std::runtime_error("write/fdatasync failed");
    us.push_back(seconds_since(t) * 1e6);
  }
  double total = seconds_since(start);
  ::close(fd);
  fs::remove(path);
  return {percentile(us, 0.5), percentile(us, 0.99), count / total};
}

// --- appends -------------------------------------------------------------------------------

struct append_figures {
  bool sync;
  int writers;
  uint64_t appends;
  double per_second, p50_us, p99_us, mean_batch;
};

// How the appends are made durable: the journal's own sync (on or off), or the master's way,
// a Raft log of one member (its sync; the journal unsynced behind it).
enum class durability { synced, unsynced, raft, raft3 };

const char* durability_name(durability d) {
  switch (d) {
    case durability::synced:
      return "on";
    case durability::unsynced:
      return "off";
    case durability::raft:
      return "raft";
    case durability::raft3:
      return "raft3";
  }
  return "?";
}


// Three members on loopback (bench/raft_replicas.hpp), any of which may lead.
std::vector<bench::raft_replica> start_three_members(const fs::path& dir) {
  auto ca = common::certificate_authority::create("journal-bench", 1);
  auto members = bench::loopback_members(3);
  std::vector<bench::raft_replica> out;
  for (const auto& m : members)
    out.push_back(bench::start_replica(dir / ("member-" + std::to_string(m.id)), m, members,
                                       bench::member_tls(ca, m.id)));
  return out;
}

// `writers` logical writers, each keeping one single-record append in flight until
// `duration` has passed.
append_figures measure_appends(const fs::path& dir, durability mode, int writers,
                               double duration) {
  fs::remove_all(dir);
  const bool sync = mode == durability::synced;
  store::event_log_options options;
  options.sync = sync;
  auto log = store::event_log::open((dir / "journal").string(), options);
  std::vector<double> latency_us;
  latency_us.reserve(1 << 20);
  std::mutex mutex;
  std::condition_variable idle;
  int in_flight = 0;
  std::atomic<int> next_record{0};
  clock_type::time_point deadline;  // set once the writer is ready
  std::unique_ptr<store::journal_writer> owned;
  std::vector<bench::raft_replica> replicas;
  store::journal_writer* leader = nullptr;
  if (mode == durability::raft3) {
    log.reset();
    replicas = start_three_members(dir);
    auto until = clock_type::now() + std::chrono::seconds(30);
    while (!leader && clock_type::now() < until)
      for (auto& r : replicas)
        if (r.writer->wait_until_leading(std::chrono::milliseconds(50)))
          leader = r.writer.get();
    if (!leader) {
      std::string seen;
      for (auto& r : replicas)
        seen += " " + std::to_string(r.raft->membership().leader_id);
      throw std::runtime_error("the three members elected no leader (leaders seen:" + seen + ")");
    }
  } else if (mode == durability::raft) {
    store::raft_log_config raft;
    raft.directory = (dir / "raft").string();
    owned = std::make_unique<store::journal_writer>(*log, std::make_unique<store::raft_log>(raft));
    if (!owned->wait_until_leading(std::chrono::seconds(30)))
      throw std::runtime_error("the Raft log elected no leader");
  } else {
    owned = std::make_unique<store::journal_writer>(*log);
  }
  store::journal_writer& writer = leader ? *leader : *owned;
  std::function<void()> submit;
  // Prepared records, so the measurement is of the journal, not of building pods.
  std::vector<messages::journal_record> prepared;
  for (int i = 0; i < 4096; ++i)
    prepared.push_back(pod_created_record(i));
  submit = [&] {
    auto sent = clock_type::now();
    auto r = prepared[next_record++ % prepared.size()];
    writer.append({std::move(r)}, [&, sent](const store::append_result& result) {
      if (!result.ok())
        throw std::runtime_error(result.error);
      auto now = clock_type::now();
      latency_us.push_back(std::chrono::duration<double, std::micro>(now - sent).count());
      if (now < deadline) {
        submit();  // runs on the commit thread; append() only enqueues
      } else {
        std::lock_guard<std::mutex> lock(mutex);
        if (--in_flight == 0)
          idle.notify_all();
      }
    });
  };
  auto start = clock_type::now();
  deadline = start + std::chrono::duration_cast<clock_type::duration>(
                         std::chrono::duration<double>(duration));
  {
    std::lock_guard<std::mutex> lock(mutex);
    in_flight = writers;
  }
  for (int w = 0; w < writers; ++w)
    submit();
  {
    std::unique_lock<std::mutex> lock(mutex);
    idle.wait(lock, [&] { return in_flight == 0; });
  }
  double elapsed = seconds_since(start);
  auto stats = writer.stats();
  append_figures f{sync,
                   writers,
                   stats.records,
                   stats.records / elapsed,
                   0,
                   0,
                   stats.batches ? double(stats.records) / stats.batches : 0};
  f.p50_us = percentile(latency_us, 0.5);
  f.p99_us = percentile(latency_us, 0.99);
  return f;
}

// --- replay and restore --------------------------------------------------------------------

struct replay_figures {
  uint64_t events;
  uint64_t bytes_on_disk;
  double per_second;
  double raw_scan_per_second;  // the same log's records read straight from RocksDB, undecoded
  double decode_per_second;    // ... read and decoded through the journal, not applied
};

// The journal's RocksDB database in `dir`, opened directly (no capstan layer): the log column
// family is handles[1]. Read-only unless `writable`.
struct raw_journal {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;

  raw_journal(const fs::path& dir, bool writable) {
    rocksdb::ColumnFamilyOptions family_options;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, family_options},
        {"log", family_options},
        {"snapshots", family_options}};
    rocksdb::DB* opened = nullptr;
    auto status = writable ? rocksdb::DB::Open(rocksdb::DBOptions{}, dir.string(), families,
                                               &handles, &opened)
                           : rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions{}, dir.string(),
                                                          families, &handles, &opened);
    if (!status.ok())
      throw std::runtime_error("cannot open " + dir.string() + ": " + status.ToString());
    db.reset(opened);
  }
  ~raw_journal() {
    for (auto* h : handles)
      db->DestroyColumnFamilyHandle(h);
  }
};

// Compacts the log that the setup wrote in a hurry, as a running master's background compaction
// would have over time, so that neither the replay nor the raw scan shares the two cores with a
// compaction still catching up (which one of them ran beside it was luck).
void settle_log(const fs::path& dir) {
  raw_journal journal(dir, true);
  rocksdb::CompactRangeOptions options;
  auto status = journal.db->CompactRange(options, journal.handles[1], nullptr, nullptr);
  if (!status.ok())
    throw std::runtime_error("cannot compact " + dir.string() + ": " + status.ToString());
}

// Reads every record of the journal's log column family in `dir` with a plain RocksDB iterator
// (no decoding, no state), with the read options the journal's own long reads use: the ceiling
// replay is measured against. Returns records per second.
double measure_raw_scan(const fs::path& dir, uint64_t expected_records) {
  raw_journal journal(dir, false);
  uint64_t records = 0, bytes = 0;
  auto start = clock_type::now();
  {
    std::unique_ptr<rocksdb::Iterator> it(
        journal.db->NewIterator(store::event_log_detail::long_read_options(), journal.handles[1]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++records;
      bytes += it->key().size() + it->value().size();
    }
    if (!it->status().ok())
      throw std::runtime_error("raw scan: " + it->status().ToString());
  }
  double elapsed = seconds_since(start);
  if (records != expected_records)
    throw std::runtime_error("raw scan read " + std::to_string(records) + " records, replay " +
                             std::to_string(expected_records));
  return bytes > 0 ? records / elapsed : 0;
}

uint64_t directory_bytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file())
      total += e.file_size();
  return total;
}

// Writes `pods` PodCreated + PodBound + PodStatusChanged records (unsynced, in large batches:
// this is setup), then replays them from genesis in a freshly opened log.
replay_figures measure_replay(const fs::path& dir, int pods) {
  fs::remove_all(dir);
  {
    auto log = store::event_log::open(dir.string(), store::event_log_options{false});
    std::vector<messages::journal_record> batch;
    for (int i = 0; i < pods; ++i) {
      messages::any_object o = bench_pod("frontend-" + std::to_string(i), i / 100);
      batch.push_back(record_of(o, messages::object_created{o}));
      batch.push_back(record_of(o, messages::pod_bound{"node-" + std::to_string(i % 5000)}));
      messages::pod_status running;
      running.phase = "Running";
      running.pod_ip = "10.1." + std::to_string(i / 250 % 250) + "." + std::to_string(i % 250);
      batch.push_back(record_of(o, messages::pod_status_changed{running}));
      if (batch.size() >= 3000) {
        log->append(batch);
        batch.clear();
      }
    }
    log->append(batch);
  }
  settle_log(dir);
  double elapsed = 0;
  store::restore_stats stats;
  {
    auto log = store::event_log::open(dir.string());
    auto start = clock_type::now();
    auto state = store::restore(*log, &stats);
    elapsed = seconds_since(start);
  }
  // After replay, with the same files in the page cache: the two differ by the decoding and
  // the applying alone.
  double raw = measure_raw_scan(dir, stats.replayed_records);
  double decode_elapsed = 0;
  {
    auto log = store::event_log::open(dir.string());
    uint64_t decoded = 0;
    auto start = clock_type::now();
    log->read(1, log->last_seq(), [&](messages::journal_record&&) {
      ++decoded;
      return true;
    });
    decode_elapsed = seconds_since(start);
    if (decoded != stats.replayed_records)
      throw std::runtime_error("decoding read " + std::to_string(decoded) + " records, replay " +
                               std::to_string(stats.replayed_records));
  }
  return {stats.replayed_records, directory_bytes(dir), stats.replayed_records / elapsed, raw,
          stats.replayed_records / decode_elapsed};
}

struct restore_figures {
  int pods, nodes;
  uint64_t snapshot_objects, tail_events;
  double snapshot_write_s, restore_s;
  uint64_t bytes_on_disk;
};

restore_figures measure_restore(const fs::path& dir, int pods, int nodes, int tail) {
  fs::remove_all(dir);
  restore_figures f{pods, nodes, 0, 0, 0, 0, 0};
  {
    auto log = store::event_log::open(dir.string(), store::event_log_options{false});
    store::cluster_state live;
    std::vector<messages::journal_record> batch;
    auto flush = [&] {
      log->append(batch);
      for (const auto& r : batch)
        store::apply(live, r);
      batch.clear();
    };
    for (int i = 0; i < nodes; ++i) {
      messages::any_object o = bench_node("node-" + std::to_string(i));
      batch.push_back(record_of(o, messages::object_created{o}));
      batch.push_back(record_of(o, messages::node_ready_changed{true, "KubeletReady", ""}));
    }
    flush();
    for (int i = 0; i < pods; ++i) {
      messages::any_object o = bench_pod("frontend-" + std::to_string(i), i / 100);
      batch.push_back(record_of(o, messages::object_created{o}));
      batch.push_back(record_of(o, messages::pod_bound{"node-" + std::to_string(i % nodes)}));
      if (batch.size() >= 4000)
        flush();
    }
    flush();
    auto start = clock_type::now();
    store::write_snapshot(*log, live);
    f.snapshot_write_s = seconds_since(start);
    f.snapshot_objects = live.size();
    for (int i = 0; i < tail; ++i) {
      messages::any_object o = bench_pod("frontend-" + std::to_string(i), i / 100);
      messages::pod_status running;
      running.phase = "Running";
      batch.push_back(record_of(o, messages::pod_status_changed{running}));
    }
    flush();
    f.tail_events = tail;
  }
  f.bytes_on_disk = directory_bytes(dir);
  auto start = clock_type::now();
  auto log = store::event_log::open(dir.string());
  store::restore_stats stats;
  auto state = store::restore(*log, &stats);
  f.restore_s = seconds_since(start);
  if (stats.snapshot_objects != f.snapshot_objects || stats.replayed_records != f.tail_events ||
      state.size() != f.snapshot_objects)
    throw std::runtime_error("restore did not rebuild the state that was written");
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string only;
  std::string dir;
  CLI::App app{"journal_bench: fsync, group commit, replay and snapshot + tail restore",
               "journal_bench"};
  capstan::cli::set_conventions(app);
  app.add_flag("--quick", quick, "Small runs (seconds)");
  app.add_option("--dir", dir, "Where the journals are written (default: a temp directory)");
  int restore_pods = 150000, restore_nodes = 5000;
  app.add_option("--restore-pods", restore_pods, "Pods in the restored snapshot")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  app.add_option("--restore-nodes", restore_nodes, "Nodes in the restored snapshot")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--only", only, "One part only")
      ->check(CLI::IsMember({"fsync", "appends", "replay", "restore"}));
  bool parsed = false;  // false after --help or a usage error
  app.callback([&parsed] { parsed = true; });
  if (int code = capstan::cli::run(app, argc, argv); code != 0 || !parsed)
    return code;
  fs::path base = dir;
  if (base.empty())
    base = fs::temp_directory_path() / ("capstan-journal-bench-" + std::to_string(::getpid()));
  fs::create_directories(base);

  try {
    nlohmann::json result;
    result["bench"] = "journal";
    result["quick"] = quick;
    result["cores"] = std::thread::hardware_concurrency();

    auto runs = [&](const char* part) { return only.empty() || only == part; };
    if (runs("fsync")) {
      auto disk = measure_fsync(base, quick ? 100 : 2000);
      std::printf("raw disk: 256-byte append + fdatasync  p50 %.0f us  p99 %.0f us  (%.0f/s)\n\n",
                  disk.p50_us, disk.p99_us, disk.per_second);
      result["fsync"] = {
          {"p50_us", disk.p50_us}, {"p99_us", disk.p99_us}, {"per_second", disk.per_second}};
    }
    if (runs("appends")) {
      std::printf("%-6s %8s %10s %12s %10s %10s %10s\n", "sync", "writers", "appends", "appends/s",
                  "p50 us", "p99 us", "per batch");
      nlohmann::json appends = nlohmann::json::array();
      const std::vector<int> writer_counts =
          quick ? std::vector<int>{1, 64} : std::vector<int>{1, 16, 256, 1024};
      for (durability mode :
           {durability::synced, durability::raft, durability::raft3, durability::unsynced})
        for (int writers : writer_counts) {
          auto f = measure_appends(base / "appends", mode, writers, quick ? 0.2 : 2.0);
          std::printf("%-6s %8d %10lu %12.0f %10.0f %10.0f %10.1f\n", durability_name(mode), writers,
                      static_cast<unsigned long>(f.appends), f.per_second, f.p50_us, f.p99_us,
                      f.mean_batch);
          appends.push_back({{"sync", mode != durability::unsynced},
                             {"durability", durability_name(mode)},
                             {"writers", writers},
                             {"appends", f.appends},
                             {"per_second", f.per_second},
                             {"p50_us", f.p50_us},
                             {"p99_us", f.p99_us},
                             {"mean_batch", f.mean_batch}});
        }
      result["appends"] = appends;
    }
    if (runs("replay")) {
      auto replay = measure_replay(base / "replay", quick ? 3000 : 200000);
      std::printf("\nreplay from genesis: %lu events (%.0f MiB on disk)  %.0f events/s; a raw "
                  "RocksDB scan of the same log %.0f records/s (replay at %.0f %%); reading and "
                  "decoding alone %.0f records/s\n",
                  static_cast<unsigned long>(replay.events), replay.bytes_on_disk / 1048576.0,
                  replay.per_second, replay.raw_scan_per_second,
                  100.0 * replay.per_second / std::max(1.0, replay.raw_scan_per_second),
                  replay.decode_per_second);
      result["replay"] = {{"events", replay.events},
                          {"bytes_on_disk", replay.bytes_on_disk},
                          {"per_second", replay.per_second},
                          {"raw_scan_per_second", replay.raw_scan_per_second},
                          {"decode_per_second", replay.decode_per_second}};
    }
    if (runs("restore")) {
      auto restore = measure_restore(base / "restore", quick ? 1500 : restore_pods,
                                     quick ? 50 : restore_nodes,
                                     quick ? 100 : std::min(10000, restore_pods));
      std::printf(
          "snapshot + tail restore: %d pods, %d nodes (%lu objects) + %lu tail events: "
          "%.3f s  (snapshot written in %.3f s, %.0f MiB on disk)\n",
          restore.pods, restore.nodes, static_cast<unsigned long>(restore.snapshot_objects),
          static_cast<unsigned long>(restore.tail_events), restore.restore_s,
          restore.snapshot_write_s, restore.bytes_on_disk / 1048576.0);
      result["restore"] = {{"pods", restore.pods},
                           {"nodes", restore.nodes},
                           {"objects", restore.snapshot_objects},
                           {"tail_events", restore.tail_events},
                           {"restore_s", restore.restore_s},
                           {"snapshot_write_s", restore.snapshot_write_s},
                           {"bytes_on_disk", restore.bytes_on_disk}};
    }
    result["peak_rss_mib"] = bench::peak_rss_mib();
    std::printf("peak RSS %ld MiB\n\n", bench::peak_rss_mib());
    std::cout << result.dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "journal_bench: " << e.what() << "\n";
    fs::remove_all(base);
    return 1;
  }
  fs::remove_all(base);
  return 0;
}
