// Fuzz target: the bytes of a `kubectl port-forward` session (api/spdy_framing.hpp) as the
// master reads them from a client's WebSocket messages.
//
// The first byte chooses how the rest is cut into messages (1 to 256 bytes each, as a client
// may split its frames anywhere); the frames read from them go through the session's one header
// inflater as portforward_session does (SYN_STREAM, SYN_REPLY and HEADERS blocks). Asserts,
// besides no crash and no sanitizer report:
//   - every frame is at most spdy::max_frame bytes, and a data frame's stream id is 31-bit;
//   - a decoded header block holds at most spdy::max_header_block bytes of names and values;
//   - after a protocol_error nothing more is read (the session would end there).
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/spdy_framing.hpp"
#include "fuzz/fuzz_check.hpp"

namespace spdy = capstan::api::spdy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::size_t piece = 1 + data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  spdy::frame_reader reader;
  spdy::header_inflater inflater;
  try {
    while (!rest.empty()) {
      reader.feed(rest.substr(0, piece));
      rest.remove_prefix(std::min(piece, rest.size()));
      while (auto f = reader.next()) {
        FUZZ_CHECK(f->payload.size() <= spdy::max_frame, "a frame over the bound was read");
        if (!f->control) {
          FUZZ_CHECK(f->stream_id <= 0x7fffffffu, "a stream id over 31 bits");
          continue;
        }
        if (f->type == spdy::rst_stream || f->type == spdy::window_update) {
          FUZZ_CHECK(spdy::leading_stream_id(f->payload) <= 0x7fffffffu, "a stream id over 31 bits");
          continue;
        }
        std::string_view block;
        if (f->type == spdy::syn_stream)
          block = spdy::syn_stream_fields(f->payload).second;
        else if (f->type == spdy::syn_reply || f->type == spdy::headers)
          block = std::string_view(f->payload).substr(std::min<std::size_t>(4, f->payload.size()));
        else
          continue;
        std::size_t bytes = 0;
        for (const auto& [name, value] : inflater.decode(block))
          bytes += name.size() + value.size();
        FUZZ_CHECK(bytes <= spdy::max_header_block, "a header block over the bound was decoded");
      }
    }
  } catch (const spdy::protocol_error&) {
    // The session ends with GOAWAY: nothing more is read.
  }
  return 0;
}
