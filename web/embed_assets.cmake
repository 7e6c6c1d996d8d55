# Writes OUT, a C++ file with the page's files (those in ASSET_DIR)
# compiled in, and find_asset() to look them up by URL path.
file(GLOB ASSETS "${ASSET_DIR}/*")
list(SORT ASSETS)
set(table "")
set(index 0)
foreach(asset IN LISTS ASSETS)
  get_filename_component(name "${asset}" NAME)
  get_filename_component(extension "${asset}" LAST_EXT)
  if(extension STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(extension STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(extension STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(extension STREQUAL ".svg")
    set(type "image/svg+xml")
  else()
    set(type "application/octet-stream")
  endif()
  file(READ "${asset}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  string(APPEND table "  {\"/${name}\", \"${type}\", std::string_view(\"${escaped}\", ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Made by web/embed_assets.cmake from web/assets/: do not edit.
#include <array>
#include <string_view>

#include \"web/web_app.hpp\"

namespace gw::web {
namespace {

struct Entry {
  std::string_view path;
  std::string_view type;
  std::string_view body;
};

const std::array<Entry, ${index}> kAssets{{
${table}}};

}  // namespace

std::optional<Asset> find_asset(std::string_view path) {
  for (const auto& entry : kAssets) {
    if (entry.path == path) return Asset{entry.type, entry.body};
  }
  return std::nullopt;
}

}  // namespace gw::web
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
