// What a request asks, for authorization: Kubernetes' RequestInfoFactory. /api/v1/... and
// /apis/GROUP/VERSION/... are resource requests (namespace, resource, name, subresource, and
// the verb from the method: GET get or, without a name, list or watch; POST create; PUT update;
// PATCH patch; DELETE delete or, without a name, deletecollection); any other path is not a
// resource (its verb is the method in lower case). Pure; the user is the caller's to fill in.
#pragma once

#include "api/http_message.hpp"
#include "auth/request_attributes.hpp"

namespace capstan::api {

// `req`'s method, path and query (`watch`, `fieldSelector` metadata.name=NAME naming the one
// object a list or watch reads, as Kubernetes takes it). exec, attach and portforward are
// `create` on their subresource whatever the method (a WebSocket upgrade is a GET), as
// Kubernetes 1.32 checks them.
auth::request_attributes describe_request(const http_request& req);

}  // namespace capstan::api
