#include "api/protobuf.hpp"

namespace capstan::api {

namespace {

// A reader of protobuf wire format: varints and length-delimited fields.
struct wire {
  const unsigned char* p;
  const unsigned char* end;

  bool varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
      unsigned char b = *p++;
      out |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  }
  // Calls visit(field, bytes) for each length-delimited field; skips varints. False if malformed.
  template <class F>
  bool fields(F&& visit) {
    while (p < end) {
      uint64_t tag, len;
      if (!varint(tag))
        return false;
      int type = tag & 7;
      if (type == 0) {
        if (!varint(len))
          return false;
      } else if (type == 2) {
        if (!varint(len) || len > uint64_t(end - p))
          return false;
        visit(static_cast<int>(tag >> 3), std::string(reinterpret_cast<const char*>(p), len));
        p += len;
      } else {
        return false;
      }
    }
    return true;
  }
};

template <class F>
bool parse(const std::string& bytes, const F& visit) {
  wire w{reinterpret_cast<const unsigned char*>(bytes.data()),
         reinterpret_cast<const unsigned char*>(bytes.data()) + bytes.size()};
  return w.fields(visit);
}

}  // namespace

namespace {

std::optional<messages::json> namespace_from(const std::string& raw);
std::optional<messages::json> eviction_from(const std::string& raw);

}  // namespace

std::optional<messages::json> object_from_protobuf(const std::string& body) {
  const std::string magic("k8s\0", 4);
  if (body.compare(0, 4, magic) != 0)
    return std::nullopt;
  std::string kind, raw;
  // runtime.Unknown: 1 typeMeta {1 apiVersion, 2 kind}, 2 raw.
  bool ok = parse(body.substr(4), [&](int field, const std::string& bytes) {
    if (field == 1)
      parse(bytes, [&](int f, const std::string& v) {
        if (f == 2)
          kind = v;
      });
    else if (field == 2)
      raw = bytes;
  });
  if (!ok)
    return std::nullopt;
  if (kind == "Namespace")
    return namespace_from(raw);
  if (kind == "Eviction")
    return eviction_from(raw);
  return std::nullopt;
}

namespace {

std::optional<messages::json> namespace_from(const std::string& raw) {
  messages::json meta = messages::json::object();
  bool ok;
  // Namespace: 1 metadata (ObjectMeta: 1 name, 2 generateName, 11 labels, 12 annotations).
  ok = parse(raw, [&](int field, const std::string& bytes) {
    if (field != 1)
      return;
    parse(bytes, [&](int f, const std::string& v) {
      if (f == 1)
        meta["name"] = v;
      else if (f == 2)
        meta["generateName"] = v;
      else if (f == 11 || f == 12) {
        std::string k, val;
        parse(v, [&](int e, const std::string& s) { (e == 1 ? k : val) = s; });
        meta[f == 11 ? "labels" : "annotations"][k] = val;
      }
    });
  });
  if (!ok)
    return std::nullopt;
  return messages::json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", meta}};
}

// policy/v1 Eviction: 1 metadata (ObjectMeta: 1 name, 3 namespace), 2 deleteOptions
// (DeleteOptions: 2 preconditions {1 uid, 2 resourceVersion}, 4 propagationPolicy, 5 dryRun).
std::optional<messages::json> eviction_from(const std::string& raw) {
  messages::json meta = messages::json::object();
  messages::json options = messages::json::object();
  bool ok = parse(raw, [&](int field, const std::string& bytes) {
    if (field == 1) {
      parse(bytes, [&](int f, const std::string& v) {
        if (f == 1)
          meta["name"] = v;
        else if (f == 3)
          meta["namespace"] = v;
      });
    } else if (field == 2) {
      parse(bytes, [&](int f, const std::string& v) {
        if (f == 2) {
          messages::json pre = messages::json::object();
          parse(v, [&](int p, const std::string& x) {
            if (p == 1)
              pre["uid"] = x;
            else if (p == 2)
              pre["resourceVersion"] = x;
          });
          options["preconditions"] = pre;
        } else if (f == 4) {
          options["propagationPolicy"] = v;
        } else if (f == 5) {
          options["dryRun"].push_back(v);
        }
      });
    }
  });
  if (!ok)
    return std::nullopt;
  return messages::json{{"apiVersion", "policy/v1"},
                        {"kind", "Eviction"},
                        {"metadata", meta},
                        {"deleteOptions", options}};
}

}  // namespace

}  // namespace capstan::api
