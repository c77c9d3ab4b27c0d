// Type traits shared by the codecs that walk field lists. Implementation detail of messages/.
#pragma once

#include <optional>
#include <type_traits>
#include <vector>

namespace capstan::messages::detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

}  // namespace capstan::messages::detail
