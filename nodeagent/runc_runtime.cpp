// The runc runtime's work, on its own thread: pods admitted, adopted from DATA/pods after a
// restart and terminated (SIGTERM, the grace period, SIGKILL, without blocking the thread);
// their volumes set up (pod_volumes, on probe_runner's workers: a mount may wait for its server),
// their containers started with runc (network, image, bundle), probed (probe_runner's workers),
// reaped and restarted; statuses reported when they change. What it works with is apart: the pod records'
// rules (pod_run), images (image_store), bundles' config (runc_bundle), the network
// (pod_network) and log files (container_logs).
#include "nodeagent/runc_runtime.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/process.hpp"
#include "messages/json_codec.hpp"
#include "nodeagent/container_logs.hpp"
#include "nodeagent/image_store.hpp"
#include "nodeagent/pod_network.hpp"
#include "nodeagent/pod_run.hpp"
#include "nodeagent/pod_volumes.hpp"
#include "nodeagent/probe_runner.hpp"
#include "nodeagent/runc_bundle.hpp"

namespace capstan::nodeagent {

namespace fs = std::filesystem;
using namespace messages;
using namespace common;
using steady = std::chrono::steady_clock;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
}

bool alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0)
    return false;
  // A zombie is dead.
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

class runc_runtime : public pod_runtime {
public:
  explicit runc_runtime(runc_runtime_config config) : config_(std::move(config)) {
    for (const char* sub : {"images", "runc", "pods"})
      fs::create_directories(config_.data_dir + "/" + sub);
    if (!run_process({"runc", "--version"}).ok())
      throw std::runtime_error("runc is not installed (apt-get install runc)");
    auto v = run_process({"runc", "--version"}).output;
    auto space = v.find("version ");
    version_ =
        "runc://" + (space == std::string::npos ? std::string("unknown")
                                                : v.substr(space + 8, v.find('\n') - space - 8));
    // Containers' init processes are re-parented to this process, so their exit codes reach
    // the process's reaper.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    thread_ = std::thread([this] { loop(); });
  }
  ~runc_runtime() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void start(const node& self, reporter report, event_reporter events) override {
    post([this, self, report = std::move(report), events = std::move(events)] {
      self_ = self;
      report_ = report;
      events_ = events;
      network_.set_up_bridge(self.spec.pod_cidr);
      adopt();
    });
  }
  void sync(std::vector<pod> desired) override {
    post([this, desired = std::move(desired)]() mutable {
      synced_ = true;
      std::set<std::string> wanted;
      for (const auto& p : desired)
        wanted.insert(p.metadata.uid);
      std::vector<std::string> gone;
      for (const auto& [uid, run] : pods_)
        if (!wanted.count(uid))
          gone.push_back(uid);
      for (const auto& uid : gone)
        delete_pod(uid);
      for (auto& p : desired)
        admit(std::move(p));
    });
  }
  void upsert(pod desired) override {
    post([this, desired = std::move(desired)]() mutable { admit(std::move(desired)); });
  }
  void remove(const std::string&, const std::string&, const std::string& uid) override {
    post([this, uid] { delete_pod(uid); });
  }
  void set_peers(std::vector<peer_node> peers) override {
    post([this, peers = std::move(peers)] { network_.route_to(peers); });
  }
  container_log logs(const std::string& ns, const std::string& name, const std::string& container,
                     uint64_t offset, uint64_t tail) override {
    std::string path;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = log_paths_.find(ns + "/" + name + "/" + container);
      if (it == log_paths_.end())
        return {"", 0, "container " + container + " of pod " + name + " has not started here"};
      path = it->second;
    }
    return read_container_log(path, offset, tail);
  }
  exec_target exec_target_of(const std::string& ns, const std::string& name,
                             const std::string& uid, const std::string& container) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = exec_ids_.find(ns + "/" + name + "/" + container);
    if (it == exec_ids_.end() || (!uid.empty() && it->second.first != uid))
      return {{}, {}, "container " + container + " of pod " + name + " does not run here"};
    return {{"runc", "--root", config_.data_dir + "/runc", "exec", it->second.second}, {"--tty"}, {}};
  }
  exec_target port_target_of(const std::string& ns, const std::string& name,
                             const std::string& uid) override {
    std::string netns;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const std::string prefix = ns + "/" + name + "/";
      auto it = exec_ids_.lower_bound(prefix);
      if (it == exec_ids_.end() || it->first.compare(0, prefix.size(), prefix) != 0 ||
          (!uid.empty() && it->second.first != uid))
        return {{}, {}, "pod " + name + " does not run here"};
      netns = "/run/netns/cp-" + short_uid(it->second.first);
    }
    // This agent's own binary (capstan-node) connects from inside the pod's namespace.
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
      return {{}, {}, "cannot find the agent's own binary"};
    return {{std::string(self, static_cast<std::size_t>(n)), "pod-connect", netns},
            {},
            {}};
  }
  std::string version() const override { return version_; }

private:
  void post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

  void loop() {
    for (;;) {
      std::deque<std::function<void()>> tasks;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait_for(lock, std::chrono::milliseconds(500),
                       [this] { return stopping_ || !tasks_.empty(); });
        if (stopping_)
          return;  // containers keep running: the next agent adopts them
        tasks.swap(tasks_);
      }
      for (auto& t : tasks) {
        try {
          t();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "capstan node: %s\n", e.what());
        }
      }
      if (!report_)
        continue;
      reap();
      for (auto& [uid, run] : pods_)
        tend(run);
      for (auto& [uid, run] : pods_)
        probe(run);
      finish_terminations();
      for (auto& [uid, run] : pods_)
        report(run);
    }
  }

  // ---- pods ----
  std::string pod_dir(const std::string& uid) { return config_.data_dir + "/pods/" + uid; }

  // Pods left by an earlier agent: their containers run on; take them over.
  void adopt() {
    for (const auto& entry : fs::directory_iterator(config_.data_dir + "/pods")) {
      std::string uid = entry.path().filename();
      std::string text = read_file(entry.path() / "pod.json");
      field_errors errors;
      std::optional<any_object> o;
      try {
        o = object_from_json(json::parse(text), errors);
      } catch (const std::exception&) {
      }
      if (!o || !std::holds_alternative<pod>(*o)) {
        remove_pod_dir(entry.path());  // never across a volume still mounted in it
        continue;
      }
      pod_run run = prepare(std::get<pod>(*o));
      run.network.ip = read_file(run.dir + "/ip");
      run.network_ready = !run.network.ip.empty() && fs::exists("/run/netns/" + run.network.netns);
      for (auto& c : run.containers) {
        std::string pid_text = read_file(run.dir + "/containers/" + c.name + "/pid");
        pid_t pid = pid_text.empty() ? 0 : std::atoi(pid_text.c_str());
        std::string meta = read_file(run.dir + "/containers/" + c.name + "/state.json");
        if (!meta.empty()) {
          auto m = nlohmann::json::parse(meta, nullptr, false);
          if (m.is_object()) {
            c.restarts = m.value("restarts", 0);
            c.image_id = m.value("imageID", "");
          }
        }
        if (alive(pid)) {
          c.pid = pid;
          c.child = false;
          c.state = {};
          c.running_since = steady::now();  // at least since now: its back-off starts over
          c.state.running = container_state_running{timestamp{
              static_cast<int64_t>(fs::last_write_time(run.dir + "/containers/" + c.name + "/pid")
                                       .time_since_epoch()
                                       .count() /
                                   1000000000)}};
          // Probed afresh, as a kubelet restart does (readiness starts unready).
          for (const auto& s : run.spec.spec.containers)
            if (s.name == c.name)
              c.probes = probes_for(s, c.running_since);
          ++c.run_number;
        }
      }
      std::fprintf(stderr, "capstan node: adopted pod %s/%s\n",
                   run.spec.metadata.namespace_.c_str(), run.spec.metadata.name.c_str());
      pods_.emplace(uid, std::move(run));
    }
  }

  // The pod's record, its containers' log files known to logs().
  pod_run prepare(pod p) {
    const std::string dir = pod_dir(p.metadata.uid);
    pod_run run = new_pod_run(std::move(p), dir);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& c : run.containers) {
      const auto key = run.spec.metadata.namespace_ + "/" + run.spec.metadata.name + "/" + c.name;
      log_paths_[key] = run.dir + "/logs/" + c.name + ".log";
      exec_ids_[key] = {run.spec.metadata.uid, c.id};
    }
    return run;
  }

  void admit(pod p) {
    auto it = pods_.find(p.metadata.uid);
    if (!p.metadata.deletion_timestamp.empty()) {
      // The master deletes the pod gracefully: it ends here within its grace period, and the
      // master removes it once told so (at once if it does not run here).
      if (it == pods_.end()) {
        if (report_)
          report_({p.metadata.namespace_, p.metadata.name, p.metadata.uid, {}, true});
        return;
      }
      it->second.confirm_deletion = true;
      delete_pod(p.metadata.uid, p.metadata.deletion_grace_period_seconds);
      return;
    }
    if (it != pods_.end()) {
      it->second.spec.metadata.labels = p.metadata.labels;
      return;  // running already; spec changes other than images would need a new pod
    }
    if (!report_)
      return;
    pod_run run = prepare(std::move(p));
    fs::create_directories(run.dir + "/logs");
    write_file(run.dir + "/pod.json", to_json(any_object(run.spec)).dump());
    pods_.emplace(run.spec.metadata.uid, std::move(run));
  }

  // Gives the pod a free address (kept in DIR/ip for adopt), its namespace, and its /etc/hosts.
  void setup_pod_network(pod_run& run) {
    std::set<std::string> used;
    for (const auto& [uid, other] : pods_)
      used.insert(other.network.ip);
    run.network.ip = network_.free_address(used);
    write_file(run.dir + "/ip", run.network.ip);
    network_.attach(run.network);
    write_file(run.dir + "/hosts",
               "127.0.0.1\tlocalhost\n" + run.network.ip + "\t" + run.spec.metadata.name + "\n");
    run.network_ready = true;
  }

  void start_container(pod_run& run, container_run& cr) {
    const container* spec = nullptr;
    for (const auto& c : run.spec.spec.containers)
      if (c.name == cr.name)
        spec = &c;
    if (!spec)
      return;
    if (!run.network_ready)
      setup_pod_network(run);
    std::string cdir = run.dir + "/containers/" + cr.name;
    std::string bundle = cdir + "/bundle";
    if (!fs::exists(bundle + "/config.json") || !fs::exists(cdir + "/config.base.json")) {
      auto image = find_image(config_.data_dir + "/images", config_.registry, spec->image);
      if (image.path.empty()) {
        back_off(cr, cr.backoff.count() > 0 ? "ImagePullBackOff" : "ErrImagePull", image.error,
                 steady::now(), config_.backoff);
        return;
      }
      unpack_image(image, spec->image, cdir);
      cr.image_id = "oci://" + spec->image;
    }
    // The pod's /etc/hosts, then its volumes (set up: a hostPath without a type that does not
    // exist becomes a directory, as Docker did).
    std::vector<bind_mount> mounts{{run.dir + "/hosts", "/etc/hosts", false}};
    for (auto& mount : volume_mounts(run.dir, run.spec, *spec)) {
      std::error_code ec;  // a stale NFS handle is an error here, not an exception
      if (!fs::exists(mount.source, ec) && !ec)
        fs::create_directories(mount.source);
      mounts.push_back(std::move(mount));
    }
    write_file(
        bundle + "/config.json",
        container_config(read_file(cdir + "/config.base.json"), run.spec, *spec,
                         "/run/netns/" + run.network.netns,
                         "/capstan/" + short_uid(run.spec.metadata.uid) + "/" + cr.name, mounts));
    std::string root = config_.data_dir + "/runc";
    run_process({"runc", "--root", root, "delete", "--force", cr.id});
    std::string log = run.dir + "/logs/" + cr.name + ".log";
    auto r = run_process_logging_to({"runc", "--root", root, "run", "--detach", "--pid-file",
                                     cdir + "/pid", "--bundle", bundle, cr.id},
                                    log);
    std::string pid_text = read_file(cdir + "/pid");
    if (!r.ok() || pid_text.empty()) {
      back_off(cr, "CrashLoopBackOff", "runc could not start the container (see logs)",
               steady::now(), config_.backoff);
      return;
    }
    cr.pid = std::atoi(pid_text.c_str());
    cr.child = true;
    cr.state = {};
    cr.state.running = container_state_running{timestamp::now()};
    cr.running_since = steady::now();
    cr.probes = probes_for(*spec, cr.running_since);
    ++cr.run_number;
    write_file(cdir + "/state.json",
               nlohmann::json({{"restarts", cr.restarts}, {"imageID", cr.image_id}}).dump());
  }

  // Takes the exit statuses of containers started by this process from the process's reaper
  // (common/process.hpp), which collects them as soon as they exit.
  void reap() {
    for (auto& [uid, run] : pods_)
      for (auto& c : run.containers)
        if (c.pid > 0 && c.child)
          if (auto e = exit_status(c.pid))
            finished(run, c, e->exit_code, e->signal);
    // Adopted containers are not our children: notice them gone.
    for (auto& [uid, run] : pods_)
      for (auto& c : run.containers)
        if (c.pid > 0 && !c.child && !alive(c.pid))
          finished(run, c, 0, 0);
  }

  // A container's process ended: its runc container goes, the record follows the restart
  // policy (container_exited).
  void finished(pod_run& run, container_run& c, int exit_code, int signal) {
    const timestamp finished_at = timestamp::now();
    run_process({"runc", "--root", config_.data_dir + "/runc", "delete", "--force", c.id});
    container_exited(c, run.spec.spec.restart_policy, exit_code, signal, finished_at, steady::now(),
                     config_.backoff);
  }

  // Starts what should run and is not running yet (first start or a restart due now).
  void tend(pod_run& run) {
    if (run.kill_at)
      return;  // terminating: nothing starts again
    if (!run.volumes.ready) {
      set_up_volumes_of(run);
      return;
    }
    for (auto& c : run.containers) {
      if (c.pid > 0 || c.state.terminated || steady::now() < c.next_start)
        continue;
      try {
        start_container(run, c);
      } catch (const std::exception& e) {
        back_off(c, "CreateContainerError", e.what(), steady::now(), config_.backoff);
      }
    }
  }

  // Hands the pod's volumes to a worker when an attempt is due; the outcome comes back as a
  // task (volumes_set_up).
  void set_up_volumes_of(pod_run& run) {
    if (run.volumes.in_progress || steady::now() < run.volumes.next_attempt)
      return;
    if (!has_slow_volumes(run.spec)) {  // local directories only: at once, here
      volumes_set_up(run.spec, run.dir, set_up_volumes(run.spec, run.dir));
      return;
    }
    run.volumes.in_progress = true;
    mounter_.submit([this, spec = run.spec, dir = run.dir] {
      auto failure = set_up_volumes(spec, dir);
      post([this, spec, dir, failure] { volumes_set_up(spec, dir, failure); });
    });
  }

  // The pod's containers may start, or it waits (ContainerCreating) for the next attempt with a
  // FailedMount event. A pod removed meanwhile has what was mounted for it undone here.
  void volumes_set_up(const pod& spec, const std::string& dir,
                      const std::optional<volume_failure>& failure) {
    auto it = pods_.find(spec.metadata.uid);
    if (it == pods_.end()) {
      remove_pod_dir(dir);
      return;
    }
    auto& v = it->second.volumes;
    v.in_progress = false;
    if (!failure) {
      v.ready = true;
      v.failures = 0;
      return;
    }
    ++v.failures;
    v.next_attempt = steady::now() + mount_retry_delay(v.failures);
    std::fprintf(stderr, "capstan node: pod %s/%s: %s\n", spec.metadata.namespace_.c_str(),
                 spec.metadata.name.c_str(), failure->message.c_str());
    emit(it->second, "Warning", "FailedMount", failure->message);
  }

  void emit(const pod_run& run, std::string type, std::string reason, std::string message) {
    if (events_)
      events_({run.spec.metadata.namespace_, run.spec.metadata.name, run.spec.metadata.uid,
               std::move(type), std::move(reason), std::move(message)});
  }

  // Hands the probes due now to the prober; each result comes back as a task (probe_result).
  void probe(pod_run& run) {
    if (run.kill_at)
      return;
    const auto now = steady::now();
    for (auto& c : run.containers) {
      if (c.pid <= 0 || !c.state.running)
        continue;
      const container* spec = nullptr;
      for (const auto& s : run.spec.spec.containers)
        if (s.name == c.name)
          spec = &s;
      if (!spec)
        continue;
      for (auto kind : take_due(c.probes, now)) {
        const auto& p = kind == probe_kind::startup    ? *spec->startup_probe
                        : kind == probe_kind::liveness ? *spec->liveness_probe
                                                       : *spec->readiness_probe;
        probe_target target{run.network.ip, spec->ports, config_.data_dir + "/runc", c.id};
        prober_.submit([this, p, target, kind, uid = run.spec.metadata.uid, name = c.name,
                        number = c.run_number] {
          auto outcome = run_probe(p, target);
          post([this, uid, name, number, kind, outcome] {
            probe_result(uid, name, number, kind, outcome);
          });
        });
      }
    }
  }

  // A probe's result: counted against the run it was taken in; a failed liveness or startup
  // probe kills the container (the reaper then restarts it as its restart policy says).
  void probe_result(const std::string& uid, const std::string& name, uint64_t number,
                    probe_kind kind, const probe_outcome& outcome) {
    auto it = pods_.find(uid);
    if (it == pods_.end())
      return;
    for (auto& c : it->second.containers) {
      if (c.name != name || c.run_number != number || c.pid <= 0)
        continue;
      auto verdict = record(c.probes, kind, outcome.success);
      const auto& meta = it->second.spec.metadata;
      if (!outcome.success) {
        std::fprintf(stderr, "capstan node: %s probe of %s/%s container %s failed: %s\n",
                     probe_name(kind), meta.namespace_.c_str(), meta.name.c_str(), name.c_str(),
                     outcome.message.c_str());
        emit(it->second, "Warning", "Unhealthy",
             std::string(probe_name(kind)) + " probe failed: " + outcome.message);
      }
      if (verdict == probe_verdict::kill) {
        const char* which = kind == probe_kind::startup ? "startup" : "liveness";
        std::fprintf(stderr, "capstan node: killing %s/%s container %s: it failed its %s probe\n",
                     meta.namespace_.c_str(), meta.name.c_str(), name.c_str(), which);
        emit(it->second, "Normal", "Killing",
             "Container " + name + " failed " + which + " probe, will be restarted");
        run_process({"runc", "--root", config_.data_dir + "/runc", "kill", c.id, "KILL"});
      }
    }
  }

  // Sends the pod's status when it changed since the last report.
  void report(pod_run& run) {
    if (run.kill_at)
      return;  // its pod is gone from the master
    pod_status s = observed_status(run, self_);
    // Times in the conditions would make every report differ: compare without them.
    std::string text = to_json_part(s).dump();
    if (text == run.reported)
      return;
    run.reported = text;
    auto now = timestamp::now();
    for (auto& c : s.conditions)
      c.last_transition_time = now;
    report_({run.spec.metadata.namespace_, run.spec.metadata.name, run.spec.metadata.uid, s});
  }

  // Starts the pod's termination, as the kubelet does: SIGTERM to every container now, SIGKILL
  // to what still runs terminationGracePeriodSeconds later (finish_terminations); the pod is
  // removed once nothing of it runs. Never blocks the runtime's thread.
  void delete_pod(const std::string& uid, std::optional<int64_t> grace = std::nullopt) {
    auto it = pods_.find(uid);
    if (it == pods_.end())
      return;  // unknown, or not adopted yet (left for adopt)
    auto& run = it->second;
    auto deadline = termination_deadline(run.spec, steady::now(), grace);
    if (run.kill_at) {
      run.kill_at = std::min(*run.kill_at, deadline);  // a later delete may shorten the grace
      return;
    }
    run.kill_at = deadline;
    const std::string root = config_.data_dir + "/runc";
    for (auto& c : run.containers)
      if (c.pid > 0) {
        if (run.confirm_deletion)  // the pod is still in the master: its events are seen
          emit(run, "Normal", "Killing", "Stopping container " + c.name);
        run_process({"runc", "--root", root, "kill", c.id, "TERM"});
      }
  }

  // Terminating pods whose containers all ended, or whose grace period is over (what still runs
  // gets SIGKILL), are removed.
  void finish_terminations() {
    const auto now = steady::now();
    std::vector<std::string> done;
    for (auto& [uid, run] : pods_) {
      if (!run.kill_at)
        continue;
      bool running = false;
      for (const auto& c : run.containers)
        running |= c.pid > 0;
      if (!running || now >= *run.kill_at)
        done.push_back(uid);
    }
    for (const auto& uid : done)
      remove_pod(uid);
  }

  // Kills what still runs of the pod and removes its containers, cgroups, network and files.
  void remove_pod(const std::string& uid) {
    auto it = pods_.find(uid);
    if (it == pods_.end())
      return;
    pod_run run = std::move(it->second);
    pods_.erase(it);
    std::string root = config_.data_dir + "/runc";
    for (auto& c : run.containers) {
      if (c.pid > 0) {
        run_process({"runc", "--root", root, "kill", c.id, "KILL"});
        exit_status(c.pid);  // claimed if already collected; a later exit stays unclaimed
      }
      run_process({"runc", "--root", root, "delete", "--force", c.id});
      remove_cgroup("/capstan/" + short_uid(uid) + "/" + c.name);
      std::lock_guard<std::mutex> lock(mutex_);
      log_paths_.erase(run.spec.metadata.namespace_ + "/" + run.spec.metadata.name + "/" + c.name);
      exec_ids_.erase(run.spec.metadata.namespace_ + "/" + run.spec.metadata.name + "/" + c.name);
    }
    remove_cgroup("/capstan/" + short_uid(uid));
    network_.detach(run.network);
    // Never remove_all over a mounted nfs volume (its files are the server's): a volume set up
    // right now is undone when that ends (volumes_set_up), one that stays mounted is left.
    if (!run.volumes.in_progress && !remove_pod_dir(run.dir))
      std::fprintf(stderr, "capstan node: %s left in place: a volume in it stays mounted\n",
                   run.dir.c_str());
    // Only now: a pod the master removes has nothing left here.
    if (run.confirm_deletion && report_)
      report_({run.spec.metadata.namespace_, run.spec.metadata.name, uid, {}, true});
  }

  // runc delete leaves the cgroup directories behind (one per controller in cgroup v1).
  void remove_cgroup(const std::string& path) {
    std::error_code ec;
    if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
      fs::remove("/sys/fs/cgroup" + path, ec);
      return;
    }
    for (const auto& controller : fs::directory_iterator("/sys/fs/cgroup", ec))
      if (controller.is_directory() && !controller.is_symlink())
        ::rmdir((controller.path().string() + path).c_str());
  }

  runc_runtime_config config_;
  std::string version_;
  node self_;
  reporter report_;
  event_reporter events_;
  pod_network network_{host_actions::real()};  // runtime thread only
  std::map<std::string, pod_run> pods_;        // by uid; runtime thread only
  bool synced_ = false;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::map<std::string, std::string> log_paths_;  // "ns/pod/container" -> file; under mutex_
  // "ns/pod/container" -> the pod's UID and the runc container id; under mutex_
  std::map<std::string, std::pair<std::string, std::string>> exec_ids_;
  bool stopping_ = false;
  std::thread thread_;
  // Last: stopped first (their jobs post to the task queue above). Mounts have their own
  // worker: one waiting for an NFS server must not hold up probes.
  probe_runner prober_{2};
  probe_runner mounter_{1};
};

}  // namespace

std::unique_ptr<pod_runtime> make_runc_runtime(runc_runtime_config config) {
  return std::make_unique<runc_runtime>(std::move(config));
}

}  // namespace capstan::nodeagent
