// Equality and order of JSON values, structured-merge-diff's way.
#include "api/detail/smd_values.hpp"

namespace capstan::api::detail {

namespace m = messages;
using m::json;

namespace {

// SMD's value order: numbers < strings < booleans < lists < maps < null.
int type_rank(const json& v) {
  if (v.is_number())
    return 0;
  if (v.is_string())
    return 1;
  if (v.is_boolean())
    return 2;
  if (v.is_array())
    return 3;
  if (v.is_object())
    return 4;
  return 5;
}

}  // namespace

const json* member(const json& object, const std::string& name) {
  if (!object.is_object())
    return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

bool same_value(const json& a, const json& b, bool ignore_nulls) {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (ignore_nulls && it->is_null())
        continue;
      const json* other = member(b, it.key());
      if (!other || !same_value(*it, *other, ignore_nulls))
        return false;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!(ignore_nulls && it->is_null()) && !member(a, it.key()))
        return false;
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size())
      return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_value(a[i], b[i], ignore_nulls))
        return false;
    return true;
  }
  return a == b;
}

int compare_values(const json& a, const json& b) {
  int ra = type_rank(a), rb = type_rank(b);
  if (ra != rb)
    return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      if (a.is_number_integer() && b.is_number_integer() && !a.is_number_unsigned() &&
          !b.is_number_unsigned()) {
        auto x = a.get<int64_t>(), y = b.get<int64_t>();
        return x < y ? -1 : x > y ? 1 : 0;
      } else {
        auto x = a.get<double>(), y = b.get<double>();
        return x < y ? -1 : x > y ? 1 : 0;
      }
    case 1: {
      int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case 2:
      return a.get<bool>() == b.get<bool>() ? 0 : a.get<bool>() ? 1 : -1;
    case 3:
      for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        if (int c = compare_values(a[i], b[i]))
          return c;
      return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
    case 4: {
      std::string x = a.dump(), y = b.dump();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default:
      return 0;
  }
}
}  // namespace capstan::api::detail
