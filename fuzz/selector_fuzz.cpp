// Fuzz target: label selectors and field selectors (messages/label_selector.hpp,
// messages/field_selector.hpp), as list and watch requests (?labelSelector=, ?fieldSelector=)
// and every RC's and service's selector use them.
//
// Input: a selector, then optionally a newline and labels "k=v,k2=v2" to match against.
// Drives label_selector::parse and field_selector::parse (for every kind), and matching.
// Asserts, besides no crash and no sanitizer report (matching included: a selector that
// parsed can be matched against any labels without throwing):
//   - a syntax error's position lies within the input;
//   - a parsed label selector's canonical text (to_string) parses again to the same canonical
//     text, and both match exactly the same labels (the canonical form is what capstan shows
//     and compares);
//   - a parsed field selector names only fields its kind supports, and required_value agrees
//     with its == requirements; matching an object of the kind does not throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.hpp"
#include "messages/field_selector.hpp"
#include "messages/label_selector.hpp"

using namespace capstan::messages;

namespace {

// "k=v,k2=v2" as a label map; parts without '=' are keys with an empty value.
string_map labels_from(const std::string& text) {
  string_map labels;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos
                                                                    : comma - start);
    std::size_t eq = part.find('=');
    labels[part.substr(0, eq)] = eq == std::string::npos ? "" : part.substr(eq + 1);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
  }
  return labels;
}

void check_label_selector(const std::string& text, const string_map& labels) {
  auto parsed = label_selector::parse(text);
  if (auto* error = std::get_if<selector_syntax_error>(&parsed)) {
    FUZZ_CHECK(error->position <= text.size(), "a syntax error lies beyond the input");
    FUZZ_CHECK(!error->to_string(text).empty(), "a syntax error says nothing");
    return;
  }
  const auto& selector = std::get<label_selector>(parsed);
  const std::string canonical = selector.to_string();
  auto reparsed = label_selector::parse(canonical);
  FUZZ_CHECK(std::holds_alternative<label_selector>(reparsed),
             "the canonical text \"" + canonical + "\" does not parse");
  const auto& again = std::get<label_selector>(reparsed);
  FUZZ_CHECK(again.to_string() == canonical,
             "canonical text \"" + canonical + "\" reads back as \"" + again.to_string() + "\"");
  for (const string_map& l : {labels, string_map{}})
    FUZZ_CHECK(selector.matches(l) == again.matches(l),
               "the canonical text \"" + canonical + "\" matches other labels");
}

void check_field_selector(const std::string& text, const string_map& labels) {
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto kind = static_cast<object_kind>(k);
    auto parsed = field_selector::parse(text, kind);
    if (auto* error = std::get_if<std::string>(&parsed)) {
      FUZZ_CHECK(!error->empty(), "a refused field selector says nothing");
      continue;
    }
    const auto& selector = std::get<field_selector>(parsed);
    const auto supported = selectable_fields(kind);
    auto object = make_object(kind);
    auto& meta = meta_of(object);
    if (auto it = labels.begin(); it != labels.end()) {
      meta.name = it->first;
      meta.namespace_ = it->second;
    }
    for (const auto& r : selector.requirements()) {
      bool known = false;
      for (const auto& f : supported)
        known = known || f == r.field;
      FUZZ_CHECK(known, "field " + r.field + " is not selectable");
      FUZZ_CHECK(field_value(object, r.field).has_value(), "a selectable field has no value");
      if (r.equals)
        FUZZ_CHECK(selector.required_value(r.field).has_value(),
                   "an == requirement has no required value");
    }
    (void)selector.matches(object);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string text = input.substr(0, newline);
  const string_map labels =
      newline == std::string::npos ? string_map{} : labels_from(input.substr(newline + 1));
  check_label_selector(text, labels);
  check_field_selector(text, labels);
  return 0;
}
