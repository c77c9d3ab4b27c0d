// SPDY/3.1 framing, as much as `kubectl port-forward` speaks (there is no SPDY library in
// Debian): frames read incrementally from a byte stream and written, and the zlib-compressed
// header blocks (one zlib stream per direction for the whole session, with SPDY/3's
// dictionary). Pure: no I/O; the port-forward session (portforward_session.hpp) drives it.
//
// Bounds: a frame longer than `max_frame` is a protocol error (the session ends); a header
// block inflates to at most `max_header_block` bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capstan::api::spdy {

inline constexpr std::size_t max_frame = 1 << 20;
inline constexpr std::size_t max_header_block = 64 * 1024;

// The session cannot go on (bad framing, a header block that does not inflate).
struct protocol_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum control_type : uint16_t {
  syn_stream = 1,
  syn_reply = 2,
  rst_stream = 3,
  settings = 4,
  ping = 6,
  goaway = 7,
  headers = 8,
  window_update = 9,
};
inline constexpr uint8_t flag_fin = 0x01;

// RST_STREAM status codes used here.
enum rst_status : uint32_t { protocol_error_status = 1, refused_stream = 3, cancel = 5 };

struct frame {
  bool control = false;
  uint16_t type = 0;       // control frames: control_type
  uint8_t flags = 0;
  uint32_t stream_id = 0;  // data frames
  std::string payload;     // after the 8-byte frame header
};

// Splits a byte stream into frames; keeps at most one partial frame.
class frame_reader {
public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete frame, or nothing until more bytes come. Throws protocol_error for a
  // control frame of another version than 3 or a frame longer than max_frame.
  std::optional<frame> next();

private:
  std::string buffer_;
  std::size_t offset_ = 0;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

// The stream id and header block of a SYN_STREAM payload (31-bit ids; priority and slot are
// skipped). Throws protocol_error when the payload is too short.
std::pair<uint32_t, std::string_view> syn_stream_fields(std::string_view payload);
// The 31-bit stream id at the start of RST_STREAM, HEADERS, WINDOW_UPDATE payloads.
uint32_t leading_stream_id(std::string_view payload);

// One direction's header compression state (zlib with SPDY/3's dictionary).
class header_inflater {
public:
  header_inflater();
  ~header_inflater();
  header_inflater(const header_inflater&) = delete;
  header_inflater& operator=(const header_inflater&) = delete;
  // Inflates and parses one header block; names as sent (SPDY/3 lowercases them). Throws
  // protocol_error.
  header_list decode(std::string_view block);

private:
  struct state;
  std::unique_ptr<state> state_;
};

class header_deflater {
public:
  header_deflater();
  ~header_deflater();
  header_deflater(const header_deflater&) = delete;
  header_deflater& operator=(const header_deflater&) = delete;
  // Compresses one header block (sync flush: the peer inflates it at once).
  std::string encode(const header_list& headers);

private:
  struct state;
  std::unique_ptr<state> state_;
};

// Frames written by the server.
std::string syn_reply_frame(uint32_t stream_id, const std::string& header_block, bool fin = false);
std::string data_frame(uint32_t stream_id, std::string_view data, bool fin = false);
std::string rst_stream_frame(uint32_t stream_id, uint32_t status);
std::string ping_frame(std::string_view payload);  // the peer's 4-byte id, echoed
std::string goaway_frame(uint32_t last_good_stream_id, uint32_t status = 0);

// For tests (a client's frames).
std::string syn_stream_frame(uint32_t stream_id, const std::string& header_block, bool fin = false);

}  // namespace capstan::api::spdy
