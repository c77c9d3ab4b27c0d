#include "dns/dns_message.hpp"

#include <ldns/ldns.h>

#include <cstdlib>
#include <memory>

namespace capstan::dns {

namespace {

struct packet_free {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using packet_ptr = std::unique_ptr<ldns_pkt, packet_free>;

// The header of a reply to a query with `id`: QR, RD copied, RA (we recurse through the
// node's resolvers), the question.
packet_ptr reply_to(const dns_question& q, const ldns_rr* question) {
  packet_ptr p(ldns_pkt_new());
  if (!p)
    return p;
  ldns_pkt_set_id(p.get(), q.id);
  ldns_pkt_set_qr(p.get(), true);
  ldns_pkt_set_opcode(p.get(), LDNS_PACKET_QUERY);
  ldns_pkt_set_rd(p.get(), q.recursion_desired);
  ldns_pkt_set_ra(p.get(), true);
  if (question) {
    ldns_rr* copy = ldns_rr_clone(question);
    if (!copy || !ldns_pkt_push_rr(p.get(), LDNS_SECTION_QUESTION, copy)) {
      ldns_rr_free(copy);
      return nullptr;
    }
  }
  if (q.edns)
    ldns_pkt_set_edns_udp_size(p.get(), 1232);
  return p;
}

// The question as an RR, rebuilt from `q` (name, type, class).
ldns_rr* question_rr(const dns_question& q) {
  ldns_rdf* owner = ldns_dname_new_frm_str(q.name.c_str());
  if (!owner)
    return nullptr;
  ldns_rr* rr = ldns_rr_new();
  if (!rr) {
    ldns_rdf_deep_free(owner);
    return nullptr;
  }
  ldns_rr_set_question(rr, true);
  ldns_rr_set_owner(rr, owner);
  ldns_rr_set_type(rr, static_cast<ldns_rr_type>(q.type));
  ldns_rr_set_class(rr, static_cast<ldns_rr_class>(q.qclass));
  return rr;
}

bool push_rdf(ldns_rr* rr, ldns_rdf* field) {
  if (!field)
    return false;
  if (!ldns_rr_push_rdf(rr, field)) {
    ldns_rdf_deep_free(field);
    return false;
  }
  return true;
}

ldns_rdf* dname(const std::string& name) { return ldns_dname_new_frm_str((name + ".").c_str()); }

// `r` as an ldns RR (null when a field does not convert).
ldns_rr* to_rr(const record& r) {
  ldns_rr* rr = ldns_rr_new();
  if (!rr)
    return nullptr;
  ldns_rdf* owner = dname(r.name);
  if (!owner) {
    ldns_rr_free(rr);
    return nullptr;
  }
  ldns_rr_set_owner(rr, owner);
  ldns_rr_set_ttl(rr, r.ttl);
  ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
  ldns_rr_set_type(rr, static_cast<ldns_rr_type>(r.type));
  bool ok = true;
  switch (r.type) {
    case record_type::a:
      ok = push_rdf(rr, ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, r.address.c_str()));
      break;
    case record_type::ptr:
      ok = push_rdf(rr, dname(r.target));
      break;
    case record_type::srv:
      ok = push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, r.priority)) &&
           push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, r.weight)) &&
           push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, r.port)) &&
           push_rdf(rr, dname(r.target));
      break;
    case record_type::txt:
      ok = push_rdf(rr, ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, r.target.c_str()));
      break;
    case record_type::soa:
      // Serial, refresh, retry, expire, negative TTL (as CoreDNS' kubernetes plugin).
      ok = push_rdf(rr, dname(r.target)) && push_rdf(rr, dname("hostmaster." + r.name));
      for (uint32_t value : {1u, 7200u, 1800u, 86400u, r.ttl})
        ok = ok && push_rdf(rr, ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, value));
      break;
    default:
      ok = false;
  }
  if (!ok) {
    ldns_rr_free(rr);
    return nullptr;
  }
  return rr;
}

std::string to_wire(const ldns_pkt* p) {
  uint8_t* wire = nullptr;
  size_t size = 0;
  if (ldns_pkt2wire(&wire, p, &size) != LDNS_STATUS_OK || !wire)
    return "";
  std::string out(reinterpret_cast<const char*>(wire), size);
  std::free(wire);
  return out;
}

// A reply with the id of the raw query `data` and `rcode`, no question.
std::string header_reply(const uint8_t* data, uint8_t rcode) {
  dns_question q;
  q.id = static_cast<uint16_t>(data[0] << 8 | data[1]);
  q.recursion_desired = data[2] & 0x01;
  packet_ptr p = reply_to(q, nullptr);
  if (!p)
    return "";
  ldns_pkt_set_rcode(p.get(), rcode);
  return to_wire(p.get());
}

// A reply to `q` with `code` and the question alone (authoritative or not); null when ldns
// fails.
packet_ptr reply_with_code(const dns_question& q, response_code code, bool authoritative) {
  ldns_rr* question = question_rr(q);
  if (!question)
    return nullptr;
  packet_ptr p = reply_to(q, question);
  ldns_rr_free(question);
  if (!p)
    return nullptr;
  ldns_pkt_set_aa(p.get(), authoritative);
  ldns_pkt_set_rcode(p.get(), static_cast<uint8_t>(code));
  return p;
}

}  // namespace

query_reading read_query(const uint8_t* data, std::size_t size) {
  if (size < 12 || (data[2] & 0x80))  // no id, or a response
    return drop_message{};
  const uint8_t opcode = (data[2] >> 3) & 0x0f;
  if (opcode != LDNS_PACKET_QUERY)
    return header_reply(data, LDNS_RCODE_NOTIMPL);
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK || !raw)
    return header_reply(data, LDNS_RCODE_FORMERR);
  packet_ptr query(raw);
  const ldns_rr_list* questions = ldns_pkt_question(query.get());
  if (ldns_pkt_qdcount(query.get()) != 1 || !questions || ldns_rr_list_rr_count(questions) != 1)
    return header_reply(data, LDNS_RCODE_FORMERR);
  const ldns_rr* question = ldns_rr_list_rr(questions, 0);
  dns_question q;
  q.id = ldns_pkt_id(query.get());
  q.type = static_cast<uint16_t>(ldns_rr_get_type(question));
  q.qclass = static_cast<uint16_t>(ldns_rr_get_class(question));
  q.recursion_desired = ldns_pkt_rd(query.get());
  q.edns = ldns_pkt_edns(query.get());
  if (q.edns)
    q.udp_size = std::min<uint16_t>(4096, std::max<uint16_t>(512, ldns_pkt_edns_udp_size(query.get())));
  char* name = ldns_rdf2str(ldns_rr_owner(question));
  if (!name)
    return header_reply(data, LDNS_RCODE_SERVFAIL);
  q.name = name;
  std::free(name);
  if (q.qclass != LDNS_RR_CLASS_IN && q.qclass != LDNS_RR_CLASS_ANY) {
    packet_ptr p = reply_to(q, question);
    if (!p)
      return drop_message{};
    ldns_pkt_set_rcode(p.get(), LDNS_RCODE_REFUSED);
    return to_wire(p.get());
  }
  return q;
}

std::string write_answer(const dns_question& q, const zone_answer& answer, std::size_t max_size) {
  packet_ptr p = reply_with_code(q, answer.code, true);
  if (!p)
    return "";
  auto push = [&](const std::vector<record>& records, ldns_pkt_section section) {
    for (const auto& r : records)
      if (ldns_rr* rr = to_rr(r))
        if (!ldns_pkt_push_rr(p.get(), section, rr))
          ldns_rr_free(rr);
  };
  push(answer.answers, LDNS_SECTION_ANSWER);
  push(answer.authority, LDNS_SECTION_AUTHORITY);
  push(answer.additional, LDNS_SECTION_ADDITIONAL);
  std::string wire = to_wire(p.get());
  if (wire.size() <= max_size)
    return wire;
  // Too large for the transport: the question alone, truncated.
  packet_ptr truncated = reply_with_code(q, answer.code, true);
  if (!truncated)
    return "";
  ldns_pkt_set_tc(truncated.get(), true);
  return to_wire(truncated.get());
}

std::string write_failure(const dns_question& q, response_code code) {
  packet_ptr p = reply_with_code(q, code, false);
  return p ? to_wire(p.get()) : "";
}

bool set_message_id(std::string& message, uint16_t id) {
  if (message.size() < 12)
    return false;
  message[0] = static_cast<char>(id >> 8);
  message[1] = static_cast<char>(id & 0xff);
  return true;
}

}  // namespace capstan::dns
