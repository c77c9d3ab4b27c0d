// Kubernetes' probes of one container as plain data on explicit times (the kubelet's prober
// workers): when each probe is due, and what its results mean. The runc runtime runs the probes
// (probe_runner.hpp) and acts on the verdicts; nothing here does I/O or reads a clock.
//
// As Kubernetes defines them, from the container's start:
//  - startup: every periodSeconds after initialDelaySeconds until it succeeds once; until then
//    the other probes do not run. failureThreshold failures in a row: the container is killed.
//  - liveness: healthy at first; failureThreshold failures in a row: killed (and restarted as
//    the restart policy says).
//  - readiness: not ready at first; successThreshold successes in a row make it ready,
//    failureThreshold failures in a row unready again.
// A probe that times out has failed. A probe is never run twice at once. A restarted container
// starts over (probes_for again).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "messages/objects.hpp"

namespace capstan::nodeagent {

enum class probe_kind { startup, liveness, readiness };
const char* probe_name(probe_kind kind);  // "Startup", "Liveness", "Readiness"

struct probe_schedule {
  messages::probe spec;  // defaulted (messages/defaults.cpp): period, timeout, thresholds
  std::chrono::steady_clock::time_point next{};
  bool in_flight = false;
  int successes = 0, failures = 0;  // in a row
  bool passed = false;              // started / healthy / ready
};

struct container_probes {
  std::optional<probe_schedule> startup, liveness, readiness;

  // The startup probe passed (or there is none).
  bool started() const { return !startup || startup->passed; }
  // Ready: started, and the readiness probe passed (or there is none).
  bool ready() const { return started() && (!readiness || readiness->passed); }
};

// The probes of a container of `spec` that started at `started_at`.
container_probes probes_for(const messages::container& spec,
                            std::chrono::steady_clock::time_point started_at);

// The probes due at `now`, each marked in flight (its next run scheduled a period later); the
// caller runs them and hands each result to `record`.
std::vector<probe_kind> take_due(container_probes& probes,
                                 std::chrono::steady_clock::time_point now);

// What a result changed.
enum class probe_verdict {
  none,     // nothing to do
  started,  // the startup probe passed: the other probes begin
  ready,    // readiness passed its threshold
  unready,  // readiness failed its threshold
  kill,     // liveness or startup failed its threshold: kill the container
};

// The result of a `kind` probe taken by take_due: counted, and its verdict.
probe_verdict record(container_probes& probes, probe_kind kind, bool success);

}  // namespace capstan::nodeagent
