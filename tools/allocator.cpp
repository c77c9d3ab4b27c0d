// jemalloc's settings for capstan's programs, read by jemalloc when it starts (before main):
// linked into a program with the allocator (cmake/dependencies.cmake, capstan_allocator).
// MALLOC_CONF in the environment still overrides them.
//
// - dirty_decay_ms:1000: memory freed and left unused for a second goes back to the system
//   (jemalloc's default keeps it 10 s). A past moment of the console or a burst of pods leaves a
//   few hundred MiB behind it: the master's RSS follows what it holds, not what it held.
// - muzzy_decay_ms:0: pages given back are unmapped at once, never kept "muzzy" first. It is
//   jemalloc's default since 5.2 (Debian 12 has 5.3), stated for older ones.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's contract.
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
}
