#include "api/spdy_framing.hpp"

#include <zlib.h>

#include <cstring>

namespace capstan::api::spdy {

namespace {

const unsigned char dictionary[] = {
#include "api/detail/spdy_dictionary.inc"
};
static_assert(sizeof dictionary == 1423, "SPDY/3's dictionary is 1423 bytes");

constexpr uint16_t version = 3;

uint32_t be32(std::string_view s, std::size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

void put32(std::string& out, uint32_t v) {
  out.push_back(char(v >> 24));
  out.push_back(char(v >> 16));
  out.push_back(char(v >> 8));
  out.push_back(char(v));
}

std::string control_frame(uint16_t type, uint8_t flags, const std::string& payload) {
  std::string out;
  out.push_back(char(0x80 | (version >> 8)));
  out.push_back(char(version & 0xff));
  out.push_back(char(type >> 8));
  out.push_back(char(type & 0xff));
  put32(out, (uint32_t(flags) << 24) | uint32_t(payload.size()));
  return out + payload;
}

}  // namespace

std::optional<frame> frame_reader::next() {
  if (buffer_.size() - offset_ < 8) {
    // Keep the partial frame at the front: the buffer holds at most one frame.
    buffer_.erase(0, offset_);
    offset_ = 0;
    return std::nullopt;
  }
  std::string_view head(buffer_.data() + offset_, 8);
  const uint32_t first = be32(head, 0);
  const uint32_t second = be32(head, 4);
  const std::size_t length = second & 0xffffff;
  if (length > max_frame)
    throw protocol_error("a SPDY frame of " + std::to_string(length) + " bytes (at most " +
                         std::to_string(max_frame) + ")");
  frame f;
  f.control = (first & 0x80000000u) != 0;
  f.flags = uint8_t(second >> 24);
  if (f.control) {
    if (((first >> 16) & 0x7fff) != version)
      throw protocol_error("SPDY version " + std::to_string((first >> 16) & 0x7fff) +
                           " (this server speaks 3.1)");
    f.type = uint16_t(first & 0xffff);
  } else {
    f.stream_id = first & 0x7fffffff;
  }
  if (buffer_.size() - offset_ < 8 + length) {
    buffer_.erase(0, offset_);
    offset_ = 0;
    return std::nullopt;
  }
  f.payload.assign(buffer_, offset_ + 8, length);
  offset_ += 8 + length;
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  return f;
}

std::pair<uint32_t, std::string_view> syn_stream_fields(std::string_view payload) {
  if (payload.size() < 10)
    throw protocol_error("a SYN_STREAM frame too short for its fields");
  return {be32(payload, 0) & 0x7fffffff, payload.substr(10)};
}

uint32_t leading_stream_id(std::string_view payload) {
  if (payload.size() < 4)
    throw protocol_error("a SPDY control frame too short for its stream id");
  return be32(payload, 0) & 0x7fffffff;
}

// ---- header blocks ----

struct header_inflater::state {
  z_stream z{};
  bool ok = false;
};

header_inflater::header_inflater() : state_(std::make_unique<state>()) {
  state_->ok = inflateInit(&state_->z) == Z_OK;
}

header_inflater::~header_inflater() {
  if (state_->ok)
    inflateEnd(&state_->z);
}

header_list header_inflater::decode(std::string_view block) {
  if (!state_->ok)
    throw protocol_error("zlib could not start");
  auto& z = state_->z;
  std::string plain;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  z.avail_in = static_cast<uInt>(block.size());
  char out[4096];
  // Until the block is consumed and zlib has nothing more to give (a full output buffer may
  // leave output pending with no input left).
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = sizeof out;
    int r = inflate(&z, Z_SYNC_FLUSH);
    if (r == Z_NEED_DICT) {
      if (inflateSetDictionary(&z, dictionary, sizeof dictionary) != Z_OK)
        throw protocol_error("a SPDY header block compressed with another dictionary");
      continue;
    }
    if (r != Z_OK && r != Z_BUF_ERROR)
      throw protocol_error("a SPDY header block that does not inflate");
    plain.append(out, sizeof out - z.avail_out);
    if (plain.size() > max_header_block)
      throw protocol_error("a SPDY header block larger than " +
                           std::to_string(max_header_block) + " bytes");
    if (z.avail_out != 0)
      break;  // all output given: the input is used up, or no progress is possible
  }
  // count, then (length, name, length, value) pairs, all lengths 32-bit.
  std::string_view p(plain);
  std::size_t at = 0;
  auto take = [&](std::size_t n) {
    if (p.size() - at < n)
      throw protocol_error("a SPDY header block shorter than its lengths say");
    auto s = p.substr(at, n);
    at += n;
    return s;
  };
  const uint32_t count = be32(take(4), 0);
  if (count > max_header_block / 8)
    throw protocol_error("a SPDY header block with too many headers");
  header_list headers;
  for (uint32_t i = 0; i < count; ++i) {
    auto name = take(be32(take(4), 0));
    auto value = take(be32(take(4), 0));
    headers.emplace_back(std::string(name), std::string(value));
  }
  return headers;
}

struct header_deflater::state {
  z_stream z{};
  bool ok = false;
};

header_deflater::header_deflater() : state_(std::make_unique<state>()) {
  state_->ok = deflateInit(&state_->z, Z_DEFAULT_COMPRESSION) == Z_OK &&
               deflateSetDictionary(&state_->z, dictionary, sizeof dictionary) == Z_OK;
}

header_deflater::~header_deflater() {
  if (state_->ok)
    deflateEnd(&state_->z);
}

std::string header_deflater::encode(const header_list& headers) {
  if (!state_->ok)
    throw protocol_error("zlib could not start");
  std::string plain;
  put32(plain, uint32_t(headers.size()));
  for (const auto& [name, value] : headers) {
    put32(plain, uint32_t(name.size()));
    plain += name;
    put32(plain, uint32_t(value.size()));
    plain += value;
  }
  auto& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(plain.data());
  z.avail_in = static_cast<uInt>(plain.size());
  std::string compressed;
  char out[4096];
  do {
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = sizeof out;
    if (deflate(&z, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
      throw protocol_error("zlib could not compress a header block");
    compressed.append(out, sizeof out - z.avail_out);
  } while (z.avail_out == 0);
  return compressed;
}

// ---- frames ----

std::string syn_reply_frame(uint32_t stream_id, const std::string& header_block, bool fin) {
  std::string payload;
  put32(payload, stream_id & 0x7fffffff);
  payload += header_block;
  return control_frame(control_type::syn_reply, fin ? flag_fin : 0, payload);
}

std::string syn_stream_frame(uint32_t stream_id, const std::string& header_block, bool fin) {
  std::string payload;
  put32(payload, stream_id & 0x7fffffff);
  put32(payload, 0);  // associated-to
  payload.push_back(0);  // priority
  payload.push_back(0);  // slot
  payload += header_block;
  return control_frame(control_type::syn_stream, fin ? flag_fin : 0, payload);
}

std::string data_frame(uint32_t stream_id, std::string_view data, bool fin) {
  std::string out;
  put32(out, stream_id & 0x7fffffff);
  put32(out, (uint32_t(fin ? flag_fin : 0) << 24) | uint32_t(data.size()));
  out.append(data);
  return out;
}

std::string rst_stream_frame(uint32_t stream_id, uint32_t status) {
  std::string payload;
  put32(payload, stream_id & 0x7fffffff);
  put32(payload, status);
  return control_frame(control_type::rst_stream, 0, payload);
}

std::string ping_frame(std::string_view id) {
  return control_frame(control_type::ping, 0, std::string(id));
}

std::string goaway_frame(uint32_t last_good_stream_id, uint32_t status) {
  std::string payload;
  put32(payload, last_good_stream_id & 0x7fffffff);
  put32(payload, status);
  return control_frame(control_type::goaway, 0, payload);
}

}  // namespace capstan::api::spdy
