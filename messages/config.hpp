// What pods consume next to their images (core/v1): Secret, ConfigMap and ServiceAccount.
#pragma once

#include "messages/object_meta.hpp"

namespace capstan::messages {

// Secret: named byte strings for credentials. `string_data` is write-only, as in Kubernetes:
// defaulting merges it into `data` (its keys win) and clears it, so it is never stored. In the
// journal `data` is sealed (store/secret_sealing): `sealed` holds its AES-GCM envelope and
// `data` is empty; everywhere else `sealed` is empty.
struct secret {
  object_meta metadata;
  std::optional<bool> immutable;
  byte_map data;
  string_map string_data;
  std::string type;  // Opaque (default) | kubernetes.io/dockerconfigjson | kubernetes.io/tls ...
  sealed_bytes sealed;
};
template <class F>
void fields(F& f, secret& x) {
  f.always("metadata", x.metadata);
  f("immutable", x.immutable);
  f("data", x.data);
  f("stringData", x.string_data);
  f("type", x.type);
  f("sealed", x.sealed);
}

// ConfigMap: named text (`data`) and byte strings (`binary_data`); a key is in one of them only.
struct config_map {
  object_meta metadata;
  std::optional<bool> immutable;
  string_map data;
  byte_map binary_data;
};
template <class F>
void fields(F& f, config_map& x) {
  f.always("metadata", x.metadata);
  f("immutable", x.immutable);
  f("data", x.data);
  f("binaryData", x.binary_data);
}

// ServiceAccount: an identity for processes in pods. Its token is a Secret of type
// kubernetes.io/service-account-token listed in `secrets`; `image_pull_secrets` are added to
// the pods that run as it.
struct service_account {
  object_meta metadata;
  std::vector<object_reference> secrets;
  std::vector<local_object_reference> image_pull_secrets;
  std::optional<bool> automount_service_account_token;
};
template <class F>
void fields(F& f, service_account& x) {
  f.always("metadata", x.metadata);
  f("secrets", x.secrets);
  f("imagePullSecrets", x.image_pull_secrets);
  f("automountServiceAccountToken", x.automount_service_account_token);
}

}  // namespace capstan::messages
