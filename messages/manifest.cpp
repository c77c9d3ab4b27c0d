#include "messages/manifest.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "messages/defaults.hpp"
#include "messages/json_codec.hpp"
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
    kind = it->get<std::string>();
  if (auto meta = document.find("metadata"); meta != document.end() && meta->is_object())
    if (auto n = meta->find("name"); n != meta->end() && n->is_string())
      name = n->get<std::string>();
  if (kind.empty())
    return name.empty() ? "" : quote(name);
  return name.empty() ? kind : kind + " " + quote(name);
}

void add_document(const json& document, const std::string& source, int line, manifest_set& out) {
  if (document.is_object()) {
    auto kind = document.find("kind");
    if (kind != document.end() && kind->is_string() && kind->get<std::string>() == "List") {
      auto items = document.find("items");
      if (items == document.end() || !items->is_array()) {
        out.problems.push_back({source, line, "List", "items: Required value: a List needs items"});
        return;
      }
      for (const auto& item : *items)
        add_document(item, source, line, out);
      return;
    }
  }
  field_errors errors;
  auto object = object_from_json(document, errors);
  if (object && errors.empty()) {
    apply_defaults(*object);
    errors = validate(*object);
  }
  if (errors.empty()) {
    out.objects.push_back({source, line, std::move(*object)});
    return;
  }
  std::string what = describe(document);
  for (const auto& e : errors)
    out.problems.push_back({source, line, what, e.to_string()});
}

std::string read_stream(std::istream& in) {
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void load_file(const fs::path& path, manifest_set& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.problems.push_back({path.string(), 0, "", "cannot read the file"});
    return;
  }
  parse_manifest(read_stream(in), path.string(), out);
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

void parse_manifest(const std::string& text, const std::string& source, manifest_set& out) {
  if (ends_with(source, ".json")) {
    json document;
    try {
      document = json::parse(text);
    } catch (const json::parse_error& e) {
      out.problems.push_back({source, 0, "", std::string("invalid JSON: ") + e.what()});
      return;
    }
    add_document(document, source, 1, out);
    return;
  }
  std::vector<yaml_document> documents;
  try {
    documents = parse_yaml_documents(text);
  } catch (const yaml_error& e) {
    out.problems.push_back({source, 0, "", std::string("invalid YAML: ") + e.what()});
    return;
  }
  if (documents.empty())
    out.problems.push_back({source, 0, "", "no objects found (the file is empty)"});
  for (const auto& d : documents)
    add_document(d.tree, source, d.line, out);
}

manifest_set load_manifests(const std::string& path, bool recursive) {
  manifest_set out;
  if (path == "-") {
    parse_manifest(read_stream(std::cin), "<stdin>", out);
    return out;
  }
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    out.problems.push_back({path, 0, "", "no such file or directory"});
    return out;
  }
  if (!fs::is_directory(status)) {
    load_file(path, out);
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
    load_file(f, out);
  return out;
}

manifest_set load_manifests(const std::vector<std::string>& paths, bool recursive) {
  manifest_set all;
  for (const auto& path : paths) {
    auto one = load_manifests(path, recursive);
    std::move(one.objects.begin(), one.objects.end(), std::back_inserter(all.objects));
    std::move(one.problems.begin(), one.problems.end(), std::back_inserter(all.problems));
  }
  return all;
}

}  // namespace capstan::messages
