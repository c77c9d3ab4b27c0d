// The tables behind openapi_description (openapi_descriptions.hpp), one file per part of the
// API: metadata and the meta/v1 and policy kinds (openapi_meta_descriptions.cpp), pods and
// their parts (openapi_pod_descriptions.cpp), the other core/v1 kinds
// (openapi_cluster_descriptions.cpp), Secrets, ConfigMaps, ServiceAccounts and what pods take
// from them (openapi_config_descriptions.cpp). Kubernetes' wording where it fits capstan, shortened to
// the sentences that matter here.
#pragma once

#include <cstddef>
#include <string_view>

namespace capstan::api::detail {

struct description {
  std::string_view type;   // last component of the definition name; "*" for every top-level kind
  std::string_view field;  // "" for the definition itself
  const char* text;
};

struct description_table {
  const description* entries;
  std::size_t size;
};

description_table meta_descriptions();
description_table pod_descriptions();
description_table cluster_descriptions();
description_table config_descriptions();

}  // namespace capstan::api::detail
