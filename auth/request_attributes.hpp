// Who asks to do what: the input of authorization, as Kubernetes' authorizer.Attributes.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace capstan::auth {

// An authenticated user: a token's user, a node's certificate (system:node:NAME in
// system:nodes) or a service account (system:serviceaccount:NS:NAME). Every authenticated user
// is also in system:authenticated.
struct user_identity {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

// A resource request (`resource_request`: /api/v1/namespaces/NS/pods/NAME/log) or a request for
// a path that is not a resource (/version, /healthz).
struct request_attributes {
  user_identity user;
  // Resource requests: get, list, watch, create, update, patch, delete, deletecollection (and
  // the special verbs bind, escalate, impersonate). Other paths: the HTTP method in lower case
  // (get, post, put, patch, delete, head is get).
  std::string verb;
  bool resource_request = true;
  std::string namespace_;    // "" at the cluster scope
  std::string api_group;     // "" is the core group
  std::string resource;      // plural: pods, replicationcontrollers, roles
  std::string subresource;   // log, exec, attach, portforward, scale, status, binding
  std::string name;          // "" for list, watch of all, create without a name
  std::string path;          // the request's path (what non-resource rules match)
  // What a list's or watch's fieldSelector requires with = or == (field, value), in its order:
  // everything the request reads matches each of them (the Node authorizer's spec.nodeName).
  std::vector<std::pair<std::string, std::string>> required_fields;
};

}  // namespace capstan::auth
