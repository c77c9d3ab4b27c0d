// The runc runtime's thread and task queue, and the pod_runtime interface: what the agent asks
// becomes a task on that thread; logs and exec targets are answered from the maps kept under the
// mutex.
#include "nodeagent/detail/runc_runtime_impl.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/process.hpp"
#include "nodeagent/container_logs.hpp"

namespace capstan::nodeagent::detail {

namespace fs = std::filesystem;
using namespace common;
using steady = std::chrono::steady_clock;

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

runc_runtime::runc_runtime(runc_runtime_config config) : config_(std::move(config)) {
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

runc_runtime::~runc_runtime() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  // Containers keep running, but the overlay is only as current as the agent that feeds it
  // peers: it goes with the agent and comes back at its next join.
  network_.tear_down_overlay();
}

void runc_runtime::start(const node& self, reporter report, event_reporter events) {
  post([this, self, report = std::move(report), events = std::move(events)] {
    self_ = self;
    report_ = report;
    events_ = events;
    network_.set_up_bridge(self.spec.pod_cidr);
    bridge_up_ = true;
    apply_pod_network();
    adopt();
  });
}

void runc_runtime::sync(std::vector<pod> desired) {
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

void runc_runtime::upsert(pod desired) {
  post([this, desired = std::move(desired)]() mutable { admit(std::move(desired)); });
}

void runc_runtime::set_pull_auths(std::vector<messages::image_pull_auth> auths) {
  post([this, auths = std::move(auths)]() mutable {
    for (auto& a : auths)
      pull_auths_[a.pod_uid] = std::move(a.auth_file_json);
  });
}

void runc_runtime::set_cluster_dns(cluster_dns_settings settings) {
  post([this, settings = std::move(settings)]() mutable { cluster_dns_ = std::move(settings); });
}

void runc_runtime::set_pod_network(messages::pod_network_settings settings) {
  post([this, settings = std::move(settings)]() mutable {
    pod_network_ = std::move(settings);
    if (bridge_up_)
      apply_pod_network();
  });
}

void runc_runtime::apply_pod_network() {
  std::string address;
  for (const auto& a : self_.status.addresses)
    if (a.type == "InternalIP")
      address = a.address;
  try {
    network_.use(pod_network_, address);
    network_problem_.clear();
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "capstan node: pod network settings refused, nothing changed: %s\n",
                 e.what());
  } catch (const std::exception& e) {
    report_network_problem(e.what());
  }
}

void runc_runtime::resync_pod_network() {
  auto now = steady::now();
  if (!bridge_up_ || now < next_network_resync_)
    return;
  next_network_resync_ = now + std::chrono::seconds(5);
  try {
    network_.resync();
    if (!network_problem_.empty())
      std::fprintf(stderr, "capstan node: the pod network is set up now\n");
    network_problem_.clear();
  } catch (const std::exception& e) {
    report_network_problem(e.what());
  }
}

void runc_runtime::report_network_problem(const std::string& problem) {
  if (problem != network_problem_)  // once per distinct problem, not every retry
    std::fprintf(stderr, "capstan node: the pod network is not set up (retried every 5 s): %s\n",
                 problem.c_str());
  network_problem_ = problem;
}

void runc_runtime::set_config_volumes(std::vector<config_volume> volumes) {
  post([this, volumes = std::move(volumes)]() mutable {
    for (auto& v : volumes) {
      auto& files = config_volumes_[v.pod_uid][v.volume];
      files = std::move(v.files);
      // A pod whose volumes are set up gets the new files now; others when they are set up.
      auto it = pods_.find(v.pod_uid);
      if (it == pods_.end() || !it->second.volumes.ready ||
          !is_config_volume(it->second.spec, v.volume))
        continue;
      // Set up already (a secret volume's tmpfs mounted): the files are replaced in place.
      auto problem = write_config_volume(it->second.dir + "/volumes/" + v.volume, files);
      if (!problem.empty())
        emit(it->second, "Warning", "FailedMount",
             "MountVolume.SetUp failed for volume \"" + v.volume + "\" : " + problem);
    }
  });
}

void runc_runtime::remove(const std::string&, const std::string&, const std::string& uid) {
  post([this, uid] { delete_pod(uid); });
}

void runc_runtime::set_peers(std::vector<peer_node> peers) {
  post([this, peers = std::move(peers)] { network_.route_to(peers); });
}

container_log runc_runtime::logs(const std::string& ns, const std::string& name, const std::string& container,
                   uint64_t offset, uint64_t tail) {
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

exec_target runc_runtime::exec_target_of(const std::string& ns, const std::string& name,
                           const std::string& uid, const std::string& container) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = exec_ids_.find(ns + "/" + name + "/" + container);
  if (it == exec_ids_.end() || (!uid.empty() && it->second.first != uid))
    return {{}, {}, "container " + container + " of pod " + name + " does not run here"};
  return {{"runc", "--root", config_.data_dir + "/runc", "exec", it->second.second}, {"--tty"}, {}};
}

exec_target runc_runtime::port_target_of(const std::string& ns, const std::string& name,
                           const std::string& uid) {
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

void runc_runtime::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void runc_runtime::loop() {
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
    resync_pod_network();
    reap();
    for (auto& [uid, run] : pods_)
      tend(run);
    for (auto& [uid, run] : pods_)
      advance_hooks(run);
    for (auto& [uid, run] : pods_)
      probe(run);
    finish_terminations();
    for (auto& [uid, run] : pods_)
      report(run);
  }
}

void runc_runtime::run_hook(
    probe_runner& runner, const pod_run& run, const container_run& c, const hook_plan& plan,
    std::function<void(pod_run&, container_run&, const probe_outcome&)> done) {
  const container* spec = spec_of(run, c.name);
  probe_target target{run.network.ip, spec ? spec->ports : std::vector<container_port>{},
                      config_.data_dir + "/runc", c.id};
  runner.submit([this, action = plan.action, deadline = plan.deadline, target,
                 uid = run.spec.metadata.uid, name = c.name, number = c.run_number,
                 done = std::move(done)]() mutable {
    probe_outcome outcome{false, "the grace period ended before the hook could run"};
    action.timeout_seconds = hook_timeout_seconds(deadline, steady::now());
    if (action.timeout_seconds > 0)
      outcome = run_probe(action, target);
    post([this, uid, name, number, outcome, done] {
      auto it = pods_.find(uid);
      if (it == pods_.end())
        return;
      for (auto& c : it->second.containers)
        if (c.name == name && c.run_number == number && c.pid > 0)
          done(it->second, c, outcome);
    });
  });
}

}  // namespace capstan::nodeagent::detail

namespace capstan::nodeagent {

std::unique_ptr<pod_runtime> make_runc_runtime(runc_runtime_config config) {
  return std::make_unique<detail::runc_runtime>(std::move(config));
}

}  // namespace capstan::nodeagent
