# Locates capstan's dependencies, all from Debian's packages (scripts/setup installs them).
find_package(Threads REQUIRED)
find_package(CapnProto REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
# The command lines of tools/ and bench/ (libcli11-dev, header-only).
find_package(CLI11 2.1 CONFIG REQUIRED)
# protoc and libprotobuf-lite: the messages kubectl sends as protobuf (api/proto/).
find_package(Protobuf REQUIRED)

# CAF 0.17 ships no CMake config.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
find_library(CAF_OPENSSL_LIBRARY caf_openssl REQUIRED)
# ThreadSanitizer needs an instrumented CAF (scripts/build-caf-tsan, passed as CMAKE_PREFIX_PATH
# by scripts/build): with Debian's, every message hand-off would be reported as a race.
if(CAPSTAN_SANITIZE STREQUAL "thread" AND CAF_CORE_LIBRARY MATCHES "^/usr/")
  message(FATAL_ERROR "CAPSTAN_SANITIZE=thread needs the TSan build of CAF (scripts/build-caf-tsan), "
                      "not ${CAF_CORE_LIBRARY}: build through scripts/test --sanitize thread")
endif()
add_library(caf INTERFACE)
target_include_directories(caf SYSTEM INTERFACE ${CAF_INCLUDE_DIR})
target_link_libraries(caf INTERFACE ${CAF_CORE_LIBRARY} ${CAF_IO_LIBRARY} ${CAF_OPENSSL_LIBRARY}
                      Threads::Threads)

if(TARGET RocksDB::rocksdb-shared)
  set(CAPSTAN_ROCKSDB RocksDB::rocksdb-shared)
else()
  set(CAPSTAN_ROCKSDB RocksDB::rocksdb)
endif()

# C-Raft 0.22.1 or later (libraft-dev; scripts/setup takes it from bookworm-backports on Debian
# 12) and libuv (libuv1-dev: raft/uv.h includes uv.h), the replicated journal's consensus engine
# (store/raft_log.hpp, store/c_raft.hpp).
find_package(PkgConfig REQUIRED)
pkg_check_modules(RAFT REQUIRED IMPORTED_TARGET raft>=0.22.1)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
# LZ4 (liblz4-dev) compresses the entries written to the Raft log.
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
add_library(c_raft INTERFACE)
target_link_libraries(c_raft INTERFACE PkgConfig::RAFT PkgConfig::LIBUV PkgConfig::LZ4)

# jemalloc (libjemalloc-dev) is the programs' allocator (tools/allocator.cpp). glibc's malloc
# locks an arena for every free of a block another thread allocated, and the master's work is
# made of such hand-overs (a decoding thread's objects kept by the applying one, a commit's
# records freed by its subscribers): with jemalloc the in-process scheduling benchmark bound
# 1,000,000 pods 40-70 % faster, with 5 % more memory, and the console's past moments came
# a fifth sooner (docs/BENCHMARKS.md, "jemalloc"). Sanitizer and fuzz builds keep the
# sanitizer's allocator; CAPSTAN_ALLOCATOR=system builds without it.
set(CAPSTAN_ALLOCATOR "jemalloc" CACHE STRING "The programs' allocator: jemalloc or system")
add_library(capstan_allocator INTERFACE)
if(CAPSTAN_ALLOCATOR STREQUAL "jemalloc" AND CAPSTAN_SANITIZE STREQUAL "" AND NOT CAPSTAN_FUZZ)
  pkg_check_modules(JEMALLOC IMPORTED_TARGET jemalloc)
  if(NOT JEMALLOC_FOUND)
    message(FATAL_ERROR "jemalloc not found: install libjemalloc-dev (scripts/setup does), or "
                        "configure with -DCAPSTAN_ALLOCATOR=system")
  endif()
  target_sources(capstan_allocator INTERFACE ${PROJECT_SOURCE_DIR}/tools/allocator.cpp)
  target_link_libraries(capstan_allocator INTERFACE PkgConfig::JEMALLOC)
elseif(NOT CAPSTAN_ALLOCATOR STREQUAL "jemalloc" AND NOT CAPSTAN_ALLOCATOR STREQUAL "system")
  message(FATAL_ERROR "CAPSTAN_ALLOCATOR is jemalloc or system, not '${CAPSTAN_ALLOCATOR}'")
endif()
