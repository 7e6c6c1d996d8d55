#include "gateway/systemd/journal.hpp"

#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace gw::systemd {

std::optional<CallLine> call_line(std::string_view line) {
  if (line.rfind("call ", 0) != 0) return std::nullopt;
  const auto open = line.find(" [", 5);
  const auto close = line.find("]: ", open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  const auto leg = line.substr(5, open - 5);
  if (leg.empty() || leg.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return CallLine{std::string(leg), std::string(line.substr(open + 2, close - open - 2))};
}

Journal::Journal() {
  // Read once, from main() before any other thread starts.
  const char* stream = std::getenv("JOURNAL_STREAM");  // NOLINT(concurrency-mt-unsafe)
  struct stat err {};
  if (stream == nullptr || ::fstat(STDERR_FILENO, &err) != 0) return;
  const std::string ours = std::to_string(static_cast<unsigned long>(err.st_dev)) + ":" +
                           std::to_string(static_cast<unsigned long>(err.st_ino));
  connected_ = ours == stream;
}

void Journal::send(std::string_view line) const {
  const bool trouble = line.find("fail") != std::string_view::npos ||
                       line.find("cannot") != std::string_view::npos ||
                       line.find("error") != std::string_view::npos;
  const int priority = trouble ? LOG_WARNING : LOG_INFO;
  const std::string message(line);
  if (const auto call = call_line(line)) {
    (void)sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%i", priority, "SIPGW_CALL=%s",
                          call->leg.c_str(), "SIPGW_CALL_ID=%s", call->call_id.c_str(), nullptr);
    return;
  }
  (void)sd_journal_send("MESSAGE=%s", message.c_str(), "PRIORITY=%i", priority, nullptr);
}

}  // namespace gw::systemd
