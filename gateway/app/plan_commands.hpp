#pragma once
// `sipgw export` and `sipgw import`: the dialplan in the data directory's
// store to and from a JSON file people can read, diff and back up.

#include <string>
#include <vector>

namespace gw::app {

// sipgw export [--data-dir DIR] [FILE]      (no FILE: standard output)
// sipgw import [--data-dir DIR] [--spans N] FILE
// Import refuses a plan with any problem, naming the field, and writes
// nothing; a running gateway is told to reload, and if it refuses the
// plan the previous one is put back. Returns the exit status.
int run_plan_command(const std::vector<std::string>& args);

}  // namespace gw::app
