#pragma once
// The dialplan the demo starts with when its data directory has none: the
// loopback spans as trunks in two groups, and the forwarding of
// draft-sparks 2.5 (calls to numbers in private plan p1234 go out on group
// A, then B on busy or congestion, as private-plan subscriber numbers),
// global numbers likewise, and premium-rate +1900 numbers screened.

#include <string>
#include <vector>

#include "dialplan/plan.hpp"

namespace gw::app {

[[nodiscard]] dialplan::Plan demo_plan(const std::vector<std::string>& spans);

}  // namespace gw::app
