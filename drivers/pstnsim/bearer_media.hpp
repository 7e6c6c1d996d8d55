#pragma once
// What the simulated switch (or a test call) does with a B-channel: echo it,
// play a tone, play a recorded pattern, and record what arrives. One block goes
// out for each block that comes in, so the line's 20 ms clock paces both ways;
// two blocks of idle code go first, so that a reply written a little late
// never leaves the line's transmit buffer empty (DAHDI would insert idle code
// in the middle of the audio).

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "drivers/dsp/dsp.hpp"
#include "drivers/tdm/span.hpp"

namespace gw::pstnsim {

class BearerMedia {
 public:
  BearerMedia(boost::asio::io_context& io, std::unique_ptr<tdm::Channel> channel, tdm::Law law);
  BearerMedia(const BearerMedia&) = delete;
  BearerMedia& operator=(const BearerMedia&) = delete;
  ~BearerMedia();

  void echo();
  void tone(const dsp::ToneSpec& spec);
  void silence();
  // Sends `bytes` once, then idle code; starts recording what arrives.
  void play_and_record(std::vector<std::byte> bytes);
  [[nodiscard]] const std::vector<std::byte>& recorded() const noexcept { return recorded_; }
  [[nodiscard]] bool playing() const noexcept { return play_at_ < play_.size(); }

 private:
  enum class Mode { silence, echo, tone, play };
  void watch();
  void on_readable();
  void respond(std::span<const std::byte> block);
  void prime(std::size_t block_size);

  std::unique_ptr<tdm::Channel> channel_;
  boost::asio::posix::stream_descriptor descriptor_;
  tdm::Law law_;
  Mode mode_ = Mode::silence;
  std::optional<dsp::ToneGenerator> tone_;
  std::vector<std::byte> play_;
  std::size_t play_at_ = 0;
  bool recording_ = false;
  std::vector<std::byte> recorded_;
  bool primed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace gw::pstnsim
