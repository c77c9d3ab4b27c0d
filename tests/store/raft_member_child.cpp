// Child process of raft_failover_test: one master's journal behind a Raft log whose members talk
// over mutual TLS (store/raft_tls_transport). While it leads, two threads append and, after
// each acknowledgement, write "SEQ NAME" lines to stdout in one write(2). Once the file
// DIR/quiet exists it appends no more and reports "last SEQ" whenever its journal grows, so the
// test can wait for every member to have applied everything. Runs until killed.
//
// Usage: raft_member_child DIR ID ROUND CERTIFICATES MEMBERS
//   CERTIFICATES: a directory with ca.crt, member-ID.crt, member-ID.key
//   MEMBERS: the initial cluster, "1=127.0.0.1:PORT,2=...,3=..." (every member the same)
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/journal_writer.hpp"
#include "store/raft_log.hpp"
#include "tests/store/records.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    _exit(2);
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_all(const std::string& text) {
  if (write(1, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    _exit(4);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: raft_member_child DIR ID ROUND CERTIFICATES MEMBERS\n");
    return 2;
  }
  using namespace capstan;
  const std::string dir = argv[1];
  const uint64_t id = std::stoull(argv[2]);
  const std::string round = argv[3];
  const std::string certificates = argv[4];

  store::raft_log_config config;
  config.directory = dir + "/raft";
  config.member_id = id;
  config.heartbeat = std::chrono::milliseconds(50);
  config.election_timeout = std::chrono::milliseconds(500);
  std::stringstream members(argv[5]);
  for (std::string item; std::getline(members, item, ',');) {
    auto equals = item.find('=');
    store::replicated_member m{std::stoull(item.substr(0, equals)), item.substr(equals + 1), true};
    if (m.id == id)
      config.address = m.address;
    config.initial_members.push_back(m);
  }
  store::raft_tls_config tls;
  tls.ca_certificate_pem = read_file(certificates + "/ca.crt");
  tls.certificate_pem = read_file(certificates + "/member-" + std::to_string(id) + ".crt");
  tls.key_pem = read_file(certificates + "/member-" + std::to_string(id) + ".key");
  config.tls = tls;

  store::event_log_options unsynced;
  unsynced.sync = false;  // the Raft log is the write-ahead log, as on the master
  auto log = store::event_log::open(dir + "/journal", unsynced);
  store::journal_writer writer(*log, std::make_unique<store::raft_log>(config));

  const std::string quiet = dir + "/quiet";
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (long i = 0;; ++i) {
        if (std::filesystem::exists(quiet))
          return;
        if (!writer.wait_until_leading(std::chrono::milliseconds(100)))
          continue;
        std::vector<messages::journal_record> batch;
        std::vector<std::string> names;
        std::size_t size = 1 + (i % 3);
        for (std::size_t k = 0; k < size; ++k) {
          names.push_back("m" + std::to_string(id) + "-r" + round + "-w" + std::to_string(t) +
                          "-" + std::to_string(i) + "-" + std::to_string(k));
          batch.push_back(test::created(test::small_pod(names.back())));
        }
        auto result = writer.append(std::move(batch));
        if (!result.ok())
          continue;  // not the leader any more, or the outcome is unknown: not acknowledged
        std::string lines;
        for (std::size_t k = 0; k < size; ++k)
          lines += std::to_string(result.first_seq + k) + " " + names[k] + "\n";
        write_all(lines);
      }
    });
  for (auto& t : threads)
    t.join();
  uint64_t reported = 0;
  for (;;) {
    uint64_t last = log->last_seq();
    if (last != reported) {
      write_all("last " + std::to_string(last) + "\n");
      reported = last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}
