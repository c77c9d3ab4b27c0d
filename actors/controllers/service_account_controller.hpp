// The service-account controller: every namespace has a `default` ServiceAccount, and every
// ServiceAccount a token Secret (type kubernetes.io/service-account-token, named by
// auth::token_secret_name, holding `token`, `ca.crt` and `namespace`) listed in its `secrets`,
// as Kubernetes' service-account and token controllers keep them. A token Secret a user
// creates with the account's annotation gets its token filled in, and any token not signed for
// the account (chosen by whoever wrote the Secret) replaced; a token Secret whose account is
// gone (or was re-created: another uid) is deleted. Writes with the cause
// "system:serviceaccount-controller"; writes nothing when all is as it should be.
#pragma once

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "actors/actors.hpp"
#include "actors/controllers/controller_queue.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

struct service_account_settings {
  std::string api_ca_pem;  // the API's CA, each token Secret's ca.crt (omitted when empty)
  // The master's key that signs tokens (auth/service_account_token.hpp); a random one of this
  // process's own when empty (simulations: no API checks the tokens).
  std::string signing_key;
  // A new token's secret part (64 hex digits); OpenSSL's CSPRNG unless replaced (tests).
  std::function<std::string()> random_hex;
};

// One write the controller makes.
struct account_create {
  any_object object;
};
struct account_update {
  any_object object;  // with the resourceVersion it replaces
};
struct account_delete {
  object_kind kind;
  object_key key;
  std::string uid;  // the object's, as the controller saw it (a delete precondition)
};
using account_action = std::variant<account_create, account_update, account_delete>;

// The pure part: the writes that bring namespace `ns` of `state` in order (none when the
// namespace is gone or terminating: the namespace controller empties it).
std::vector<account_action> service_account_actions(const store::cluster_state& state,
                                                    const std::string& ns,
                                                    const service_account_settings& settings);

// Follows the journal: a namespace, ServiceAccount or Secret record queues its namespace.
// `registries` is indexed by object_kind.
controller_actor spawn_service_account_controller(caf::actor_system& system,
                                                  const read_model& model,
                                                  std::vector<registry_actor> registries,
                                                  service_account_settings settings,
                                                  controller_options options);

}  // namespace capstan::actors
