#include "actors/controllers/service_account_controller.hpp"

#include <set>

#include "auth/service_account_token.hpp"
#include "common/join_proof.hpp"

namespace capstan::actors {

using namespace messages;

namespace {

constexpr const char* cause = "system:serviceaccount-controller";

bool token_valid(const byte_map& data, const std::string& ns, const std::string& secret_name,
                 const std::string& account_uid, const service_account_settings& settings) {
  auto token = data.find("token");
  return token != data.end() &&
         auth::token_signed_for(token->second, ns, secret_name, account_uid, settings.signing_key);
}

// The token Secret's data as it should be, filling what `existing` lacks; its token is kept
// only when it is signed for the account.
byte_map token_data(const byte_map& existing, const std::string& ns, const std::string& secret_name,
                    const std::string& account_uid, const service_account_settings& settings) {
  byte_map data = existing;
  if (!token_valid(data, ns, secret_name, account_uid, settings))
    data["token"] = auth::make_service_account_token(ns, secret_name, account_uid,
                                                     settings.random_hex(), settings.signing_key);
  if (!settings.api_ca_pem.empty() && !data.count("ca.crt"))
    data["ca.crt"] = settings.api_ca_pem;
  if (!data.count("namespace"))
    data["namespace"] = ns;
  return data;
}

bool token_data_complete(const byte_map& data, const std::string& ns,
                         const std::string& secret_name, const std::string& account_uid,
                         const service_account_settings& settings) {
  return token_valid(data, ns, secret_name, account_uid, settings) && data.count("namespace") &&
         (settings.api_ca_pem.empty() || data.count("ca.crt"));
}

std::string annotation(const object_meta& meta, const char* name) {
  auto it = meta.annotations.find(name);
  return it == meta.annotations.end() ? "" : it->second;
}

// What to do with an existing token Secret of `account` (null: the account is gone).
std::optional<account_action> keep_token_secret(const secret& s, const service_account* account,
                                                const service_account_settings& settings) {
  const std::string uid = annotation(s.metadata, auth::service_account_uid_annotation);
  if (!account || (!uid.empty() && uid != account->metadata.uid))
    return account_delete{object_kind::secret, {s.metadata.namespace_, s.metadata.name},
                          s.metadata.uid};
  const auto& ns = s.metadata.namespace_;
  const auto& account_uid = account->metadata.uid;
  if (!uid.empty() && token_data_complete(s.data, ns, s.metadata.name, account_uid, settings))
    return std::nullopt;
  secret filled = s;
  filled.metadata.annotations[auth::service_account_uid_annotation] = account_uid;
  // A token not signed for this account (one a writer of the Secret chose) is replaced.
  filled.data = token_data(s.data, ns, s.metadata.name, account_uid, settings);
  return account_update{std::move(filled)};
}

}  // namespace

std::vector<account_action> service_account_actions(const store::cluster_state& state,
                                                    const std::string& ns,
                                                    const service_account_settings& settings) {
  std::vector<account_action> out;
  const auto* space = state.find<namespace_object>({"", ns});
  if (!space || space->status.phase == "Terminating")
    return out;
  const auto& accounts = state.of(object_kind::service_account);
  if (!accounts.count({ns, "default"})) {
    service_account account;
    account.metadata.namespace_ = ns;
    account.metadata.name = "default";
    out.push_back(account_create{std::move(account)});
  }
  std::set<std::string> handled_secrets;
  for (auto it = accounts.lower_bound({ns, ""}); it != accounts.end() && it->first.namespace_ == ns;
       ++it) {
    const auto& account = std::get<service_account>(it->second);
    const std::string name = auth::token_secret_name(ns, account.metadata.name);
    const auto* existing = state.find<secret>({ns, name});
    bool ours = !existing || (existing->type == auth::service_account_token_type &&
                              annotation(existing->metadata, auth::service_account_name_annotation) ==
                                  account.metadata.name);
    if (!ours)
      continue;  // a Secret of the user's holds the name: the account gets no token of ours
    handled_secrets.insert(name);
    if (!existing) {
      secret token;
      token.metadata.namespace_ = ns;
      token.metadata.name = name;
      token.metadata.annotations[auth::service_account_name_annotation] = account.metadata.name;
      token.metadata.annotations[auth::service_account_uid_annotation] = account.metadata.uid;
      token.type = auth::service_account_token_type;
      token.data = token_data({}, ns, name, account.metadata.uid, settings);
      out.push_back(account_create{std::move(token)});
    } else if (auto action = keep_token_secret(*existing, &account, settings)) {
      bool stale = std::holds_alternative<account_delete>(*action);
      out.push_back(std::move(*action));
      if (stale)
        continue;  // listed again once it is re-created
    }
    bool listed = false;
    for (const auto& ref : account.secrets)
      listed = listed || ref.name == name;
    if (!listed) {
      service_account updated = account;
      object_reference ref;
      ref.name = name;
      updated.secrets.push_back(std::move(ref));
      out.push_back(account_update{std::move(updated)});
    }
  }
  // Token Secrets of other names: the user's (filled in when their account exists) or stale.
  const auto& secrets = state.of(object_kind::secret);
  for (auto it = secrets.lower_bound({ns, ""}); it != secrets.end() && it->first.namespace_ == ns;
       ++it) {
    const auto& s = std::get<secret>(it->second);
    if (s.type != auth::service_account_token_type || handled_secrets.count(s.metadata.name))
      continue;
    const auto* account = state.find<service_account>(
        {ns, annotation(s.metadata, auth::service_account_name_annotation)});
    if (auto action = keep_token_secret(s, account, settings))
      out.push_back(std::move(*action));
  }
  return out;
}

namespace {

struct service_account_controller_state {
  controller_queue<std::string> queue;  // namespaces to bring in order
  static inline const char* name = "serviceaccount-controller";
};

using sa_self = controller_impl_actor::stateful_pointer<service_account_controller_state>;

void add_every_namespace(sa_self self, const read_model* model) {
  model->read([&](const store::cluster_state& s) {
    for (const auto& [key, object] : s.of(object_kind::namespace_))
      self->state.queue.add(key.name);
  });
}

void sync(sa_self self, const read_model* model, const std::vector<registry_actor>& registries,
          const service_account_settings& settings, const std::string& ns) {
  std::vector<account_action> actions;
  model->read([&](const store::cluster_state& s) {
    actions = service_account_actions(s, ns, settings);
  });
  if (actions.empty()) {
    self->state.queue.succeeded(self, ns);
    return;
  }
  auto answered = self->state.queue.await_answers(self, ns, actions.size());
  auto reply = [=](std::string what, bool not_found_is_fine) {
    return [=](command_reply& r) {
      bool fine = r.ok() || (not_found_is_fine && r.error->code == error_code::not_found);
      answered(fine ? "" : what + ": " + r.error->message);
    };
  };
  auto unavailable = [=](std::string what) {
    return [=](const caf::error& e) {
      answered(what + ": registry unavailable: " + caf::to_string(e));
    };
  };
  for (auto& action : actions) {
    if (auto* c = std::get_if<account_create>(&action)) {
      auto kind = kind_of(c->object);
      const auto& meta = meta_of(c->object);
      auto what = "creating " + describe(kind, {meta.namespace_, meta.name});
      self->request(registries[static_cast<std::size_t>(kind)], caf::infinite,
                    create_command{std::move(c->object), cause, true})
          .then(reply(what, false), unavailable(what));
    } else if (auto* u = std::get_if<account_update>(&action)) {
      auto kind = kind_of(u->object);
      const auto& meta = meta_of(u->object);
      object_key key{meta.namespace_, meta.name};
      auto what = "updating " + describe(kind, key);
      self->request(registries[static_cast<std::size_t>(kind)], caf::infinite,
                    object_command{kind, key, cause, update_op{std::move(u->object)}, true})
          .then(reply(what, false), unavailable(what));
    } else {
      const auto& d = std::get<account_delete>(action);
      auto what = "deleting " + describe(d.kind, d.key);
      self->request(registries[static_cast<std::size_t>(d.kind)], caf::infinite,
                    object_command{d.kind, d.key, cause,
                                   delete_op{"its service account is gone", d.uid, "",
                                             std::nullopt},
                                   true})
          .then(reply(what, true), unavailable(what));
    }
  }
}

controller_impl_actor::behavior_type service_account_controller(
    sa_self self, const read_model* model, std::vector<registry_actor> registries,
    service_account_settings settings, controller_options options) {
  self->state.queue.configure(service_account_controller_state::name, std::move(options));
  if (!settings.random_hex)
    settings.random_hex = [] { return common::random_nonce(); };
  if (settings.signing_key.empty())
    settings.signing_key = common::random_nonce();
  add_every_namespace(self, model);
  self->state.queue.request_turn(self);
  self->state.queue.schedule_resync(self);
  return {
      [=](committed_atom, const committed_batch& batch) {
        for (const auto& r : *batch) {
          if (r.kind == object_kind::namespace_)
            self->state.queue.add(r.name);
          else if (r.kind == object_kind::service_account || r.kind == object_kind::secret)
            self->state.queue.add(r.namespace_);
        }
        self->state.queue.request_turn(self);
      },
      [=](resync_atom) {
        add_every_namespace(self, model);
        self->state.queue.request_turn(self);
        self->state.queue.schedule_resync(self);
      },
      [=](tick_atom) {
        self->state.queue.begin_turn(self);
        while (auto ns = self->state.queue.next(self))
          sync(self, model, registries, settings, *ns);
        self->state.queue.request_turn(self);
      },
  };
}

}  // namespace

controller_actor spawn_service_account_controller(caf::actor_system& system,
                                                  const read_model& model,
                                                  std::vector<registry_actor> registries,
                                                  service_account_settings settings,
                                                  controller_options options) {
  return system.spawn(service_account_controller, &model, std::move(registries),
                      std::move(settings), std::move(options));
}

}  // namespace capstan::actors
