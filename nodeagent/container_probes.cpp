#include "nodeagent/container_probes.hpp"

#include <algorithm>

namespace capstan::nodeagent {

namespace {

using clock_time = std::chrono::steady_clock::time_point;

std::optional<probe_schedule> schedule(const messages::boxed<messages::probe>& spec,
                                       clock_time started_at, bool passed_at_first) {
  if (!spec)
    return std::nullopt;
  probe_schedule s;
  s.spec = *spec;
  s.next = started_at + std::chrono::seconds(spec->initial_delay_seconds);
  s.passed = passed_at_first;
  return s;
}

std::optional<probe_schedule>& slot(container_probes& p, probe_kind kind) {
  switch (kind) {
    case probe_kind::startup:
      return p.startup;
    case probe_kind::liveness:
      return p.liveness;
    case probe_kind::readiness:
      break;
  }
  return p.readiness;
}

}  // namespace

const char* probe_name(probe_kind kind) {
  switch (kind) {
    case probe_kind::startup:
      return "Startup";
    case probe_kind::liveness:
      return "Liveness";
    case probe_kind::readiness:
      break;
  }
  return "Readiness";
}

container_probes probes_for(const messages::container& spec, clock_time started_at) {
  container_probes p;
  p.startup = schedule(spec.startup_probe, started_at, false);
  p.liveness = schedule(spec.liveness_probe, started_at, true);
  p.readiness = schedule(spec.readiness_probe, started_at, false);
  return p;
}

std::vector<probe_kind> take_due(container_probes& probes, clock_time now) {
  std::vector<probe_kind> out;
  auto take = [&](probe_kind kind) {
    auto& s = slot(probes, kind);
    if (!s || s->in_flight || now < s->next)
      return;
    s->in_flight = true;
    s->next = now + std::chrono::seconds(std::max(1, s->spec.period_seconds));
    out.push_back(kind);
  };
  if (!probes.started()) {
    take(probe_kind::startup);
    return out;
  }
  take(probe_kind::liveness);
  take(probe_kind::readiness);
  return out;
}

probe_verdict record(container_probes& probes, probe_kind kind, bool success) {
  auto& s = slot(probes, kind);
  if (!s)
    return probe_verdict::none;
  s->in_flight = false;
  if (success) {
    ++s->successes;
    s->failures = 0;
  } else {
    ++s->failures;
    s->successes = 0;
  }
  const int needed_successes = std::max(1, s->spec.success_threshold);
  const int allowed_failures = std::max(1, s->spec.failure_threshold);
  switch (kind) {
    case probe_kind::startup:
      if (s->passed)
        return probe_verdict::none;
      if (success) {
        s->passed = true;
        return probe_verdict::started;
      }
      return s->failures >= allowed_failures ? probe_verdict::kill : probe_verdict::none;
    case probe_kind::liveness:
      if (!success && s->failures >= allowed_failures) {
        s->passed = false;
        return probe_verdict::kill;
      }
      return probe_verdict::none;
    case probe_kind::readiness:
      if (!s->passed && s->successes >= needed_successes) {
        s->passed = true;
        return probe_verdict::ready;
      }
      if (s->passed && s->failures >= allowed_failures) {
        s->passed = false;
        return probe_verdict::unready;
      }
      return probe_verdict::none;
  }
  return probe_verdict::none;
}

}  // namespace capstan::nodeagent
