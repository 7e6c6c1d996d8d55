#pragma once
// Finds where a DAHDI span's channels are: the kernel's sysfs (DAHDI 2.6 and
// later), else DAHDI_SPANSTAT on the control device, else system.conf.

#include <optional>
#include <string>

#include "drivers/dahdi/system_conf.hpp"

namespace gw::dahdi {

// Every file the backend touches, so tests and odd installations can move them.
struct BackendPaths {
  std::string device = "/dev/dahdi/channel";
  std::string sysfs = "/sys/bus/dahdi_spans/devices";
  std::string system_conf = "/etc/dahdi/system.conf";
  std::string control = "/dev/dahdi/ctl";
};

// /sys/bus/dahdi_spans/devices/span-N/{basechan,channels,spantype}.
[[nodiscard]] std::optional<SpanLocation> locate_in_sysfs(int span, const std::string& root);

// DAHDI_SPANSTAT for the channel count and type, DAHDI_GET_PARAMS over the
// channel numbers for the span's first channel.
[[nodiscard]] std::optional<SpanLocation> locate_by_spanstat(int span, const std::string& control);

// The first of sysfs, DAHDI_SPANSTAT and system.conf that knows the span.
// Throws std::system_error naming every place looked at when none does, and
// std::invalid_argument when system.conf does not parse.
[[nodiscard]] SpanLocation locate_span(int span, const BackendPaths& paths);

}  // namespace gw::dahdi
