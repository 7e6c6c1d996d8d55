#pragma once
// The "dahdi" backend for the span registry: address = DAHDI span number.

#include <string>

#include "drivers/tdm/registry.hpp"

namespace gw::dahdi {

struct BackendPaths {
  std::string device = "/dev/dahdi/channel";
  std::string sysfs = "/sys/bus/dahdi_spans/devices";
  std::string system_conf = "/etc/dahdi/system.conf";
};

void register_backend(tdm::BackendRegistry& registry, const BackendPaths& paths = {});

}  // namespace gw::dahdi
