#include "gateway/app/plan_commands.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "dialplan/plan_json.hpp"
#include "dialplan/plan_store.hpp"
#include "dialplan/validate.hpp"
#include "gateway/app/control_client.hpp"

namespace gw::app {
namespace {

struct PlanCommand {
  std::string verb;
  std::string data_dir = "/var/lib/sipgw";
  std::string file;
};

// The command, or an error line naming the argument at fault.
std::string parse(const std::vector<std::string>& args, PlanCommand& command) {
  command.verb = args.at(0);
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--data-dir") {
      if (!has_value) return "--data-dir: needs a directory";
      command.data_dir = args[++i];
    } else if (arg.rfind("--", 0) == 0) {
      return arg + ": unknown option";
    } else if (command.file.empty()) {
      command.file = arg;
    } else {
      return "'" + arg + "': one file only";
    }
  }
  if (command.verb == "import" && command.file.empty()) return "import: which file?";
  return {};
}

int export_plan(const PlanCommand& command) {
  const dialplan::PlanStore store(command.data_dir + "/sipgw.db");
  const std::string text = dialplan::plan_to_json(store.load());
  if (command.file.empty() || command.file == "-") {
    std::cout << text;
    return 0;
  }
  std::ofstream out(command.file, std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "sipgw export: cannot write " << command.file << '\n';
    return 1;
  }
  return 0;
}

int import_plan(const PlanCommand& command) {
  std::ifstream in(command.file);
  if (!in) {
    std::cerr << "sipgw import: cannot read " << command.file << '\n';
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = dialplan::plan_from_json(text.str());
  if (const auto* error = std::get_if<dialplan::JsonError>(&parsed)) {
    std::cerr << "sipgw import: " << command.file << ": "
              << (error->field.empty() ? "" : error->field + ": ") << error->reason << '\n';
    return 1;
  }
  auto& plan = std::get<dialplan::Plan>(parsed);
  // Loopback spans are made as the plan names them when the gateway starts;
  // a running gateway checks them against its own when it reloads (below).
  const auto problems = dialplan::validate(plan);
  for (const auto& problem : problems) {
    std::cerr << "sipgw import: " << command.file << ": " << problem.to_string() << '\n';
  }
  if (!problems.empty()) return 1;

  dialplan::PlanStore store(command.data_dir + "/sipgw.db");
  const dialplan::Plan previous = store.load();
  const bool had_plan = !store.empty();
  store.save(plan);
  struct stat info {};
  const std::string socket = command.data_dir + "/sipgw.ctl";
  if (::stat(socket.c_str(), &info) != 0) {
    std::cout << "sipgw import: stored; the gateway applies it when it starts\n";
    return 0;
  }
  std::string problem;
  auto reply = ask_gateway(socket, "reload", problem);
  if (!reply) {
    std::cout << "sipgw import: stored; no gateway answered (" << problem << ")\n";
    return 0;
  }
  while (!reply->empty() && reply->back() == '\n') reply->pop_back();
  if (reply->rfind("ok", 0) == 0) {
    const auto restart = reply->find("restart needed");
    if (restart != std::string::npos) {
      std::cout << "sipgw import: stored and applied; restart the gateway to apply it to the "
                   "spans ("
                << reply->substr(restart) << ")\n";
    } else {
      std::cout << "sipgw import: stored and applied (" << *reply << ")\n";
    }
    return 0;
  }
  if (had_plan) store.save(previous);
  std::cerr << "sipgw import: the running gateway refused the plan, the previous one is kept: "
            << *reply;
  return 1;
}

}  // namespace

int run_plan_command(const std::vector<std::string>& args) {
  PlanCommand command;
  if (const auto error = parse(args, command); !error.empty()) {
    std::cerr << "sipgw " << command.verb << ": " << error << '\n';
    return 2;
  }
  try {
    return command.verb == "export" ? export_plan(command) : import_plan(command);
  } catch (const std::exception& error) {
    std::cerr << "sipgw " << command.verb << ": " << error.what() << '\n';
    return 1;
  }
}

}  // namespace gw::app
