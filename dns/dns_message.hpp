// DNS messages on the wire (RFC 1035, EDNS0 per RFC 6891), read and written with ldns: a query
// in, the zone's answer or a failure out. No sockets here (dns_server.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "dns/cluster_zone.hpp"

namespace capstan::dns {

// The one question of a standard query.
struct dns_question {
  uint16_t id = 0;
  std::string name;  // as asked, presentation form with the final dot ("web.default.svc.cluster.local.")
  uint16_t type = 0;
  uint16_t qclass = 1;
  bool recursion_desired = false;
  bool edns = false;          // the query carried an OPT record
  uint16_t udp_size = 512;    // the most a UDP answer may hold: 512, or the EDNS size (<= 4096)
};

// What to do with a datagram or TCP message: answer the question, send `reply` (FORMERR for a
// malformed query, NOTIMP for another opcode, REFUSED for a class other than IN), or drop it
// (too short to carry an id, or itself a response).
struct drop_message {};
using query_reading = std::variant<dns_question, std::string, drop_message>;
query_reading read_query(const uint8_t* data, std::size_t size);

// The answer to `q` from the zone (authoritative), at most `max_size` bytes: when the records
// do not fit, the answer carries the question alone with TC set (the client retries over TCP).
// Never throws; empty only when ldns cannot allocate.
std::string write_answer(const dns_question& q, const zone_answer& answer, std::size_t max_size);

// A reply to `q` with no records and response code `code` (SERVFAIL when no forwarder answered).
std::string write_failure(const dns_question& q, response_code code);

// The query id of an upstream's answer set to `id` (forwarding keeps the client's id); false
// when `message` is too short to be a DNS message.
bool set_message_id(std::string& message, uint16_t id);

}  // namespace capstan::dns
