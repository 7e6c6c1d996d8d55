#pragma once
// B-channel bookkeeping for one span. libpri checks nothing about channels
// (it will signal E1 timeslot 16), so the application owns which bearer is
// free, whose call holds it, and which ones are being restarted.

#include <cstddef>
#include <optional>
#include <vector>

#include "drivers/isdn/types.hpp"
#include "drivers/tdm/layout.hpp"

namespace gw::isdn {

enum class ChannelState : std::uint8_t {
  idle,
  in_use,          // held by a call (outgoing SETUP in flight or an established call)
  restarting,      // RESTART sent, waiting for RESTART ACKNOWLEDGE
  out_of_service,  // taken out by the operator, or the far end said so
};

[[nodiscard]] std::string_view to_string(ChannelState state) noexcept;

class ChannelTable {
 public:
  ChannelTable(tdm::Layout layout, Hunting hunting);

  // Hunts a free bearer for `call` (the table's hunting unless `hunting` says
  // otherwise) and marks it in use; nullopt when none is free.
  std::optional<int> hunt(CallId call, std::optional<Hunting> hunting = std::nullopt);
  // Marks `timeslot` in use by `call` if it is an idle bearer.
  bool claim(int timeslot, CallId call);
  // Hands an in-use bearer to another call (the network wins a glare).
  // Returns the call that lost it.
  std::optional<CallId> take_over(int timeslot, CallId call);
  // Frees the bearer only if `call` still holds it.
  void release(int timeslot, CallId call);
  void begin_restart(int timeslot);
  void end_restart(int timeslot);
  void set_out_of_service(int timeslot, bool out);
  // Everything back to idle (but operator's out-of-service marks stay).
  void reset_all();

  [[nodiscard]] ChannelState state(int timeslot) const;
  [[nodiscard]] std::optional<CallId> owner(int timeslot) const;
  [[nodiscard]] std::size_t count(ChannelState state) const noexcept;
  [[nodiscard]] const tdm::Layout& layout() const noexcept { return layout_; }
  [[nodiscard]] Hunting hunting() const noexcept { return hunting_; }

 private:
  struct Slot {
    ChannelState state = ChannelState::idle;
    CallId owner = 0;
    bool operator_out_of_service = false;
    std::uint64_t released = 0;  // release_count_ when it last went idle; 0: never used
  };
  std::optional<int> hunt_least_recent(CallId call);
  [[nodiscard]] Slot* slot(int timeslot);
  [[nodiscard]] const Slot* slot(int timeslot) const;

  tdm::Layout layout_;
  Hunting hunting_;
  std::vector<int> bearers_;  // hunting order for ascending
  std::vector<Slot> slots_;   // indexed by timeslot
  std::size_t next_round_robin_ = 0;
  std::uint64_t release_count_ = 0;
};

}  // namespace gw::isdn
