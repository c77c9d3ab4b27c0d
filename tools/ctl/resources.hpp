// What capstanctl commands act on: objects named as TYPE[/NAME] or TYPE NAME ("po/x", "rc x"),
// their API paths, and the objects of manifest files (-f).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "messages/manifest.hpp"
#include "tools/ctl/connection.hpp"
#include "tools/ctl/output.hpp"

namespace capstan::ctl {

// Percent-encoding of a query parameter's value.
std::string url_encode(const std::string& s);

// Every spelling a resource argument may take, as kind_from_resource resolves them: "pods",
// "pod", "po", "replicationcontrollers", ..., "rc" (for completion).
std::vector<std::string> resource_type_spellings();

// /api/v1/[namespaces/NS/]RESOURCE; all_namespaces drops the namespace.
std::string collection_path(messages::object_kind kind, const std::string& ns,
                            bool all_namespaces = false);
std::string object_path(messages::object_kind kind, const std::string& ns, const std::string& name);

// "pods", "po/name", "rc" into a kind and (when there is one) a name; false after printing
// kubectl's error for an unknown type.
bool resolve_resource(const std::string& arg, messages::object_kind& kind, std::string& name,
                      std::ostream& err);

// The TYPE and NAME of "TYPE NAME" or "TYPE/NAME" arguments (NAME may be empty); false after
// printing why not.
bool target_of(const std::vector<std::string>& args, messages::object_kind& kind, std::string& name,
               std::ostream& err);

// TYPE NAME from the arguments, both required: 0, or the exit code after `no_arguments` or
// `no_name` (or target_of's own error) was printed.
int named_target(const std::vector<std::string>& args, messages::object_kind& kind,
                 std::string& name, std::ostream& err, const char* no_arguments,
                 const char* no_name);

// A GET's JSON body; nullopt after printing the server's error.
std::optional<json> get_json(const connection& c, const std::string& path, std::ostream& err);

// The manifests of `files`, or nothing after printing every problem found in them.
std::optional<messages::manifest_set> manifests_or_report(const std::vector<std::string>& files,
                                                          std::ostream& err);

}  // namespace capstan::ctl
