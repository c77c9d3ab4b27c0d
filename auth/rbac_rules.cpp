#include "auth/rbac_rules.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace capstan::auth {

using messages::policy_rule;

namespace {

bool has(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool has_all(const std::vector<std::string>& list, const std::vector<std::string>& words) {
  return std::all_of(words.begin(), words.end(), [&](const auto& w) { return has(list, w); });
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// "/api/*" matches what starts with "/api/"; "*" anything.
bool url_matches(const std::string& rule_url, const std::string& path) {
  if (rule_url == "*" || rule_url == path)
    return true;
  return !rule_url.empty() && rule_url.back() == '*' &&
         starts_with(path, rule_url.substr(0, rule_url.find_last_not_of('*') + 1));
}

bool resource_matches(const policy_rule& rule, const std::string& combined,
                      const std::string& subresource) {
  for (const auto& r : rule.resources) {
    if (r == "*" || r == combined)
      return true;
    if (!subresource.empty() && r == "*/" + subresource)
      return true;
  }
  return false;
}

// Kubernetes' resourceCoversAll: "*", or each requested resource listed, or for a subresource
// "*/SUB" listed.
bool resources_cover(const std::vector<std::string>& owned, const std::vector<std::string>& wanted) {
  if (has(owned, "*"))
    return true;
  for (const auto& r : wanted) {
    if (has(owned, r))
      continue;
    auto slash = r.find('/');
    if (slash == std::string::npos || !has(owned, "*" + r.substr(slash)))
      return false;
  }
  return true;
}

bool urls_cover(const std::vector<std::string>& owned, const std::vector<std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& url) {
    return std::any_of(owned.begin(), owned.end(),
                       [&](const std::string& o) { return url_matches(o, url); });
  });
}

// Kubernetes' ruleCovers, for `atomic` from breakdown().
bool rule_covers(const policy_rule& owner, const policy_rule& atomic) {
  bool verbs = has(owner.verbs, "*") || has_all(owner.verbs, atomic.verbs);
  bool groups = has(owner.api_groups, "*") || has_all(owner.api_groups, atomic.api_groups);
  bool names = owner.resource_names.empty() ||
               (!atomic.resource_names.empty() && has_all(owner.resource_names, atomic.resource_names));
  return verbs && groups && names && resources_cover(owner.resources, atomic.resources) &&
         urls_cover(owner.non_resource_urls, atomic.non_resource_urls);
}

// Calls `visit` with each atom of `rule` — one verb on one group's resource (and name), or one
// verb on one URL: Kubernetes' BreakdownRule — one at a time (a role's lists multiply: the
// atoms are never all held at once), until it returns false. Returns false when stopped.
template <class Visit>
bool for_each_atom(const policy_rule& rule, Visit&& visit) {
  policy_rule atom{{""}, {""}, {""}, {}, {}};
  for (const auto& group : rule.api_groups)
    for (const auto& resource : rule.resources)
      for (const auto& verb : rule.verbs) {
        atom.verbs[0] = verb;
        atom.api_groups[0] = group;
        atom.resources[0] = resource;
        atom.non_resource_urls.clear();
        if (rule.resource_names.empty()) {
          atom.resource_names.clear();
          if (!visit(atom))
            return false;
        }
        for (const auto& name : rule.resource_names) {
          atom.resource_names.assign(1, name);
          if (!visit(atom))
            return false;
        }
      }
  for (const auto& url : rule.non_resource_urls)
    for (const auto& verb : rule.verbs)
      if (!visit(policy_rule{{verb}, {}, {}, {}, {url}}))
        return false;
  return true;
}

void append_quoted_list(std::string& out, const std::vector<std::string>& words) {
  out += '[';
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0)
      out += ' ';
    out += '"';
    for (char c : words[i]) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  out += ']';
}

}  // namespace

bool rule_allows(const policy_rule& rule, const request_attributes& request) {
  if (!has(rule.verbs, "*") && !has(rule.verbs, request.verb))
    return false;
  if (!request.resource_request)
    return std::any_of(rule.non_resource_urls.begin(), rule.non_resource_urls.end(),
                       [&](const std::string& url) { return url_matches(url, request.path); });
  if (!has(rule.api_groups, "*") && !has(rule.api_groups, request.api_group))
    return false;
  std::string combined = request.resource;
  if (!request.subresource.empty())
    combined += "/" + request.subresource;
  if (!resource_matches(rule, combined, request.subresource))
    return false;
  return rule.resource_names.empty() || has(rule.resource_names, request.name);
}

bool subject_matches(const messages::subject& who, const user_identity& user,
                     const std::string& binding_namespace) {
  if (who.kind == "User")
    return user.name == who.name;
  if (who.kind == "Group")
    return has(user.groups, who.name);
  if (who.kind == "ServiceAccount") {
    const std::string& ns = who.namespace_.empty() ? binding_namespace : who.namespace_;
    return !ns.empty() && user.name == "system:serviceaccount:" + ns + ":" + who.name;
  }
  return false;
}

std::vector<policy_rule> uncovered_rules(const std::vector<policy_rule>& owned,
                                         const std::vector<policy_rule>& requested) {
  // Missing atoms, merged back per group, resource and name (their verbs together), as
  // Kubernetes compacts them for its message. Bounded: at most max_checked_atoms are checked
  // (beyond, the rest counts as not covered: refused rather than minutes of work) and at most
  // max_reported rules are reported.
  constexpr std::size_t max_checked_atoms = 200000, max_reported = 64;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, policy_rule> missing;
  std::size_t checked = 0;
  bool over_budget = false;
  for (const auto& rule : requested) {
    const bool finished = for_each_atom(rule, [&](const policy_rule& atom) {
      if (++checked > max_checked_atoms) {
        over_budget = true;
        return false;
      }
      if (std::any_of(owned.begin(), owned.end(),
                      [&](const policy_rule& o) { return rule_covers(o, atom); }))
        return true;
      auto first = [](const std::vector<std::string>& v) { return v.empty() ? "" : v.front(); };
      auto key = std::make_tuple(first(atom.api_groups), first(atom.resources),
                                 first(atom.resource_names), first(atom.non_resource_urls));
      auto [it, inserted] = missing.emplace(key, atom);
      if (!inserted && !has(it->second.verbs, atom.verbs.front()))
        it->second.verbs.push_back(atom.verbs.front());
      return missing.size() < max_reported;
    });
    if (!finished)
      break;
  }
  std::vector<policy_rule> out;
  for (auto& [key, rule] : missing)
    out.push_back(std::move(rule));
  if (over_budget)
    out.push_back(policy_rule{{"(more than 200000 verb, resource and name combinations: split "
                               "the role)"},
                              {},
                              {},
                              {},
                              {}});
  return out;
}

std::string describe_rule(const policy_rule& rule) {
  std::string out = "{";
  auto part = [&](const char* label, const std::vector<std::string>& words) {
    if (words.empty())
      return;
    if (out.size() > 1)
      out += ", ";
    out += label;
    out += ':';
    append_quoted_list(out, words);
  };
  part("APIGroups", rule.api_groups);
  part("Resources", rule.resources);
  part("NonResourceURLs", rule.non_resource_urls);
  part("ResourceNames", rule.resource_names);
  part("Verbs", rule.verbs);
  return out + "}";
}

}  // namespace capstan::auth
