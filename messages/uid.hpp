// Object uids: random RFC 4122 version-4 UUIDs, as Kubernetes assigns them.
#pragma once

#include <string>

namespace capstan::messages {

// A fresh "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". Thread-safe.
std::string new_uid();

}  // namespace capstan::messages
