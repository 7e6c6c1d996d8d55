// sipgwctl: the operator's command line to a running sipgw, over the control
// socket in its data directory.

#include <iostream>
#include <string>
#include <vector>

#include "gateway/app/control_client.hpp"
#include "gateway/app/plan_commands.hpp"

namespace {

constexpr const char* usage =
    "usage: sipgwctl [--data-dir DIR] COMMAND\n"
    "  status                                 spans, channels and calls\n"
    "  channels [SPAN]                        each B-channel's state\n"
    "  route URI [from CALLER] [source ADDR]  what the dialplan would do with a call to URI\n"
    "                                         e.g. route "
    "'sip:7773660;phone-context=p1234@gw;user=phone'\n"
    "  route-pstn SPAN NUMBER [TON/NPI] [from CALLER]\n"
    "                                         what it would do with a SETUP on SPAN, e.g.\n"
    "                                         route-pstn span1 7773660 subscriber/private\n"
    "  calls [since=TIME] [until=TIME] [number=DIGITS] [trunk-group=NAME] [cause=N]\n"
    "        [limit=N] [csv]                  call records, newest first (TIME as\n"
    "                                         2026-12-03T10:00, UTC)\n"
    "  hangup CALL                            end a call (its number in status), cause 16\n"
    "  service SPAN CHANNEL in|out            take a B-channel out of service, or back\n"
    "  reload                                 apply the dialplan stored in the data directory\n"
    "  export [FILE]                          the dialplan as JSON (to standard output)\n"
    "  import FILE                            store a dialplan file and apply it\n"
    "  pstn-setups                            the SETUPs the simulated PSTN received (demo)\n"
    "  pstn call CALLING CALLED [SPAN [OPTS]]  the simulated PSTN calls in on SPAN (demo); OPTS:\n"
    "                                         called=TON/NPI calling=TON/NPI restricted\n"
    "                                         redirecting=NUMBER/REASON\n"
    "  --data-dir DIR   the gateway's data directory (default /var/lib/sipgw)\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string data_dir = "/var/lib/sipgw";
  std::string command;
  std::vector<std::string> words;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << usage;
      return 0;
    }
    if (args[i] == "--data-dir") {
      if (i + 1 == args.size()) {
        std::cerr << "sipgwctl: --data-dir: needs a directory\n";
        return 2;
      }
      data_dir = args[++i];
      continue;
    }
    command += (command.empty() ? "" : " ") + args[i];
    words.push_back(args[i]);
  }
  if (command.empty()) {
    std::cerr << usage;
    return 2;
  }
  // Export and import work on the store in the data directory (and ask the
  // gateway to reload), as `sipgw export` and `sipgw import` do.
  if (words.front() == "export" || words.front() == "import") {
    std::vector<std::string> plan_args{words.front(), "--data-dir", data_dir};
    plan_args.insert(plan_args.end(), words.begin() + 1, words.end());
    return gw::app::run_plan_command(plan_args);
  }
  std::string problem;
  const auto reply = gw::app::ask_gateway(data_dir + "/sipgw.ctl", command, problem);
  if (!reply) {
    std::cerr << "sipgwctl: " << problem << '\n';
    return 1;
  }
  std::cout << *reply;
  return reply->rfind("error", 0) == 0 ? 1 : 0;
}
