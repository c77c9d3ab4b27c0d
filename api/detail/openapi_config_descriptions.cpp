// Descriptions of Secret, ConfigMap, ServiceAccount and what pods take from them
// (openapi_description_tables.hpp).
#include "api/detail/openapi_description_tables.hpp"

namespace capstan::api::detail {

namespace {

constexpr description table[] = {
    // ---- Secret ----
    {"Secret", "",
     "Secret holds secret data of a certain type. The total bytes of the values in the Data "
     "field must be less than MaxSecretSize bytes (1 MiB). capstan keeps the data encrypted "
     "(AES-GCM) in its journal."},
    {"Secret", "metadata", "Standard object's metadata."},
    {"Secret", "immutable",
     "Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only "
     "object metadata can be modified)."},
    {"Secret", "data",
     "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' "
     "or '.'. The serialized form of the secret data is a base64 encoded string."},
    {"Secret", "stringData",
     "stringData allows specifying non-binary secret data in string form. It is provided as a "
     "write-only input field for convenience. All keys and values are merged into the data "
     "field on write, overwriting any existing values. The stringData field is never output "
     "when reading from the API."},
    {"Secret", "type",
     "Used to facilitate programmatic handling of secret data (Opaque, "
     "kubernetes.io/dockerconfigjson, kubernetes.io/tls, kubernetes.io/basic-auth, "
     "kubernetes.io/ssh-auth, kubernetes.io/service-account-token)."},
    // ---- ConfigMap ----
    {"ConfigMap", "", "ConfigMap holds configuration data for pods to consume."},
    {"ConfigMap", "metadata", "Standard object's metadata."},
    {"ConfigMap", "immutable",
     "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated "
     "(only object metadata can be modified)."},
    {"ConfigMap", "data",
     "Data contains the configuration data. Each key must consist of alphanumeric characters, "
     "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The "
     "keys stored in Data must not overlap with the keys in the BinaryData field."},
    {"ConfigMap", "binaryData",
     "BinaryData contains the binary data. Each key must consist of alphanumeric characters, "
     "'-', '_' or '.'. BinaryData can contain byte sequences that are not in the UTF-8 range."},
    // ---- ServiceAccount ----
    {"ServiceAccount", "",
     "ServiceAccount binds together: a name, understood by users, and perhaps by peripheral "
     "systems, for an identity; a principal that can be authenticated and authorized; a set of "
     "secrets."},
    {"ServiceAccount", "metadata", "Standard object's metadata."},
    {"ServiceAccount", "secrets",
     "Secrets is a list of the secrets in the same namespace that pods running using this "
     "ServiceAccount are allowed to use."},
    {"ServiceAccount", "imagePullSecrets",
     "ImagePullSecrets is a list of references to secrets in the same namespace to use for "
     "pulling any images in pods that reference this ServiceAccount."},
    {"ServiceAccount", "automountServiceAccountToken",
     "AutomountServiceAccountToken indicates whether pods running as this service account "
     "should have an API token automatically mounted."},
    {"LocalObjectReference", "",
     "LocalObjectReference contains enough information to let you locate the referenced object "
     "inside the same namespace."},
    {"LocalObjectReference", "name", "Name of the referent."},
    // ---- what pods take from them ----
    {"SecretKeySelector", "", "SecretKeySelector selects a key of a Secret."},
    {"SecretKeySelector", "name", "Name of the referent."},
    {"SecretKeySelector", "key",
     "The key of the secret to select from. Must be a valid secret key."},
    {"SecretKeySelector", "optional", "Specify whether the Secret or its key must be defined"},
    {"ConfigMapKeySelector", "", "Selects a key from a ConfigMap."},
    {"ConfigMapKeySelector", "name", "Name of the referent."},
    {"ConfigMapKeySelector", "key", "The key to select."},
    {"ConfigMapKeySelector", "optional",
     "Specify whether the ConfigMap or its key must be defined"},
    {"SecretEnvSource", "",
     "SecretEnvSource selects a Secret to populate the environment variables with. The "
     "contents of the target Secret's Data field will represent the key-value pairs as "
     "environment variables."},
    {"SecretEnvSource", "name", "Name of the referent."},
    {"SecretEnvSource", "optional", "Specify whether the Secret must be defined"},
    {"ConfigMapEnvSource", "",
     "ConfigMapEnvSource selects a ConfigMap to populate the environment variables with. The "
     "contents of the target ConfigMap's Data field will represent the key-value pairs as "
     "environment variables."},
    {"ConfigMapEnvSource", "name", "Name of the referent."},
    {"ConfigMapEnvSource", "optional", "Specify whether the ConfigMap must be defined"},
    {"EnvFromSource", "",
     "EnvFromSource represents the source of a set of ConfigMaps or Secrets"},
    {"EnvFromSource", "prefix",
     "Optional text to prepend to the name of each environment variable. Must be a "
     "C_IDENTIFIER."},
    {"EnvFromSource", "configMapRef", "The ConfigMap to select from"},
    {"EnvFromSource", "secretRef", "The Secret to select from"},
    {"KeyToPath", "", "Maps a string key to a path within a volume."},
    {"KeyToPath", "key", "key is the key to project."},
    {"KeyToPath", "path",
     "path is the relative path of the file to map the key to. May not be an absolute path. May "
     "not contain the path element '..'. May not start with the string '..'."},
    {"KeyToPath", "mode",
     "mode is Optional: mode bits used to set permissions on this file. Must be an octal value "
     "between 0000 and 0777 or a decimal value between 0 and 511. If not specified, the volume "
     "defaultMode will be used."},
    {"SecretVolumeSource", "",
     "Adapts a Secret into a volume. The contents of the target Secret's Data field will be "
     "presented in a volume as files using the keys in the Data field as the file names. Secret "
     "volumes support ownership management and SELinux relabeling."},
    {"SecretVolumeSource", "secretName",
     "secretName is the name of the secret in the pod's namespace to use."},
    {"SecretVolumeSource", "items",
     "items If unspecified, each key-value pair in the Data field of the referenced Secret will "
     "be projected into the volume as a file whose name is the key and content is the value. If "
     "specified, the listed keys will be projected into the specified paths, and unlisted keys "
     "will not be present."},
    {"SecretVolumeSource", "defaultMode",
     "defaultMode is Optional: mode bits used to set permissions on created files by default. "
     "Defaults to 0644."},
    {"SecretVolumeSource", "optional",
     "optional field specify whether the Secret or its keys must be defined"},
    {"ConfigMapVolumeSource", "",
     "Adapts a ConfigMap into a volume. The contents of the target ConfigMap's Data field will "
     "be presented in a volume as files using the keys in the Data field as the file names, "
     "unless the items element is populated with specific mappings of keys to paths."},
    {"ConfigMapVolumeSource", "name", "Name of the referent."},
    {"ConfigMapVolumeSource", "items",
     "items if unspecified, each key-value pair in the Data field of the referenced ConfigMap "
     "will be projected into the volume as a file whose name is the key and content is the "
     "value. If specified, the listed keys will be projected into the specified paths, and "
     "unlisted keys will not be present."},
    {"ConfigMapVolumeSource", "defaultMode",
     "defaultMode is optional: mode bits used to set permissions on created files by default. "
     "Defaults to 0644."},
    {"ConfigMapVolumeSource", "optional",
     "optional specify whether the ConfigMap or its keys must be defined"},
    {"EnvVarSource", "configMapKeyRef", "Selects a key of a ConfigMap."},
    {"EnvVarSource", "secretKeyRef", "Selects a key of a secret in the pod's namespace"},
    {"Container", "envFrom",
     "List of sources to populate environment variables in the container. The keys defined "
     "within a source must be a C_IDENTIFIER. All invalid keys will be reported as an event when "
     "the container is starting. When a key exists in multiple sources, the value associated "
     "with the last source will take precedence. Values defined by an Env with a duplicate key "
     "will take precedence. Cannot be updated."},
    {"Volume", "secret",
     "secret represents a secret that should populate this volume."},
    {"Volume", "configMap",
     "configMap represents a configMap that should populate this volume"},
    {"PodSpec", "automountServiceAccountToken",
     "AutomountServiceAccountToken indicates whether a service account token should be "
     "automatically mounted."},
    {"PodSpec", "imagePullSecrets",
     "ImagePullSecrets is an optional list of references to secrets in the same namespace to "
     "use for pulling any of the images used by this PodSpec."},
};

}  // namespace

description_table config_descriptions() {
  return {table, sizeof table / sizeof table[0]};
}

}  // namespace capstan::api::detail
