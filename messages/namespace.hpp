// Namespace (core/v1): a scope for names; `default` and `kube-system` always exist.
#pragma once

#include "messages/object_meta.hpp"

namespace capstan::messages {

struct namespace_spec {
  std::vector<std::string> finalizers;
};
template <class F>
void fields(F& f, namespace_spec& x) {
  f("finalizers", x.finalizers);
}

struct namespace_status {
  std::string phase;  // Active | Terminating
};
template <class F>
void fields(F& f, namespace_status& x) {
  f("phase", x.phase);
}

struct namespace_object {
  object_meta metadata;
  namespace_spec spec;
  namespace_status status;
};
template <class F>
void fields(F& f, namespace_object& x) {
  f.always("metadata", x.metadata);
  f("spec", x.spec);
  f("status", x.status);
}

}  // namespace capstan::messages
