#pragma once
// A state machine's allowed transitions as data (FreeTDM's isdn_state_map):
// one row per (state, event) that is allowed and the state it leads to. A
// pair that is not in the table is refused, and the caller does nothing
// for it. The ISDN call states and the bridge's call states are both such
// tables.

#include <array>
#include <cstddef>
#include <optional>

namespace gw {

template <typename State, typename Event>
struct Transition {
  State from;
  Event event;
  State to;
};

template <typename State, typename Event, std::size_t N>
class TransitionTable {
 public:
  using Row = Transition<State, Event>;

  constexpr explicit TransitionTable(const std::array<Row, N>& rows) : rows_(rows) {}

  // The state after `event` in `from`, or nullopt when the table forbids it.
  [[nodiscard]] constexpr std::optional<State> next(State from, Event event) const noexcept {
    for (const Row& row : rows_) {
      if (row.from == from && row.event == event) return row.to;
    }
    return std::nullopt;
  }

  // Whether every (state, event) pair has one row at most: two rows for one
  // pair would make the table say two things. Meant for a static_assert.
  [[nodiscard]] constexpr bool unambiguous() const noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      for (std::size_t j = i + 1; j < N; ++j) {
        if (rows_[i].from == rows_[j].from && rows_[i].event == rows_[j].event) return false;
      }
    }
    return true;
  }

 private:
  std::array<Row, N> rows_;
};

template <typename State, typename Event, std::size_t N>
TransitionTable(const std::array<Transition<State, Event>, N>&) -> TransitionTable<State, Event, N>;

}  // namespace gw
