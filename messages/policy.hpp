// ResourceQuota and LimitRange (core/v1): per-namespace admission policy.
#pragma once

#include "messages/object_meta.hpp"

namespace capstan::messages {

struct resource_quota_spec {
  resource_list hard;  // pods, cpu, memory, requests.cpu, limits.memory, services, ...
};
template <class F>
void fields(F& f, resource_quota_spec& x) {
  f("hard", x.hard);
}

struct resource_quota_status {
  resource_list hard;
  resource_list used;
};
template <class F>
void fields(F& f, resource_quota_status& x) {
  f("hard", x.hard);
  f("used", x.used);
}

struct resource_quota {
  object_meta metadata;
  resource_quota_spec spec;
  resource_quota_status status;
};
template <class F>
void fields(F& f, resource_quota& x) {
  f.always("metadata", x.metadata);
  f("spec", x.spec);
  f("status", x.status);
}

struct limit_range_item {
  std::string type;  // Pod | Container
  resource_list max;
  resource_list min;
  resource_list default_;
  resource_list default_request;
  resource_list max_limit_request_ratio;
};
template <class F>
void fields(F& f, limit_range_item& x) {
  f.always("type", x.type);
  f("max", x.max);
  f("min", x.min);
  f("default", x.default_);
  f("defaultRequest", x.default_request);
  f("maxLimitRequestRatio", x.max_limit_request_ratio);
}

struct limit_range_spec {
  std::vector<limit_range_item> limits;
};
template <class F>
void fields(F& f, limit_range_spec& x) {
  f.always("limits", x.limits);
}

struct limit_range {
  object_meta metadata;
  limit_range_spec spec;
};
template <class F>
void fields(F& f, limit_range& x) {
  f.always("metadata", x.metadata);
  f.always("spec", x.spec);
}

}  // namespace capstan::messages
