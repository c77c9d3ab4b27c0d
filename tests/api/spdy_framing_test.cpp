// Tests api/spdy_framing.cpp: frames read from a stream cut anywhere, header blocks through one
// zlib stream per direction (with SPDY/3's dictionary, as a peer's deflater writes them), the
// frames the server writes, and the bounds (oversized frames, wrong versions, bad blocks).
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include "api/spdy_framing.hpp"

using namespace capstan::api::spdy;

namespace {

uint32_t be32(const std::string& s, std::size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

}  // namespace

BOOST_AUTO_TEST_CASE(frames_are_read_whole_from_bytes_cut_anywhere) {
  header_deflater client;
  // In wire order: the blocks share the client's zlib stream.
  std::string wire = syn_stream_frame(
      1, client.encode({{"streamtype", "error"}, {"port", "80"}, {"requestid", "0"}}));
  wire += syn_stream_frame(
      3, client.encode({{"streamtype", "data"}, {"port", "80"}, {"requestid", "0"}}));
  wire += data_frame(3, "GET / HTTP/1.0\r\n\r\n") + data_frame(1, "", true);
  frame_reader reader;
  header_inflater server;
  std::vector<frame> frames;
  for (char byte : wire) {  // one byte at a time
    reader.feed(std::string_view(&byte, 1));
    while (auto f = reader.next())
      frames.push_back(std::move(*f));
  }
  BOOST_REQUIRE(frames.size() == 4u);
  BOOST_TEST(frames[0].control);
  BOOST_TEST(frames[0].type == syn_stream);
  auto [id0, block0] = syn_stream_fields(frames[0].payload);
  BOOST_TEST(id0 == 1u);
  auto h0 = server.decode(block0);
  BOOST_TEST((h0 == header_list{{"streamtype", "error"}, {"port", "80"}, {"requestid", "0"}}));
  // The second block depends on the first's zlib state: one inflater per direction.
  auto [id1, block1] = syn_stream_fields(frames[1].payload);
  BOOST_TEST(id1 == 3u);
  BOOST_TEST((server.decode(block1) ==
              header_list{{"streamtype", "data"}, {"port", "80"}, {"requestid", "0"}}));
  BOOST_TEST(!frames[2].control);
  BOOST_TEST(frames[2].stream_id == 3u);
  BOOST_TEST(frames[2].payload == "GET / HTTP/1.0\r\n\r\n");
  BOOST_TEST(frames[2].flags == 0);
  BOOST_TEST(frames[3].stream_id == 1u);
  BOOST_TEST(frames[3].payload.empty());
  BOOST_TEST(frames[3].flags == flag_fin);
}

BOOST_AUTO_TEST_CASE(header_blocks_use_spdy3s_dictionary) {
  // A block deflated with the dictionary cannot be inflated without it: the inflater must have
  // set it (Z_NEED_DICT) for the names to come out.
  header_deflater deflater;
  std::string block = deflater.encode({{"streamtype", "data"}});
  z_stream z{};
  BOOST_REQUIRE(inflateInit(&z) == Z_OK);
  char out[256];
  z.next_in = reinterpret_cast<Bytef*>(block.data());
  z.avail_in = static_cast<uInt>(block.size());
  z.next_out = reinterpret_cast<Bytef*>(out);
  z.avail_out = sizeof out;
  BOOST_TEST(inflate(&z, Z_SYNC_FLUSH) == Z_NEED_DICT);
  inflateEnd(&z);
  header_inflater inflater;
  BOOST_TEST((inflater.decode(block) == header_list{{"streamtype", "data"}}));
}

BOOST_AUTO_TEST_CASE(the_servers_frames_have_spdy3s_layout) {
  std::string reply = syn_reply_frame(5, "", false);
  BOOST_REQUIRE(reply.size() == 12u);
  BOOST_TEST(be32(reply, 0) == 0x80030002u);  // control, version 3, SYN_REPLY
  BOOST_TEST(be32(reply, 4) == 4u);           // no flags, 4 bytes
  BOOST_TEST(be32(reply, 8) == 5u);
  std::string data = data_frame(7, "abc", true);
  BOOST_TEST(be32(data, 0) == 7u);
  BOOST_TEST(be32(data, 4) == 0x01000003u);  // FIN, 3 bytes
  BOOST_TEST(data.substr(8) == "abc");
  std::string rst = rst_stream_frame(9, refused_stream);
  BOOST_TEST(be32(rst, 0) == 0x80030003u);
  BOOST_TEST(be32(rst, 8) == 9u);
  BOOST_TEST(be32(rst, 12) == 3u);
  std::string ping = ping_frame(std::string("\0\0\0\x01", 4));
  BOOST_TEST(be32(ping, 0) == 0x80030006u);
  BOOST_TEST(be32(ping, 8) == 1u);
  std::string goaway = goaway_frame(11, 1);
  BOOST_TEST(be32(goaway, 0) == 0x80030007u);
  BOOST_TEST(be32(goaway, 8) == 11u);
}

BOOST_AUTO_TEST_CASE(bad_input_is_a_protocol_error_not_a_crash) {
  // A frame longer than the bound: refused from its header, before its bytes arrive.
  std::string huge = data_frame(1, "");
  huge[5] = char(0x7f);  // length 0x7f0000
  frame_reader reader;
  reader.feed(huge);
  BOOST_CHECK_THROW(reader.next(), protocol_error);
  // SPDY/2.
  std::string v2 = syn_reply_frame(1, "");
  v2[1] = 2;
  frame_reader reader2;
  reader2.feed(v2);
  BOOST_CHECK_THROW(reader2.next(), protocol_error);
  // Junk as a header block, and a block whose lengths overrun it.
  header_inflater inflater;
  BOOST_CHECK_THROW(inflater.decode("not zlib at all"), protocol_error);
  header_deflater deflater;
  std::string block = deflater.encode({{"a", "b"}});
  header_inflater fresh;
  BOOST_TEST(fresh.decode(block).size() == 1u);
  BOOST_CHECK_THROW(syn_stream_fields("short"), protocol_error);
  BOOST_CHECK_THROW(leading_stream_id("ab"), protocol_error);
}

// A block that inflates to more than one output buffer (4 KiB) and ends exactly on a buffer's
// end comes out whole: zlib's pending output is taken after the input is used up.
BOOST_AUTO_TEST_CASE(large_header_blocks_inflate_whole) {
  header_deflater deflater;
  header_inflater inflater;
  for (std::size_t size : {4096u - 21u, 4096u - 20u, 4096u, 10000u, 30000u}) {
    header_list h{{"x", std::string(size, 'v')}, {"y", "end"}};
    BOOST_TEST((inflater.decode(deflater.encode(h)) == h), "value of " << size << " bytes");
  }
}
