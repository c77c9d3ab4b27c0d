#include "actors/master/forwarded_commands.hpp"

#include <limits>

#include <nlohmann/json.hpp>

#include "messages/base64.hpp"
#include "messages/capnp_codec.hpp"

namespace capstan::actors {

namespace {

using json = nlohmann::json;

// Strings that are not valid UTF-8 (a name from an impersonation header, say) travel with
// their bad bytes replaced, as the API writes them.
std::string text_of(const json& tree) {
  return tree.dump(-1, ' ', false, json::error_handler_t::replace);
}

// An integer field of type T: a JSON integer within T's range, else forwarding_error.
template <typename T>
T integer(const json& field) {
  if (!field.is_number_integer())
    throw forwarding_error("a forwarded field is no integer");
  if (field.is_number_unsigned()) {
    auto v = field.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<T>::max()))
      throw forwarding_error("a forwarded integer is out of range");
    return static_cast<T>(v);
  }
  auto v = field.get<int64_t>();
  if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
      (v > 0 && static_cast<uint64_t>(v) > static_cast<uint64_t>(std::numeric_limits<T>::max())))
    throw forwarding_error("a forwarded integer is out of range");
  return static_cast<T>(v);
}

json encode_object_field(const any_object& object) {
  return messages::base64_encode(messages::encode_object(object));
}

any_object decode_object_field(const json& field) {
  auto bytes = messages::base64_decode(field.get<std::string>());
  if (!bytes)
    throw forwarding_error("an object is not base64");
  return messages::decode_object(*bytes);
}

json encode_op(const object_command& c) {
  return std::visit(
      [](const auto& op) -> json {
        using op_type = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<op_type, update_op>) {
          return {{"update", {{"object", encode_object_field(op.object)}}}};
        } else if constexpr (std::is_same_v<op_type, delete_op>) {
          json d = {{"reason", op.reason},
                    {"uid", op.uid_precondition},
                    {"resourceVersion", op.resource_version_precondition}};
          if (op.grace_period_seconds)
            d["grace"] = *op.grace_period_seconds;
          return {{"delete", d}};
        } else if constexpr (std::is_same_v<op_type, bind_op>) {
          return {{"bind", {{"node", op.node_name}}}};
        } else if constexpr (std::is_same_v<op_type, status_op>) {
          return {{"status", {{"object", encode_object_field(op.object)}}}};
        } else if constexpr (std::is_same_v<op_type, scale_op>) {
          json s = {{"replicas", op.replicas},
                    {"resourceVersion", op.resource_version_precondition}};
          if (op.current_replicas_precondition)
            s["current"] = *op.current_replicas_precondition;
          return {{"scale", s}};
        } else if constexpr (std::is_same_v<op_type, ready_op>) {
          return {{"ready",
                   {{"ready", op.ready}, {"reason", op.reason}, {"message", op.message}}}};
        } else {
          throw forwarding_error("endpoint changes are the leader's own; they are not forwarded");
        }
      },
      c.op);
}

decltype(object_command::op) decode_op(const json& op) {
  if (auto it = op.find("update"); it != op.end())
    return update_op{decode_object_field(it->at("object"))};
  if (auto it = op.find("delete"); it != op.end()) {
    delete_op d;
    d.reason = it->at("reason").get<std::string>();
    d.uid_precondition = it->at("uid").get<std::string>();
    d.resource_version_precondition = it->at("resourceVersion").get<std::string>();
    if (it->contains("grace"))
      d.grace_period_seconds = integer<int64_t>(it->at("grace"));
    return d;
  }
  if (auto it = op.find("bind"); it != op.end())
    return bind_op{it->at("node").get<std::string>()};
  if (auto it = op.find("status"); it != op.end())
    return status_op{decode_object_field(it->at("object"))};
  if (auto it = op.find("scale"); it != op.end()) {
    scale_op s;
    s.replicas = integer<int32_t>(it->at("replicas"));
    s.resource_version_precondition = it->at("resourceVersion").get<std::string>();
    if (it->contains("current"))
      s.current_replicas_precondition = integer<int32_t>(it->at("current"));
    return s;
  }
  if (auto it = op.find("ready"); it != op.end())
    return ready_op{it->at("ready").get<bool>(), it->at("reason").get<std::string>(),
                    it->at("message").get<std::string>()};
  throw forwarding_error("a forwarded command has no operation capstan knows");
}

// Runs `decode`, turning every failure of the bytes into forwarding_error.
template <typename Decode>
auto decoding(std::string_view bytes, Decode decode) {
  try {
    return decode(json::parse(bytes));
  } catch (const forwarding_error&) {
    throw;
  } catch (const std::exception& e) {
    throw forwarding_error(std::string("a forwarded message is malformed: ") + e.what());
  }
}

}  // namespace

std::string encode_forwarded_command(const forwarded_command& command) {
  json out;
  if (auto* create = std::get_if<create_command>(&command)) {
    out["create"] = {{"object", encode_object_field(create->object)},
                     {"cause", create->cause},
                     {"outcomeOnly", create->outcome_only},
                     {"dryRun", create->dry_run}};
  } else if (auto* change = std::get_if<membership_command>(&command)) {
    out["members"] = {
        {"op", change->op == membership_command::change::add ? "add" : "remove"},
        {"id", change->id},
        {"address", change->address}};
  } else {
    const auto& c = std::get<object_command>(command);
    out["command"] = {{"kind", static_cast<int>(c.kind)},
                      {"namespace", c.target.namespace_},
                      {"name", c.target.name},
                      {"cause", c.cause},
                      {"op", encode_op(c)},
                      {"outcomeOnly", c.outcome_only},
                      {"dryRun", c.dry_run}};
  }
  return text_of(out);
}

forwarded_command decode_forwarded_command(std::string_view bytes) {
  return decoding(bytes, [](const json& in) -> forwarded_command {
    if (auto it = in.find("create"); it != in.end()) {
      create_command c;
      c.object = decode_object_field(it->at("object"));
      c.cause = it->at("cause").get<std::string>();
      c.outcome_only = it->at("outcomeOnly").get<bool>();
      c.dry_run = it->at("dryRun").get<bool>();
      return c;
    }
    if (auto it = in.find("members"); it != in.end()) {
      membership_command c;
      const auto op = it->at("op").get<std::string>();
      if (op != "add" && op != "remove")
        throw forwarding_error("a forwarded membership change is neither add nor remove");
      c.op = op == "add" ? membership_command::change::add : membership_command::change::remove;
      c.id = integer<uint64_t>(it->at("id"));
      c.address = it->at("address").get<std::string>();
      if (c.id == 0 || c.address.size() > 256)
        throw forwarding_error("a forwarded membership change names no member");
      return c;
    }
    const json& in_command = in.at("command");
    object_command c;
    int kind = integer<int>(in_command.at("kind"));
    if (kind < 0 || kind >= static_cast<int>(messages::object_kind_count))
      throw forwarding_error("a forwarded command names no kind capstan knows");
    c.kind = static_cast<object_kind>(kind);
    c.target.namespace_ = in_command.at("namespace").get<std::string>();
    c.target.name = in_command.at("name").get<std::string>();
    c.cause = in_command.at("cause").get<std::string>();
    c.op = decode_op(in_command.at("op"));
    c.outcome_only = in_command.at("outcomeOnly").get<bool>();
    c.dry_run = in_command.at("dryRun").get<bool>();
    return c;
  });
}

std::string encode_forwarded_reply(const command_reply& reply, uint64_t leader_seq) {
  json out = {{"seq", reply.seq}, {"deleted", reply.deleted}, {"leaderSeq", leader_seq}};
  if (reply.object)
    out["object"] = encode_object_field(*reply.object);
  if (reply.error) {
    json causes = json::array();
    for (const auto& cause : reply.error->causes)
      causes.push_back({{"type", static_cast<int>(cause.type)},
                        {"field", cause.field},
                        {"value", cause.value},
                        {"detail", cause.detail}});
    out["error"] = {{"code", static_cast<int>(reply.error->code)},
                    {"message", reply.error->message},
                    {"causes", causes}};
  }
  return text_of(out);
}

command_reply decode_forwarded_reply(std::string_view bytes, uint64_t* leader_seq) {
  return decoding(bytes, [leader_seq](const json& in) {
    command_reply reply;
    reply.seq = integer<uint64_t>(in.at("seq"));
    if (leader_seq)
      *leader_seq = in.contains("leaderSeq") ? integer<uint64_t>(in.at("leaderSeq")) : 0;
    reply.deleted = in.at("deleted").get<bool>();
    if (in.contains("object"))
      reply.object = decode_object_field(in.at("object"));
    if (auto it = in.find("error"); it != in.end()) {
      int code = integer<int>(it->at("code"));
      if (code < 0 || code > static_cast<int>(error_code::unavailable))
        throw forwarding_error("a forwarded reply names no error capstan knows");
      api_error error{static_cast<error_code>(code), it->at("message").get<std::string>(), {}};
      for (const auto& cause : it->at("causes")) {
        int type = integer<int>(cause.at("type"));
        if (type < 0 || type > static_cast<int>(messages::field_error_type::not_found))
          throw forwarding_error("a forwarded reply names no field error capstan knows");
        error.causes.push_back({static_cast<messages::field_error_type>(type),
                                cause.at("field").get<std::string>(),
                                cause.at("value").get<std::string>(),
                                cause.at("detail").get<std::string>()});
      }
      reply.error = std::move(error);
    }
    return reply;
  });
}

}  // namespace capstan::actors
