// Fuzz target: manifest decoding (messages/manifest.hpp), the path of every file given to
// `capstanctl create -f` and of every object a client writes: YAML (multi-document) or JSON,
// `kind: List`, strict decoding, defaulting and validation.
//
// Drives parse_manifest with the input as a YAML file, and also as a JSON file when it looks
// like JSON. Asserts, besides no crash and no sanitizer report (memory included):
//   - every problem reported reads as valid UTF-8 (it is printed and sent in JSON);
//   - every object accepted is valid (validate finds nothing) and defaulting it again changes
//     nothing;
//   - an accepted object survives each encoding capstan stores or sends it in unchanged: its
//     JSON decodes strictly without a problem to the same object, its Cap'n Proto bytes (the
//     journal's) decode to the same object, and its YAML (`capstanctl get -o yaml`) reads back
//     as the same JSON tree.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.hpp"
#include "messages/capnp_codec.hpp"
#include "messages/defaults.hpp"
#include "messages/input_text.hpp"
#include "messages/json_codec.hpp"
#include "messages/manifest.hpp"
#include "messages/validation.hpp"
#include "messages/yaml_codec.hpp"

using namespace capstan::messages;

namespace {

std::string errors_text(const field_errors& errors) {
  std::string out;
  for (const auto& e : errors)
    out += e.to_string() + "; ";
  return out;
}

void check_object(const any_object& object) {
  FUZZ_CHECK(validate(object).empty(), "an accepted object is invalid: " +
                                           errors_text(validate(object)));
  const json tree = to_json(object);
  const std::string text = json_text(tree);

  any_object defaulted = object;
  apply_defaults(defaulted);
  FUZZ_CHECK(json_text(to_json(defaulted)) == text, "defaulting an accepted object changed it");

  field_errors errors;
  auto decoded = object_from_json(tree, errors);
  FUZZ_CHECK(decoded && errors.empty(),
             "an accepted object's JSON does not decode: " + errors_text(errors));
  FUZZ_CHECK(json_text(to_json(*decoded)) == text,
             "an accepted object's JSON decodes to another object: " + text + " became " +
                 json_text(to_json(*decoded)));

  const any_object stored = decode_object(encode_object(object));
  FUZZ_CHECK(json_text(to_json(stored)) == text,
             "an accepted object's Cap'n Proto bytes decode to another object: " + text +
                 " became " + json_text(to_json(stored)));

  const std::string yaml = to_yaml(tree);
  std::vector<yaml_document> documents;
  try {
    documents = parse_yaml_documents(yaml);
  } catch (const yaml_error& e) {
    FUZZ_CHECK(false, std::string("an accepted object's YAML does not read back: ") + e.what() +
                          "\n" + yaml);
  }
  FUZZ_CHECK(documents.size() == 1 && json_text(documents[0].tree) == text,
             "an accepted object's YAML reads back as another tree:\n" + yaml);
}

void check(const std::string& text, const std::string& source) {
  manifest_set set;
  parse_manifest(text, source, set);
  for (const auto& p : set.problems)
    FUZZ_CHECK(valid_utf8(p.to_string()), "a problem is not valid UTF-8");
  for (const auto& o : set.objects)
    check_object(o.object);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check(text, "fuzz.yaml");
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '['))
    check(text, "fuzz.json");
  return 0;
}
