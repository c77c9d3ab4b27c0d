#include "messages/capnp_codec.hpp"

#include "messages/detail/capnp_layout.hpp"

namespace capstan::messages {

using namespace capnp_layout;

std::string event_name(const journal_record& record) {
  static const char* const kind_prefix[object_kind_count] = {
      "Namespace", "Pod",           "Rc",        "Service", "Endpoints", "Node",
      "Event",     "ResourceQuota", "LimitRange", "Role",    "ClusterRole", "RoleBinding",
      "ClusterRoleBinding", "Secret", "ConfigMap", "ServiceAccount"};
  static const char* const suffix[] = {"Created", "Updated", "Deleted", "",
                                       "",        "",        "",        "LabelsChanged",
                                       "",        "",        "",        "DeletionRequested"};
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
  write_any(raw<schema::AnyObject>(builder.initRoot<schema::AnyObject>()), object);
  return to_bytes(builder);
}

any_object decode_object(std::string_view bytes) {
  return with_reader(bytes, "object", [](capnp::MessageReader& reader) {
    return read_any(raw<schema::AnyObject>(reader.getRoot<schema::AnyObject>()));
  });
}

std::string encode_record(const journal_record& record) {
  capnp::MallocMessageBuilder builder(256);
  auto r = builder.initRoot<schema::Record>();
  r.setSeq(record.seq);
  r.setTimeNanos(record.time_nanos);
  r.setKind(static_cast<schema::Kind>(record.kind));
  r.setNamespace(text(record.namespace_));
  r.setName(text(record.name));
  r.setUid(text(record.uid));
  r.setCause(text(record.cause));
  // The event union is a group: its members live in the Record struct itself.
  write_union(raw<schema::Record>(kj::mv(r)), record_event_plan(), record.event);
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
    auto assign = [](std::string& to, capnp::Text::Reader text) {
      to.assign(text.begin(), text.size());
    };
    assign(record.namespace_, r.getNamespace());
    assign(record.name, r.getName());
    assign(record.uid, r.getUid());
    assign(record.cause, r.getCause());
    read_union_into(raw<schema::Record>(r), record_event_plan(), "journal record event",
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
  capnp::MallocMessageBuilder builder(64 * 1024);
  auto list = builder.initRoot<schema::SnapshotChunk>().initObjects(objects.size());
  for (unsigned i = 0; i < objects.size(); ++i)
    write_any(raw<schema::AnyObject>(list[i]), *objects[i]);
  return to_bytes(builder);
}

void decode_snapshot_chunk(std::string_view bytes, std::vector<any_object>& out) {
  decode_snapshot_chunk(bytes, [&](any_object&& object) { out.push_back(std::move(object)); });
}

void decode_snapshot_chunk(std::string_view bytes, const std::function<void(any_object&&)>& take) {
  with_reader(bytes, "snapshot chunk", [&](capnp::MessageReader& reader) {
    for (auto item : reader.getRoot<schema::SnapshotChunk>().getObjects())
      take(read_any(raw<schema::AnyObject>(item)));
    return 0;
  });
}

}  // namespace capstan::messages
