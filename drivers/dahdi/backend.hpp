#pragma once
// The "dahdi" backend for the span registry: address = DAHDI span number.

#include "drivers/dahdi/locate.hpp"
#include "drivers/tdm/registry.hpp"

namespace gw::dahdi {

void register_backend(tdm::BackendRegistry& registry, const BackendPaths& paths = {});

}  // namespace gw::dahdi
