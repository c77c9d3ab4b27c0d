// Object uids: random RFC 4122 version-4 UUIDs, as Kubernetes assigns them.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace capstan::messages {

// A fresh "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". Thread-safe.
std::string new_uid();

// The calling thread's generator behind uids and generated names (registry's random_suffix);
// seeded from std::random_device unless seed_thread_rng was called on this thread.
std::mt19937_64& thread_rng();
// Makes the calling thread's uids and generated names a function of `seed` (the seeded
// simulation, which runs every actor on one thread).
void seed_thread_rng(uint64_t seed);

}  // namespace capstan::messages
