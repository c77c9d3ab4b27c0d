#include "messages/capnp_codec.hpp"

#include <cstring>

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include "messages/schema/journal.capnp.h"
#include "messages/schema/objects.capnp.h"
#include "messages/field_error.hpp"

namespace capstan::messages {

namespace {

using capnp::DynamicList;
using capnp::DynamicStruct;

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};

// Union member names of schema AnyObject, in object_kind order.
constexpr const char* object_tags[object_kind_count] = {
  "namespace", "pod", "replicationController", "service", "endpoints",
  "node", "event", "resourceQuota", "limitRange"};

// Union member names of schema Record.event, in domain_event order.
constexpr const char* event_tags[] = {
  "created", "updated", "deleted", "podBound", "podStatusChanged", "rcScaled",
  "rcStatusChanged", "labelsChanged", "nodeReadyChanged", "nodeStatusChanged",
  "endpointsChanged", "deletionRequested"};
static_assert(std::size(event_tags) == std::variant_size_v<domain_event>);

capnp::Text::Reader text(const std::string& s) { return capnp::Text::Reader(s.data(), s.size()); }

template <class T> void write_struct(DynamicStruct::Builder b, const T& v);
template <class T> void read_struct(DynamicStruct::Reader r, T& v);
void write_any(DynamicStruct::Builder b, const any_object& object);
any_object read_any(DynamicStruct::Reader r);

template <class Map> void write_map(DynamicStruct::Builder b, const char* name, const Map& m) {
  if (m.empty())
    return;
  auto list = b.init(name, m.size()).template as<DynamicList>();
  unsigned i = 0;
  for (const auto& [k, v] : m) {
    auto entry = list[i++].template as<DynamicStruct>();
    entry.set("key", text(k));
    if constexpr (std::is_same_v<Map, resource_list>)
      entry.set("value", text(v.text()));
    else
      entry.set("value", text(v));
  }
}

quantity parse_stored_quantity(capnp::Text::Reader t) {
  std::string why;
  auto q = quantity::parse(std::string(t.cStr(), t.size()), &why);
  if (!q)
    throw decode_error("stored quantity " + quote(t.cStr()) + " is invalid: " + why);
  return *q;
}

template <class T> void write_field(DynamicStruct::Builder b, const char* name, const T& v) {
  if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>) {
    if (v)
      b.set(name, v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.empty())
      b.set(name, text(v));
  } else if constexpr (std::is_same_v<T, quantity>) {
    if (!v.empty())
      b.set(name, text(v.text()));
  } else if constexpr (std::is_same_v<T, timestamp>) {
    if (v.seconds)
      b.set(name, v.seconds);
  } else if constexpr (std::is_same_v<T, int_or_string>) {
    if (v.empty())
      return;
    auto s = b.init(name).template as<DynamicStruct>();
    s.set("isString", v.is_string);
    s.set("intValue", v.int_value);
    if (v.is_string)
      s.set("stringValue", text(v.string_value));
  } else if constexpr (std::is_same_v<T, string_map> || std::is_same_v<T, resource_list>) {
    write_map(b, name, v);
  } else if constexpr (is_optional<T>::value) {
    if (!v)
      return;
    using inner = typename T::value_type;
    auto s = b.init(name).template as<DynamicStruct>();
    if constexpr (std::is_integral_v<inner>)
      s.set("value", *v);
    else
      write_struct(s, *v);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (v.empty())
      return;
    auto list = b.init(name, v.size()).template as<DynamicList>();
    for (unsigned i = 0; i < v.size(); ++i)
      list.set(i, text(v[i]));
  } else if constexpr (is_vector<T>::value) {
    if (v.empty())
      return;
    auto list = b.init(name, v.size()).template as<DynamicList>();
    for (unsigned i = 0; i < v.size(); ++i)
      write_struct(list[i].template as<DynamicStruct>(), v[i]);
  } else if constexpr (std::is_same_v<T, any_object>) {
    write_any(b.init(name).template as<DynamicStruct>(), v);
  } else {
    write_struct(b.init(name).template as<DynamicStruct>(), v);
  }
}

template <class T> void read_field(DynamicStruct::Reader r, const char* name, T& v) {
  if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>) {
    v = r.get(name).template as<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    auto t = r.get(name).template as<capnp::Text>();
    v.assign(t.cStr(), t.size());
  } else if constexpr (std::is_same_v<T, quantity>) {
    auto t = r.get(name).template as<capnp::Text>();
    v = t.size() ? parse_stored_quantity(t) : quantity{};
  } else if constexpr (std::is_same_v<T, timestamp>) {
    v.seconds = r.get(name).template as<int64_t>();
  } else if constexpr (std::is_same_v<T, int_or_string>) {
    if (!r.has(name))
      return;
    auto s = r.get(name).template as<DynamicStruct>();
    v.is_string = s.get("isString").as<bool>();
    v.int_value = s.get("intValue").as<int32_t>();
    auto t = s.get("stringValue").as<capnp::Text>();
    v.string_value.assign(t.cStr(), t.size());
  } else if constexpr (std::is_same_v<T, string_map> || std::is_same_v<T, resource_list>) {
    v.clear();
    for (auto item : r.get(name).template as<DynamicList>()) {
      auto entry = item.template as<DynamicStruct>();
      auto k = entry.get("key").as<capnp::Text>();
      auto val = entry.get("value").as<capnp::Text>();
      if constexpr (std::is_same_v<T, resource_list>)
        v.emplace(std::string(k.cStr(), k.size()), parse_stored_quantity(val));
      else
        v.emplace(std::string(k.cStr(), k.size()), std::string(val.cStr(), val.size()));
    }
  } else if constexpr (is_optional<T>::value) {
    if (!r.has(name)) {
      v.reset();
      return;
    }
    using inner = typename T::value_type;
    auto s = r.get(name).template as<DynamicStruct>();
    inner value{};
    if constexpr (std::is_integral_v<inner>)
      value = s.get("value").template as<inner>();
    else
      read_struct(s, value);
    v = std::move(value);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    auto list = r.get(name).template as<DynamicList>();
    v.clear();
    v.reserve(list.size());
    for (auto item : list) {
      auto t = item.template as<capnp::Text>();
      v.emplace_back(t.cStr(), t.size());
    }
  } else if constexpr (is_vector<T>::value) {
    auto list = r.get(name).template as<DynamicList>();
    v.clear();
    v.resize(list.size());
    for (unsigned i = 0; i < list.size(); ++i)
      read_struct(list[i].template as<DynamicStruct>(), v[i]);
  } else if constexpr (std::is_same_v<T, any_object>) {
    v = read_any(r.get(name).template as<DynamicStruct>());
  } else {
    if (r.has(name))
      read_struct(r.get(name).template as<DynamicStruct>(), v);
  }
}

struct capnp_writer {
  DynamicStruct::Builder b;
  template <class T> void operator()(const char* name, const T& v) { write_field(b, name, v); }
  template <class T> void always(const char* name, const T& v) { write_field(b, name, v); }
};

struct capnp_reader {
  DynamicStruct::Reader r;
  template <class T> void operator()(const char* name, T& v) { read_field(r, name, v); }
  template <class T> void always(const char* name, T& v) { read_field(r, name, v); }
};

template <class T> void write_struct(DynamicStruct::Builder b, const T& v) {
  capnp_writer writer{b};
  fields(writer, const_cast<T&>(v));  // the writer only reads
}

template <class T> void read_struct(DynamicStruct::Reader r, T& v) {
  capnp_reader reader{r};
  fields(reader, v);
}

void write_any(DynamicStruct::Builder b, const any_object& object) {
  std::visit(
    [&](const auto& o) {
      write_struct(b.init(object_tags[object.index()]).template as<DynamicStruct>(), o);
    },
    object);
}

template <class Variant, std::size_t... I>
Variant variant_at(std::size_t index, std::index_sequence<I...>) {
  Variant result;
  ((index == I ? void(result.template emplace<I>()) : void()), ...);
  return result;
}

// The index of the union member that is set, looked up in `tags`.
template <std::size_t N>
std::size_t which_tag(DynamicStruct::Reader r, const char* const (&tags)[N], const char* what) {
  KJ_IF_MAYBE (field, r.which()) {
    auto name = field->getProto().getName();
    for (std::size_t i = 0; i < N; ++i)
      if (name == tags[i])
        return i;
    throw decode_error(std::string(what) + " has unknown member " + name.cStr());
  }
  throw decode_error(std::string(what) + " has no member set (written by a newer capstan?)");
}

any_object read_any(DynamicStruct::Reader r) {
  std::size_t i = which_tag(r, object_tags, "AnyObject");
  any_object object = variant_at<any_object>(i, std::make_index_sequence<object_kind_count>{});
  std::visit([&](auto& o) { read_struct(r.get(object_tags[i]).as<DynamicStruct>(), o); }, object);
  return object;
}

std::string to_bytes(capnp::MessageBuilder& builder) {
  auto words = capnp::messageToFlatArray(builder);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// Reads a flat message, copying it to word alignment when the source is not aligned.
template <class F> auto with_reader(std::string_view bytes, const char* what, F&& f) {
  if (bytes.size() % sizeof(capnp::word) != 0)
    throw decode_error(std::string(what) + ": length " + std::to_string(bytes.size()) +
                       " is not a whole number of 8-byte words");
  kj::Array<capnp::word> copy;
  kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(bytes.data()),
                                        bytes.size() / sizeof(capnp::word));
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
    copy = kj::heapArray<capnp::word>(words.size());
    std::memcpy(copy.begin(), bytes.data(), bytes.size());
    words = copy;
  }
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = 1ull << 30;
    capnp::FlatArrayMessageReader reader(words, options);
    return f(reader);
  } catch (const kj::Exception& e) {
    throw decode_error(std::string(what) + ": " + e.getDescription().cStr());
  }
}

}  // namespace

std::string event_name(const journal_record& record) {
  static const char* const kind_prefix[object_kind_count] = {
    "Namespace", "Pod", "Rc", "Service", "Endpoints", "Node", "Event", "ResourceQuota",
    "LimitRange"};
  static const char* const suffix[] = {"Created", "Updated", "Deleted", "", "", "", "",
                                       "LabelsChanged", "", "", "", "DeletionRequested"};
  const char* s = suffix[record.event.index()];
  if (*s == '\0') {
    std::string tag = event_tag(record.event);
    tag[0] = static_cast<char>(std::toupper(tag[0]));
    return tag;  // PodBound, RcScaled, NodeReadyChanged, ...
  }
  return std::string(kind_prefix[static_cast<std::size_t>(record.kind)]) + s;
}

const char* event_tag(const domain_event& event) {
  return event_tags[event.index()];
}

std::string encode_object(const any_object& object) {
  capnp::MallocMessageBuilder builder;
  write_any(capnp::toDynamic(builder.initRoot<schema::AnyObject>()), object);
  return to_bytes(builder);
}

any_object decode_object(std::string_view bytes) {
  return with_reader(bytes, "object", [](capnp::MessageReader& reader) {
    return read_any(capnp::toDynamic(reader.getRoot<schema::AnyObject>()));
  });
}

std::string encode_record(const journal_record& record) {
  capnp::MallocMessageBuilder builder;
  auto r = builder.initRoot<schema::Record>();
  r.setSeq(record.seq);
  r.setTimeNanos(record.time_nanos);
  r.setKind(static_cast<schema::Kind>(record.kind));
  r.setNamespace(text(record.namespace_));
  r.setName(text(record.name));
  r.setUid(text(record.uid));
  r.setCause(text(record.cause));
  auto event = capnp::toDynamic(r).get("event").as<DynamicStruct>();
  std::visit(
    [&](const auto& e) {
      write_struct(event.init(event_tags[record.event.index()]).template as<DynamicStruct>(), e);
    },
    record.event);
  return to_bytes(builder);
}

journal_record decode_record(std::string_view bytes) {
  return with_reader(bytes, "journal record", [](capnp::MessageReader& reader) {
    auto r = reader.getRoot<schema::Record>();
    journal_record record;
    record.seq = r.getSeq();
    record.time_nanos = r.getTimeNanos();
    auto kind = static_cast<std::size_t>(r.getKind());
    if (kind >= object_kind_count)
      throw decode_error("journal record has unknown kind " + std::to_string(kind));
    record.kind = static_cast<object_kind>(kind);
    record.namespace_ = r.getNamespace();
    record.name = r.getName();
    record.uid = r.getUid();
    record.cause = r.getCause();
    auto event = capnp::toDynamic(r).get("event").as<DynamicStruct>();
    std::size_t i = which_tag(event, event_tags, "journal record event");
    record.event = variant_at<domain_event>(
      i, std::make_index_sequence<std::variant_size_v<domain_event>>{});
    std::visit([&](auto& e) { read_struct(event.get(event_tags[i]).as<DynamicStruct>(), e); },
               record.event);
    return record;
  });
}

uint64_t decode_record_seq(std::string_view bytes) {
  return with_reader(bytes, "journal record", [](capnp::MessageReader& reader) {
    return reader.getRoot<schema::Record>().getSeq();
  });
}

std::string encode_snapshot_manifest(const snapshot_manifest& manifest) {
  capnp::MallocMessageBuilder builder;
  auto m = builder.initRoot<schema::SnapshotManifest>();
  m.setSeq(manifest.seq);
  m.setTimeNanos(manifest.time_nanos);
  m.setChunkCount(manifest.chunk_count);
  m.setObjectCount(manifest.object_count);
  return to_bytes(builder);
}

snapshot_manifest decode_snapshot_manifest(std::string_view bytes) {
  return with_reader(bytes, "snapshot manifest", [](capnp::MessageReader& reader) {
    auto m = reader.getRoot<schema::SnapshotManifest>();
    return snapshot_manifest{m.getSeq(), m.getTimeNanos(), m.getChunkCount(), m.getObjectCount()};
  });
}

std::string encode_snapshot_chunk(const std::vector<const any_object*>& objects) {
  capnp::MallocMessageBuilder builder;
  auto chunk = builder.initRoot<schema::SnapshotChunk>();
  auto list = chunk.initObjects(objects.size());
  for (unsigned i = 0; i < objects.size(); ++i)
    write_any(capnp::toDynamic(list[i]), *objects[i]);
  return to_bytes(builder);
}

void decode_snapshot_chunk(std::string_view bytes, std::vector<any_object>& out) {
  with_reader(bytes, "snapshot chunk", [&](capnp::MessageReader& reader) {
    auto list = reader.getRoot<schema::SnapshotChunk>().getObjects();
    out.reserve(out.size() + list.size());
    for (auto item : list)
      out.push_back(read_any(capnp::toDynamic(item)));
    return 0;
  });
}

}  // namespace capstan::messages
