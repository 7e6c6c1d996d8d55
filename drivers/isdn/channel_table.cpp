#include "drivers/isdn/channel_table.hpp"

#include <algorithm>

namespace gw::isdn {

std::string_view to_string(ChannelState state) noexcept {
  switch (state) {
    case ChannelState::idle:
      return "idle";
    case ChannelState::in_use:
      return "in-use";
    case ChannelState::restarting:
      return "restarting";
    case ChannelState::out_of_service:
      return "out-of-service";
  }
  return "unknown";
}

ChannelTable::ChannelTable(tdm::Layout layout, Hunting hunting)
    : layout_(layout),
      hunting_(hunting),
      bearers_(layout.bearers()),
      slots_(static_cast<std::size_t>(layout.timeslots()) + 1) {}

ChannelTable::Slot* ChannelTable::slot(int timeslot) {
  if (!layout_.is_bearer(timeslot)) return nullptr;
  return &slots_[static_cast<std::size_t>(timeslot)];
}

const ChannelTable::Slot* ChannelTable::slot(int timeslot) const {
  if (!layout_.is_bearer(timeslot)) return nullptr;
  return &slots_[static_cast<std::size_t>(timeslot)];
}

std::optional<int> ChannelTable::hunt(CallId call, std::optional<Hunting> hunting) {
  const Hunting order = hunting.value_or(hunting_);
  if (order == Hunting::least_recent) return hunt_least_recent(call);
  const std::size_t n = bearers_.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t index = i;
    if (order == Hunting::descending) index = n - 1 - i;
    if (order == Hunting::round_robin) index = (next_round_robin_ + i) % n;
    const int timeslot = bearers_[index];
    if (claim(timeslot, call)) {
      next_round_robin_ = (index + 1) % n;
      return timeslot;
    }
  }
  return std::nullopt;
}

std::optional<int> ChannelTable::hunt_least_recent(CallId call) {
  std::optional<int> oldest;
  std::uint64_t oldest_release = 0;
  for (const int timeslot : bearers_) {
    const Slot& s = slots_[static_cast<std::size_t>(timeslot)];
    if (s.state != ChannelState::idle) continue;
    if (!oldest || s.released < oldest_release) {
      oldest = timeslot;
      oldest_release = s.released;
    }
  }
  if (oldest) claim(*oldest, call);
  return oldest;
}

bool ChannelTable::claim(int timeslot, CallId call) {
  Slot* s = slot(timeslot);
  if (s == nullptr || s->state != ChannelState::idle) return false;
  s->state = ChannelState::in_use;
  s->owner = call;
  return true;
}

std::optional<CallId> ChannelTable::take_over(int timeslot, CallId call) {
  Slot* s = slot(timeslot);
  if (s == nullptr || s->state != ChannelState::in_use) return std::nullopt;
  const CallId loser = s->owner;
  s->owner = call;
  return loser;
}

void ChannelTable::release(int timeslot, CallId call) {
  Slot* s = slot(timeslot);
  if (s == nullptr || s->state != ChannelState::in_use || s->owner != call) return;
  s->state = s->operator_out_of_service ? ChannelState::out_of_service : ChannelState::idle;
  s->owner = 0;
  s->released = ++release_count_;
}

void ChannelTable::begin_restart(int timeslot) {
  Slot* s = slot(timeslot);
  if (s == nullptr || s->state == ChannelState::out_of_service) return;
  s->state = ChannelState::restarting;
  s->owner = 0;
}

void ChannelTable::end_restart(int timeslot) {
  Slot* s = slot(timeslot);
  if (s == nullptr || s->state != ChannelState::restarting) return;
  s->state = s->operator_out_of_service ? ChannelState::out_of_service : ChannelState::idle;
}

void ChannelTable::set_out_of_service(int timeslot, bool out) {
  Slot* s = slot(timeslot);
  if (s == nullptr) return;
  s->operator_out_of_service = out;
  // A call on the channel keeps it until it ends; release() then applies the mark.
  if (s->state == ChannelState::in_use) return;
  s->state = out ? ChannelState::out_of_service : ChannelState::idle;
}

void ChannelTable::reset_all() {
  for (const int timeslot : bearers_) {
    Slot& s = slots_[static_cast<std::size_t>(timeslot)];
    s.state = s.operator_out_of_service ? ChannelState::out_of_service : ChannelState::idle;
    s.owner = 0;
  }
}

ChannelState ChannelTable::state(int timeslot) const {
  const Slot* s = slot(timeslot);
  return s == nullptr ? ChannelState::out_of_service : s->state;
}

std::optional<CallId> ChannelTable::owner(int timeslot) const {
  const Slot* s = slot(timeslot);
  if (s == nullptr || s->state != ChannelState::in_use) return std::nullopt;
  return s->owner;
}

std::size_t ChannelTable::count(ChannelState state) const noexcept {
  return static_cast<std::size_t>(std::count_if(bearers_.begin(), bearers_.end(), [&](int ts) {
    return slots_[static_cast<std::size_t>(ts)].state == state;
  }));
}

}  // namespace gw::isdn
