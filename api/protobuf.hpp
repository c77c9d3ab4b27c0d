// The little of Kubernetes' protobuf encoding that kubectl sends to a server that cannot be
// told to use JSON: generator commands such as `kubectl create namespace` post protobuf.
#pragma once

#include <optional>
#include <string>

#include "messages/json_codec.hpp"

namespace capstan::api {

// Decodes a "k8s\0"-enveloped Namespace into its JSON form (name, generateName, labels,
// annotations). Returns nullopt for anything else.
std::optional<messages::json> namespace_from_protobuf(const std::string& body);

}  // namespace capstan::api
