#include "messages/manifest.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <vector>

#include "messages/defaults.hpp"
#include "messages/input_text.hpp"
#include "messages/json_codec.hpp"
#include "messages/json_input.hpp"
#include "messages/validation.hpp"
#include "messages/yaml_codec.hpp"

namespace capstan::messages {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_manifest_file(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

std::string describe(const json& document) {
  std::string kind, name;
  if (auto it = document.find("kind"); it != document.end() && it->is_string())
    kind = printable_text(it->get_ref<const std::string&>(), 64);
  if (auto meta = document.find("metadata"); meta != document.end() && meta->is_object())
    if (auto n = meta->find("name"); n != meta->end() && n->is_string())
      name = printable_text(n->get_ref<const std::string&>(), 100);
  if (kind.empty())
    return name.empty() ? "" : quote(name);
  return name.empty() ? kind : kind + " " + quote(name);
}

std::string size_text(std::size_t bytes) {
  constexpr std::size_t mib = 1024 * 1024;
  std::string out = std::to_string(bytes) + " bytes";
  if (bytes >= mib && bytes % mib == 0)
    out += " (" + std::to_string(bytes / mib) + " MiB)";
  return out;
}

// One input being parsed: where its objects and problems go, and its limits.
struct manifest_input {
  const std::string& source;
  manifest_set& out;
  const manifest_limits& limits;
  std::size_t objects = 0;
  std::size_t problems = 0;
  bool stopped = false;  // a limit was reached: the rest of the input is not read

  void problem(int line, std::string object, const std::string& message) {
    if (stopped)
      return;
    if (problems == limits.max_problems) {
      out.problems.push_back({source, 0, "",
                              "more than " + std::to_string(limits.max_problems) +
                                  " problems; the rest of the input was not checked"});
      stopped = true;
      return;
    }
    ++problems;
    // Messages quote values from the input: keep them printable and of a bounded size.
    out.problems.push_back({source, line, std::move(object), printable_text(message, 2000)});
  }
};

void add_document(const json& document, int line, manifest_input& in) {
  if (in.stopped)
    return;
  if (document.is_object()) {
    auto kind = document.find("kind");
    if (kind != document.end() && kind->is_string() && kind->get<std::string>() == "List") {
      auto items = document.find("items");
      if (items == document.end() || !items->is_array()) {
        in.problem(line, "List", "items: Required value: a List needs items");
        return;
      }
      for (const auto& item : *items)
        add_document(item, line, in);
      return;
    }
  }
  if (in.objects == in.limits.max_objects) {
    in.problem(0, "",
               "more than " + std::to_string(in.limits.max_objects) +
                   " objects in one input; split it into several files");
    in.stopped = true;
    return;
  }
  ++in.objects;
  field_errors errors;
  auto object = object_from_json(document, errors);
  if (object && errors.empty()) {
    apply_defaults(*object);
    errors = validate(*object);
  }
  if (errors.empty()) {
    in.out.objects.push_back({in.source, line, std::move(*object)});
    return;
  }
  std::string what = describe(document);
  for (const auto& e : errors)
    in.problem(line, what, e.to_string());
}

// Reads all of `in` if it holds at most `max_bytes`; nullopt when it holds more (then only
// max_bytes + 1 bytes have been read).
std::optional<std::string> read_bounded(std::istream& in, std::size_t max_bytes) {
  std::string text;
  std::vector<char> buffer(64 * 1024);
  while (text.size() <= max_bytes && in) {
    in.read(buffer.data(),
            static_cast<std::streamsize>(std::min(buffer.size(), max_bytes + 1 - text.size())));
    text.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (text.size() > max_bytes)
    return std::nullopt;
  return text;
}

void load_file(const fs::path& path, manifest_set& out, const manifest_limits& limits) {
  std::string source = path.string();
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    auto size = fs::file_size(path, ec);
    if (!ec && size > limits.max_file_bytes) {
      out.problems.push_back({source, 0, "",
                              "the file is " + size_text(size) + "; a manifest may be at most " +
                                  size_text(limits.max_file_bytes)});
      return;
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.problems.push_back({source, 0, "", "cannot read the file"});
    return;
  }
  // Also bounded when the size above was unknown or the file grew (a FIFO, /dev/zero, a log).
  auto text = read_bounded(in, limits.max_file_bytes);
  if (!text) {
    out.problems.push_back({source, 0, "",
                            "the file holds more than " + size_text(limits.max_file_bytes) +
                                ", the most a manifest may hold"});
    return;
  }
  parse_manifest(*text, source, out, limits);
}

}  // namespace

std::string manifest_problem::to_string() const {
  std::string out = source;
  if (line > 0)
    out += ":" + std::to_string(line);
  out += ": ";
  if (!object.empty())
    out += object + ": ";
  return out + message;
}

void parse_manifest(const std::string& text, const std::string& source, manifest_set& out,
                    const manifest_limits& limits) {
  manifest_input in{source, out, limits};
  if (ends_with(source, ".json")) {
    json_input_limits json_limits;
    json_limits.max_bytes = limits.max_file_bytes;
    auto parsed = parse_json_input(text, json_limits);
    if (auto* e = std::get_if<json_input_error>(&parsed)) {
      in.problem(0, "", "invalid JSON: " + e->message);
      return;
    }
    add_document(std::get<json>(parsed), 1, in);
    return;
  }
  std::vector<yaml_document> documents;
  try {
    yaml_input_limits yaml_limits;
    yaml_limits.max_bytes = limits.max_file_bytes;
    yaml_limits.max_documents = limits.max_objects;
    documents = parse_yaml_documents(text, yaml_limits);
  } catch (const yaml_error& e) {
    in.problem(0, "", std::string("invalid YAML: ") + e.what());
    return;
  }
  if (documents.empty())
    in.problem(0, "", "no objects found (the file is empty)");
  for (const auto& d : documents)
    add_document(d.tree, d.line, in);
}

manifest_set load_manifests(const std::string& path, bool recursive,
                            const manifest_limits& limits) {
  manifest_set out;
  if (path == "-") {
    auto text = read_bounded(std::cin, limits.max_file_bytes);
    if (!text)
      out.problems.push_back({"<stdin>", 0, "",
                              "standard input holds more than " + size_text(limits.max_file_bytes) +
                                  ", the most a manifest may hold"});
    else
      parse_manifest(*text, "<stdin>", out, limits);
    return out;
  }
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    out.problems.push_back({path, 0, "", "no such file or directory"});
    return out;
  }
  if (!fs::is_directory(status)) {
    load_file(path, out, limits);
    return out;
  }
  std::vector<fs::path> files;
  auto collect = [&](const fs::directory_entry& entry) {
    if (entry.is_regular_file() && is_manifest_file(entry.path()))
      files.push_back(entry.path());
  };
  if (recursive)
    for (const auto& entry : fs::recursive_directory_iterator(path))
      collect(entry);
  else
    for (const auto& entry : fs::directory_iterator(path))
      collect(entry);
  std::sort(files.begin(), files.end());
  if (files.empty())
    out.problems.push_back({path, 0, "", "no .yaml, .yml or .json files in this directory"});
  for (const auto& f : files)
    load_file(f, out, limits);
  return out;
}

manifest_set load_manifests(const std::vector<std::string>& paths, bool recursive,
                            const manifest_limits& limits) {
  manifest_set all;
  for (const auto& path : paths) {
    auto one = load_manifests(path, recursive, limits);
    std::move(one.objects.begin(), one.objects.end(), std::back_inserter(all.objects));
    std::move(one.problems.begin(), one.problems.end(), std::back_inserter(all.problems));
  }
  return all;
}

}  // namespace capstan::messages
