// The masters themselves, as the leader changes them (actors/master/master.hpp:
// change_members): checked against the configuration this leader sees, so that refusals say
// what clashes, then carried out by the replicated log, whose own checks are final.
#include "actors/master/master.hpp"

#include <future>
#include <memory>
#include <optional>

#include "store/raft_tls_transport.hpp"

namespace capstan::actors {

namespace {

// What in the configuration `now` forbids `change`; nothing when it may go to the log.
std::optional<command_reply> refusal(const membership_command& change,
                                     const store::replicated_membership& now) {
  std::size_t voters = 0;
  const store::replicated_member* same_id = nullptr;
  const store::replicated_member* same_address = nullptr;
  for (const auto& m : now.members) {
    voters += m.voter ? 1 : 0;
    if (m.id == change.id)
      same_id = &m;
    if (m.address == change.address)
      same_address = &m;
  }
  const std::string id = std::to_string(change.id);
  if (change.op == membership_command::change::add) {
    if (!store::is_raft_address(change.address))
      return command_reply::failure(error_code::bad_request,
                                    "\"" + change.address.substr(0, 100) +
                                        "\" is no IP:PORT address");
    if (same_id && same_id->address != change.address)
      return command_reply::failure(error_code::already_exists,
                                    "master " + id + " is a member already, at " +
                                        same_id->address);
    if (same_address && same_address->id != change.id)
      return command_reply::failure(
          error_code::already_exists,
          "master " + std::to_string(same_address->id) + " is a member at " + change.address +
              " already: remove it first (capstanctl members remove " +
              std::to_string(same_address->id) + ")");
    return std::nullopt;
  }
  if (!same_id)
    return command_reply::failure(error_code::not_found,
                                  "no master of this cluster has id " + id);
  if (same_id->voter && voters <= 1)
    return command_reply::failure(error_code::conflict,
                                  "master " + id +
                                      " is the last voter: a cluster keeps at least one");
  // The voters left must still make a majority among those this leader reaches (etcd's
  // strict reconfiguration check): otherwise the change itself, and every write after it,
  // would wait for masters that are down.
  if (same_id->voter) {
    std::size_t left = 0, reached = 0;
    std::string missing;
    for (const auto& m : now.members) {
      if (!m.voter || m.id == change.id)
        continue;
      ++left;
      if (now.reachable.count(m.id) != 0)
        ++reached;
      else
        missing += (missing.empty() ? "" : ", ") + std::to_string(m.id);
    }
    if (2 * reached <= left)
      return command_reply::failure(
          error_code::conflict,
          "removing master " + id + " would leave " + std::to_string(left) + " voters of which " +
              std::to_string(reached) + " reach the leader: the cluster could commit nothing " +
              "until master " + missing + " is back. Bring it back first, or remove it " +
              "instead");
  }
  return std::nullopt;
}

}  // namespace

command_reply master::change_members_here(const membership_command& change,
                                          std::chrono::milliseconds timeout) {
  if (!replicated_ || !writer_->leading())
    return command_reply::failure(error_code::unavailable,
                                  "this master does not lead the cluster now: membership "
                                  "changes go to the leader (capstanctl members names it)");
  if (auto refused = refusal(change, writer_->membership()))
    return *refused;
  auto outcome = std::make_shared<std::promise<std::string>>();
  auto result = outcome->get_future();
  auto done = [outcome](const std::string& error) { outcome->set_value(error); };
  if (change.op == membership_command::change::add)
    replicated_->add_member(change.id, change.address, done);
  else
    replicated_->remove_member(change.id, done);
  if (result.wait_for(timeout) != std::future_status::ready)
    return command_reply::failure(
        error_code::internal,
        "the membership change got no answer in time: it may or may not take effect "
        "(capstanctl members tells)");
  const std::string error = result.get();
  if (error.empty())
    return command_reply{};
  // The log's own refusals, when the configuration changed since it was checked above.
  if (error.find("in progress") != std::string::npos ||
      error.find("last voter") != std::string::npos)
    return command_reply::failure(error_code::conflict, error);
  if (error.find("exists already") != std::string::npos ||
      error.find("has this address") != std::string::npos)
    return command_reply::failure(error_code::already_exists, error);
  if (error.find("no member has this id") != std::string::npos)
    return command_reply::failure(error_code::not_found, error);
  return command_reply::failure(error_code::unavailable,
                                "the membership change did not take effect: " + error);
}

}  // namespace capstan::actors
