// Kubernetes' primitive validation rules (k8s.io/apimachinery/pkg/util/validation):
// each returns the list of problems with `value`, empty when it is valid.
#pragma once

#include <string>
#include <vector>

namespace capstan::messages {

using problems = std::vector<std::string>;

problems dns1123_label(const std::string& value);      // namespaces, container names
problems dns1123_subdomain(const std::string& value);  // pods, RCs, nodes
problems dns1035_label(const std::string& value);      // services
problems path_segment_name(const std::string& value);  // RBAC objects: not . or .., no / or %
problems qualified_name(const std::string& value);     // label and annotation keys
problems config_map_key(const std::string& value);     // Secret and ConfigMap keys
problems label_value(const std::string& value);
problems port_number(int64_t value);           // 1-65535
problems port_name(const std::string& value);  // IANA_SVC_NAME
problems env_var_name(const std::string& value);
problems ipv4_address(const std::string& value);
problems ipv4_cidr(const std::string& value);

}  // namespace capstan::messages
