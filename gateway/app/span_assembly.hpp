#pragma once
// The spans of the plan's trunks and what is on their far end: a DAHDI span
// of the card, or a loopback pair whose other end the in-process simulated
// PSTN runs on a thread of its own, as a separate switch would. Each span
// gets the gateway's ISDN stack (a PriSpan on the control thread) as its
// trunk says. The control thread never waits for the switch's thread: work
// for the switch is posted there and its answers come back as events.

#include <boost/asio/io_context.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dialplan/plan.hpp"
#include "drivers/isdn/pri_span.hpp"
#include "drivers/loopback/loopback_span.hpp"
#include "drivers/pstnsim/pstn_switch.hpp"

namespace gw::app {

using Log = std::function<void(std::string_view)>;

struct SpanSettings {
  bool debug_isdn = false;
  std::string pstn_rules;  // a rules file for the simulated PSTN; empty: its defaults
  Log isdn_log;            // the ISDN stacks' lines; empty: silent
  Log pstn_log;            // the simulated PSTN's lines; empty: silent
  // Every D-channel frame of the gateway's spans, for call traces.
  std::function<void(const std::string& span, const isdn::DChannelFrame& frame)> frame_tap;
};

// Where a span's ISDN events go, and where the span is announced once made
// (the call bridge in the daemon).
class SpanUser {
 public:
  virtual ~SpanUser() = default;
  virtual isdn::Listener& listener_for(const std::string& span) = 0;
  virtual void add_span(const std::string& span, isdn::PriSpan& pri) = 0;
};

class SpanAssembly {
 public:
  // Starts the simulated PSTN's thread. Throws std::runtime_error naming
  // --pstn-rules when its file cannot be read.
  SpanAssembly(boost::asio::io_context& control, SpanSettings settings);
  SpanAssembly(const SpanAssembly&) = delete;
  SpanAssembly& operator=(const SpanAssembly&) = delete;
  ~SpanAssembly();

  // Makes the spans of `trunks` and starts their ISDN stacks. Throws
  // std::runtime_error naming the trunk's field when a span cannot be opened.
  void add_trunks(const std::vector<dialplan::Trunk>& trunks, SpanUser& user);

  [[nodiscard]] const std::vector<std::unique_ptr<isdn::PriSpan>>& spans() const noexcept {
    return spans_;
  }
  // The span a trunk names ("span1"), or nullptr.
  [[nodiscard]] isdn::PriSpan* find(const std::string& name) const;
  [[nodiscard]] bool ready() const;
  // "span1/a link down alarms RED", a line per span.
  [[nodiscard]] std::string describe_links() const;
  [[nodiscard]] std::size_t loopback_count() const noexcept { return pairs_.size(); }
  [[nodiscard]] std::size_t dahdi_count() const noexcept { return hardware_spans_.size(); }

  // The simulated PSTN's calls in progress, given to `answer` on the control thread.
  void count_pstn_calls(std::function<void(std::size_t)> answer);
  // A command of the simulated PSTN ("call CALLING CALLED SPAN ...", "hangup
  // ID", "status"), SPAN named as the trunk names it; the answer and the
  // events of a placed call come to `output` on the control thread.
  void pstn_command(const std::string& command, std::function<void(const std::string&)> output);
  // The switch's last SETUPs, newest last ("setup span1/b called ...").
  [[nodiscard]] const std::deque<std::string>& pstn_setups() const noexcept { return pstn_setups_; }

 private:
  tdm::Span& open_span(const dialplan::Trunk& trunk, const std::string& name);
  void start_isdn(const dialplan::Trunk& trunk, const std::string& name, tdm::Span& span,
                  SpanUser& user);
  void on_switch_setup(std::size_t span, const isdn::IncomingCall& details);
  void to_control(std::function<void()> work);

  static constexpr std::size_t kMaxPstnSetups = 64;
  boost::asio::io_context& control_;
  SpanSettings settings_;
  std::deque<std::string> pstn_setups_;
  std::vector<loopback::SpanPair> pairs_;
  std::vector<std::unique_ptr<tdm::Span>> hardware_spans_;
  std::vector<std::unique_ptr<isdn::PriSpan>> spans_;
  // The switch and its thread. Only that thread touches the switch once
  // it runs; the spans it drives outlive it (declared above).
  boost::asio::io_context switch_io_;
  std::unique_ptr<pstnsim::PstnSwitch> pstn_;
  std::thread switch_thread_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "1-15,17-31" (validated) -> those timeslots; empty: every bearer of `layout`.
[[nodiscard]] std::vector<int> channels_of(const dialplan::Trunk& trunk, const tdm::Layout& layout);

}  // namespace gw::app
