// Type traits shared by the codecs that walk field lists. Implementation detail of messages/.
#pragma once

#include <map>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include "messages/boxed.hpp"
#include "messages/shared_list.hpp"

namespace capstan::messages::detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_optional<boxed<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_vector<shared_list<T>> : std::true_type {};
template <class T>
struct is_shared_list : std::false_type {};
template <class T>
struct is_shared_list<shared_list<T>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class K, class V, class C, class A>
struct is_map<std::map<K, V, C, A>> : std::true_type {};
template <class T>
struct is_variant : std::false_type {};
template <class... Ts>
struct is_variant<std::variant<Ts...>> : std::true_type {};

}  // namespace capstan::messages::detail
