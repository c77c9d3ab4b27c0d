#include "actors/objects/service_account_admission.hpp"

#include <utility>

#include "auth/service_account_token.hpp"

namespace capstan::actors {

using namespace messages;

namespace {

// The pod's volume that holds `secret_name` with every key, or a new one named after it.
std::string token_volume(pod& p, const std::string& secret_name) {
  for (const auto& v : std::as_const(p.spec.volumes))
    if (v.secret && v.secret->secret_name == secret_name && v.secret->items.empty())
      return v.name;
  // "kube-api-access-" and the Secret's five-character suffix, made unique among the pod's.
  std::string base = "kube-api-access-" + secret_name.substr(secret_name.size() - 5);
  std::string name = base;
  for (int n = 2;; ++n) {
    bool taken = false;
    for (const auto& v : std::as_const(p.spec.volumes))
      taken = taken || v.name == name;
    if (!taken)
      break;
    name = base + "-" + std::to_string(n);
  }
  volume v;
  v.name = name;
  v.secret.emplace();
  v.secret->secret_name = secret_name;
  v.secret->default_mode = 0644;
  p.spec.volumes.push_back(std::move(v));
  return name;
}

}  // namespace

std::optional<std::string> admit_service_account(pod& p, const store::cluster_state& state) {
  const std::string& ns = p.metadata.namespace_;
  if (p.spec.service_account_name.empty())
    p.spec.service_account_name = "default";
  const std::string& name = p.spec.service_account_name;
  const auto* account = state.find<service_account>({ns, name});
  if (!account && name != "default")
    return "error looking up service account " + ns + "/" + name + ": serviceaccount \"" + name +
           "\" not found";
  bool automount = p.spec.automount_service_account_token.value_or(
      account ? account->automount_service_account_token.value_or(true) : true);
  if (automount) {
    std::optional<std::string> volume_name;
    for (auto& c : p.spec.containers) {
      bool mounted = false;
      for (const auto& m : c.volume_mounts)
        mounted = mounted || m.mount_path == auth::service_account_mount_path;
      if (mounted)
        continue;
      if (!volume_name) {
        const std::string secret_name = auth::token_secret_name(ns, name);
        // The name may be held by a Secret that is not this account's token (written before
        // the account existed): mounting it would give the pod someone else's credentials.
        if (const auto* held = state.find<secret>({ns, secret_name})) {
          auto owner = held->metadata.annotations.find(auth::service_account_name_annotation);
          if (held->type != auth::service_account_token_type ||
              owner == held->metadata.annotations.end() || owner->second != name)
            return "the token Secret of service account " + ns + "/" + name + " (" +
                   secret_name + ") is taken by a Secret that is not its token";
        }
        volume_name = token_volume(p, secret_name);
      }
      volume_mount m;
      m.name = *volume_name;
      m.read_only = true;
      m.mount_path = auth::service_account_mount_path;
      c.volume_mounts.push_back(std::move(m));
    }
  }
  if (account && p.spec.image_pull_secrets.empty())
    p.spec.image_pull_secrets = account->image_pull_secrets;
  return std::nullopt;
}

}  // namespace capstan::actors
