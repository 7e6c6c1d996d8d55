// Dialplan benchmark (issue 4): a plan of 100,000 routes; how long
// validation, building the Router, saving and loading the SQLite store and
// the whole reload take, the route lookup's p50/p99/max, and the memory the
// Router holds. Run by hand; results go to RESULTS.md with machine and date.
//   build/tests/bench/bench_dialplan [ROUTES]

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "dialplan/plan_store.hpp"
#include "dialplan/router.hpp"
#include "dialplan/validate.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using gw::dialplan::Plan;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long resident_kb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * ::sysconf(_SC_PAGESIZE) / 1024;
}

// 100 private plans (p1000..p1099) with equal shares of the routes on
// 3-7 digit prefixes, a tenth of them with a fixed length or a caller
// prefix, and a few with regular expressions and for global numbers.
Plan make_plan(std::size_t routes) {
  Plan plan;
  for (int t = 0; t < 8; ++t) {
    gw::dialplan::Trunk trunk;
    trunk.name = "t" + std::to_string(t);
    trunk.spans = {"span" + std::to_string(t + 1)};
    plan.trunks.push_back(trunk);
  }
  plan.trunk_groups = {{"A", {"t0", "t1", "t2", "t3"}, gw::isdn::Hunting::ascending, 0},
                       {"B", {"t4", "t5", "t6", "t7"}, gw::isdn::Hunting::descending, 0}};
  std::mt19937 random(42);
  for (std::size_t i = 0; i < routes; ++i) {
    gw::dialplan::Route route;
    route.name = "r" + std::to_string(i);
    route.match.phone_context = "p" + std::to_string(1000 + i % 100);
    const std::size_t n = i / 100;  // unique within its context
    route.match.number_prefix = std::to_string(100 + n);
    if (n % 10 == 1) route.match.number_length = 7;
    if (n % 10 == 2) route.match.caller_prefix = "555";
    route.trunk_groups = {"A", "B"};
    route.called.strip = static_cast<int>(random() % 2);
    plan.routes.push_back(route);
  }
  for (int i = 0; i < 10; ++i) {
    gw::dialplan::Route route;
    route.name = "regex" + std::to_string(i);
    route.match.phone_context = "p1000";
    route.match.number_regex = "9" + std::to_string(i) + "[0-9]{5}";
    route.match.priority = i;
    route.trunk_groups = {"A"};
    plan.routes.push_back(route);
  }
  gw::dialplan::Route global;
  global.name = "global";
  global.match.phone_context = "+";
  global.trunk_groups = {"A", "B"};
  plan.routes.push_back(global);
  return plan;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::stoul(argv[1]) : 100'000;
  const long empty_kb = resident_kb();
  Plan plan = make_plan(count);
  const long plan_kb = resident_kb() - empty_kb;
  std::printf("plan: %zu routes, %zu trunks, %zu trunk groups\n", plan.routes.size(),
              plan.trunks.size(), plan.trunk_groups.size());

  auto start = Clock::now();
  const auto problems = gw::dialplan::validate(plan);
  std::printf("validate:        %.3f s, %zu problems\n", seconds_since(start), problems.size());
  if (!problems.empty()) std::printf("  first: %s\n", problems.front().to_string().c_str());

  const long before_kb = resident_kb();
  start = Clock::now();
  const gw::dialplan::Router router(plan);
  std::printf(
      "router build:    %.3f s; resident: the plan %ld KB, the router (its own copy of the plan "
      "and the index) %ld KB\n",
      seconds_since(start), plan_kb, resident_kb() - before_kb);

  const auto dir =
      std::filesystem::temp_directory_path() / ("bench-dialplan-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    gw::dialplan::PlanStore store((dir / "sipgw.db").string());
    start = Clock::now();
    store.save(plan);
    std::printf("store save:      %.3f s\n", seconds_since(start));
    start = Clock::now();
    Plan loaded = store.load();
    std::printf("store load:      %.3f s (%s)\n", seconds_since(start),
                loaded == plan ? "same plan" : "DIFFERENT PLAN");
    // What a reload does: load, validate, build the Router.
    start = Clock::now();
    Plan reloaded = store.load();
    (void)gw::dialplan::validate(reloaded);
    const gw::dialplan::Router rebuilt(std::move(reloaded));
    std::printf("reload (load + validate + build): %.3f s\n", seconds_since(start));
  }
  std::filesystem::remove_all(dir);

  // Lookups: numbers in random plans, most hitting a route, some not.
  std::mt19937 random(7);
  constexpr int lookups = 1'000'000;
  std::vector<gw::dialplan::CallFacts> calls(1000);
  for (auto& facts : calls) {
    const auto context = "p" + std::to_string(1000 + random() % 110);
    const auto number =
        std::to_string(100 + random() % 1100) + std::to_string(1000 + random() % 9000);
    std::string user = number;
    user += ";phone-context=";
    user += context;
    facts.target = *gw::dialplan::parse_dial_target(user);
    facts.caller = random() % 2 ? "5551234" : "6661234";
    facts.source = "sip:127.0.0.1";
  }
  const auto measure = [&](const char* what, auto&& lookup) {
    std::vector<double> nanos;
    nanos.reserve(lookups);
    std::size_t found = 0;
    for (int i = 0; i < lookups; ++i) {
      const auto& facts = calls[static_cast<std::size_t>(i) % calls.size()];
      const auto t0 = Clock::now();
      found += lookup(facts) ? 1 : 0;
      nanos.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
    }
    std::sort(nanos.begin(), nanos.end());
    const auto at = [&](double q) {
      return nanos[static_cast<std::size_t>(q * static_cast<double>(nanos.size() - 1))];
    };
    std::printf("%s: %d calls, %zu routed, p50 %.2f us, p99 %.2f us, max %.1f us\n", what, lookups,
                found, at(0.50) / 1000, at(0.99) / 1000, nanos.back() / 1000);
  };
  measure("lookup (find_route)",
          [&](const auto& facts) { return router.find_route(facts) != nullptr; });
  measure("decision (decide: screening, lookup, numbers for 8 trunks)", [&](const auto& facts) {
    return router.decide(facts).outcome == gw::dialplan::Decision::Outcome::routed;
  });
  return 0;
}
