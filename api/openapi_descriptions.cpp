#include "api/detail/openapi_descriptions.hpp"

#include "api/detail/openapi_description_tables.hpp"

namespace capstan::api::detail {

namespace {

const description* find(std::string_view type, std::string_view field) {
  for (auto table : {meta_descriptions(), pod_descriptions(), cluster_descriptions(),
                     config_descriptions()})
    for (std::size_t i = 0; i < table.size; ++i)
      if (table.entries[i].type == type && table.entries[i].field == field)
        return &table.entries[i];
  return nullptr;
}

}  // namespace

const char* openapi_description(std::string_view type, std::string_view field) {
  if (const auto* d = find(type, field))
    return d->text;
  if (!field.empty())
    if (const auto* d = find("*", field))
      return d->text;
  return nullptr;
}

}  // namespace capstan::api::detail
