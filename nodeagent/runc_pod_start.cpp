// The runc runtime's pods from admission to running containers: adopted after an agent restart,
// admitted from the master, their volumes set up (slow ones on the mounter's worker), their
// network, image and bundle prepared, their containers started with runc.
#include "nodeagent/detail/runc_runtime_impl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "common/process.hpp"
#include "messages/json_codec.hpp"
#include "nodeagent/image_store.hpp"
#include "nodeagent/runc_bundle.hpp"

namespace capstan::nodeagent::detail {

namespace fs = std::filesystem;
using namespace common;
using steady = std::chrono::steady_clock;

void runc_runtime::adopt() {
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

pod_run runc_runtime::prepare(pod p) {
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

void runc_runtime::admit(pod p) {
  auto it = pods_.find(p.metadata.uid);
  if (!p.metadata.deletion_timestamp.empty()) {
    // The master deletes the pod gracefully: it ends here within its grace period, and the
    // master removes it once told so (at once if it does not run here).
    if (it == pods_.end()) {
      config_volumes_.erase(p.metadata.uid);
      pull_auths_.erase(p.metadata.uid);
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
  // Private before anything is in it: the spec holds the values of variables taken from
  // Secrets.
  const std::string spec_file = run.dir + "/pod.json";
  if (int fd = ::open(spec_file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600); fd >= 0)
    ::close(fd);
  ::chmod(spec_file.c_str(), 0600);
  write_file(spec_file, to_json(any_object(run.spec)).dump());
  pods_.emplace(run.spec.metadata.uid, std::move(run));
}

void runc_runtime::setup_pod_network(pod_run& run) {
  std::set<std::string> used;
  for (const auto& [uid, other] : pods_)
    used.insert(other.network.ip);
  run.network.ip = network_.free_address(used);
  write_file(run.dir + "/ip", run.network.ip);
  network_.attach(run.network);
  write_file(run.dir + "/hosts", pod_hosts_file(run.spec, run.network.ip, cluster_dns_.domain));
  run.network_ready = true;
}

void runc_runtime::start_container(pod_run& run, container_run& cr) {
  const container* spec = spec_of(run, cr.name);
  if (!spec)
    return;
  if (!run.network_ready)
    setup_pod_network(run);
  std::string cdir = run.dir + "/containers/" + cr.name;
  std::string bundle = cdir + "/bundle";
  if (!fs::exists(bundle + "/config.json") || !fs::exists(cdir + "/config.base.json")) {
    auto auth = pull_auths_.find(run.spec.metadata.uid);
    auto image = find_image(config_.data_dir + "/images", config_.registry, spec->image,
                            auth == pull_auths_.end() ? "" : auth->second);
    if (image.path.empty()) {
      back_off(cr, cr.backoff.count() > 0 ? "ImagePullBackOff" : "ErrImagePull", image.error,
               steady::now(), config_.backoff);
      return;
    }
    unpack_image(image, spec->image, cdir);
    cr.image_id = "oci://" + spec->image;
  }
  // The pod's /etc/hosts and /etc/resolv.conf (by its dnsPolicy, with the cluster DNS known
  // now), then its volumes (set up: a hostPath without a type that does not exist becomes a
  // directory, as Docker did).
  write_file(run.dir + "/resolv.conf",
             pod_resolv_conf(run.spec, cluster_dns_, read_file(config_.resolv_conf)));
  std::vector<bind_mount> mounts{{run.dir + "/hosts", "/etc/hosts", false},
                                 {run.dir + "/resolv.conf", "/etc/resolv.conf", false}};
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
  post_start(run, cr, *spec);
}

void runc_runtime::post_start(pod_run& run, container_run& c, const container& spec) {
  c.post_start_pending = false;
  c.post_start_until.reset();
  c.kill_at.reset();
  auto plan = plan_post_start(spec, steady::now());
  if (plan.what == hook_plan::step::none)
    return;
  c.post_start_pending = true;
  if (plan.what == hook_plan::step::sleep) {
    c.post_start_until = plan.until;
    return;
  }
  run_hook(post_start_hooks_, run, c, plan, [this](pod_run& run, container_run& c,
                                                   const probe_outcome& outcome) {
    c.post_start_pending = false;
    if (outcome.success)
      return;
    const auto& meta = run.spec.metadata;
    std::fprintf(stderr, "capstan node: postStart hook of %s/%s container %s failed: %s\n",
                 meta.namespace_.c_str(), meta.name.c_str(), c.name.c_str(),
                 outcome.message.c_str());
    emit(run, "Warning", "FailedPostStartHook", "PostStartHook failed: " + outcome.message);
    if (run.kill_at)
      return;  // being terminated already
    // As the kubelet: SIGTERM, SIGKILL after the grace period; restarted as its policy says.
    emit(run, "Normal", "Killing", "FailedPostStartHook");
    terminate_container(c);
    c.kill_at = termination_deadline(run.spec, steady::now());
  });
}

void runc_runtime::tend(pod_run& run) {
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

void runc_runtime::set_up_volumes_of(pod_run& run) {
  if (run.volumes.in_progress || steady::now() < run.volumes.next_attempt)
    return;
  // Secret and configMap volumes wait for the files the master sends with the pod (an adopted
  // pod, after a reboot, until the master's first sync); then a secret volume's tmpfs is
  // mounted, before any container can bind the directory, and the files are written.
  const auto files = config_volumes_.find(run.spec.metadata.uid);
  for (const auto& v : run.spec.spec.volumes) {
    if (!v.secret && !v.config_map)
      continue;
    const std::vector<volume_file>* content = nullptr;
    if (files != config_volumes_.end())
      if (auto f = files->second.find(v.name); f != files->second.end())
        content = &f->second;
    if (!content)
      return;  // not received yet: the next round tries again
    const std::string dir = run.dir + "/volumes/" + v.name;
    std::string problem = v.secret ? mount_secret_volume(dir) : "";
    if (problem.empty())
      problem = write_config_volume(dir, *content);
    if (!problem.empty()) {
      volumes_set_up(run.spec, run.dir,
                     volume_failure{v.name, "MountVolume.SetUp failed for volume \"" + v.name +
                                                "\" : " + problem});
      return;
    }
  }
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

void runc_runtime::volumes_set_up(const pod& spec, const std::string& dir,
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

}  // namespace capstan::nodeagent::detail
