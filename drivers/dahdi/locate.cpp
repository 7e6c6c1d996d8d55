#include "drivers/dahdi/locate.hpp"

#include <dahdi/user.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "drivers/common/unique_fd.hpp"

namespace gw::dahdi {
namespace {

// DAHDI numbers channels from 1 upwards across all spans; a few cards of 4 E1
// each stay far below this.
constexpr int kHighestChannel = 4096;

std::optional<std::string> first_line(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text)) return std::nullopt;
  return text;
}

std::optional<int> number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  try {
    return std::stoi(*text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The DAHDI channel that is chanpos 1 of `span`, found by asking the control
// device about each channel number in turn.
std::optional<int> first_channel(int control, int span) {
  for (int channo = 1; channo <= kHighestChannel; ++channo) {
    dahdi_params params{};
    params.channo = channo;
    if (::ioctl(control, DAHDI_GET_PARAMS, &params) != 0) continue;  // a gap in the numbering
    if (params.spanno == span && params.chanpos == 1) return channo;
  }
  return std::nullopt;
}

}  // namespace

std::optional<SpanLocation> locate_in_sysfs(int span, const std::string& root) {
  const std::string dir = root + "/span-" + std::to_string(span);
  const auto basechan = number(first_line(dir + "/basechan"));
  const auto channels = number(first_line(dir + "/channels"));
  if (!basechan || !channels || *channels <= 0) return std::nullopt;
  // The D-channel is not in sysfs; it follows from the shape.
  return SpanLocation{span, *basechan, *channels, 0, first_line(dir + "/spantype").value_or("")};
}

std::optional<SpanLocation> locate_by_spanstat(int span, const std::string& control) {
  const UniqueFd fd(::open(control.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return std::nullopt;
  dahdi_spaninfo info{};
  info.spanno = span;
  if (::ioctl(fd.get(), DAHDI_SPANSTAT, &info) != 0 || info.totalchans <= 0) return std::nullopt;
  const auto basechan = first_channel(fd.get(), span);
  if (!basechan) return std::nullopt;
  // spantype is a short, NUL padded text field ("E1", "T1", "DYNAM").
  const std::string type(info.spantype, strnlen(info.spantype, sizeof(info.spantype)));
  return SpanLocation{span, *basechan, info.totalchans, 0, type};
}

SpanLocation locate_span(int span, const BackendPaths& paths) {
  if (auto found = locate_in_sysfs(span, paths.sysfs)) return *found;
  if (auto found = locate_by_spanstat(span, paths.control)) return *found;
  if (std::ifstream conf(paths.system_conf); conf) {
    std::ostringstream text;
    text << conf.rdbuf();
    for (const auto& location : parse_system_conf(text.str())) {
      if (location.span == span) return location;
    }
  }
  throw std::system_error(std::make_error_code(std::errc::no_such_device),
                          "DAHDI span " + std::to_string(span) + ": not in " + paths.sysfs +
                              "/span-" + std::to_string(span) + ", not known to " + paths.control +
                              ", not in " + paths.system_conf +
                              " (is the dahdi module loaded and dahdi_cfg run?)");
}

}  // namespace gw::dahdi
