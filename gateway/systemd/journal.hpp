#pragma once
// Log lines to the systemd journal with fields of their own when stderr is
// the journal (systemd sets JOURNAL_STREAM to its device and inode), so
// `journalctl -u sipgw SIPGW_CALL_ID=...` finds every line of one call.
// A call's lines start "call LEG [CALL-ID]: "; they get SIPGW_CALL (the leg
// number the page and sipgwctl show) and SIPGW_CALL_ID (the SIP Call-ID
// of its record and ladder).

#include <optional>
#include <string>
#include <string_view>

namespace gw::systemd {

// The leg and Call-ID of a call's line; nullopt for other lines.
struct CallLine {
  std::string leg;
  std::string call_id;
};
[[nodiscard]] std::optional<CallLine> call_line(std::string_view line);

class Journal {
 public:
  // Whether stderr goes to the journal (checked once, here).
  Journal();
  [[nodiscard]] bool connected() const noexcept { return connected_; }
  // Sends one line at priority info (warning when it says it failed).
  void send(std::string_view line) const;

 private:
  bool connected_ = false;
};

}  // namespace gw::systemd
