#include "drivers/pstnsim/bearer_media.hpp"

#include <algorithm>
#include <array>

namespace gw::pstnsim {

BearerMedia::BearerMedia(boost::asio::io_context& io, std::unique_ptr<tdm::Channel> channel,
                         tdm::Law law)
    : channel_(std::move(channel)), descriptor_(io, channel_->fd()), law_(law) {
  watch();
}

BearerMedia::~BearerMedia() {
  *alive_ = false;
  (void)descriptor_.release();  // the channel owns the descriptor
}

void BearerMedia::echo() {
  mode_ = Mode::echo;
}

void BearerMedia::tone(const dsp::ToneSpec& spec) {
  tone_.emplace(law_, spec);
  mode_ = Mode::tone;
}

void BearerMedia::silence() {
  mode_ = Mode::silence;
}

void BearerMedia::play_and_record(std::vector<std::byte> bytes) {
  play_ = std::move(bytes);
  play_at_ = 0;
  recorded_.clear();
  recording_ = true;
  mode_ = Mode::play;
}

void BearerMedia::watch() {
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this, alive = alive_](const boost::system::error_code& error) {
                           if (!*alive || error) return;
                           on_readable();
                           if (*alive) watch();
                         });
}

void BearerMedia::on_readable() {
  std::array<std::byte, 1024> block{};
  for (int i = 0; i < 16; ++i) {
    const auto got = channel_->read(block);
    if (!got.ok() || got.bytes == 0) return;
    const auto data = std::span(block).first(got.bytes);
    if (recording_) recorded_.insert(recorded_.end(), data.begin(), data.end());
    respond(data);
  }
}

void BearerMedia::prime(std::size_t block_size) {
  primed_ = true;
  std::vector<std::byte> idle(block_size, tdm::idle_code(law_));
  for (int i = 0; i < 2; ++i) (void)channel_->write(idle);
}

void BearerMedia::respond(std::span<const std::byte> block) {
  if (mode_ == Mode::silence) return;  // the line sends idle code by itself
  if (!primed_) prime(block.size());
  std::array<std::byte, 1024> out{};
  const auto reply = std::span(out).first(block.size());
  switch (mode_) {
    case Mode::silence:
      return;
    case Mode::echo:
      std::copy(block.begin(), block.end(), reply.begin());
      break;
    case Mode::tone:
      tone_->fill(reply);
      break;
    case Mode::play: {
      if (play_at_ >= play_.size()) return;
      const std::size_t n = std::min(reply.size(), play_.size() - play_at_);
      std::copy_n(play_.begin() + static_cast<std::ptrdiff_t>(play_at_), n, reply.begin());
      std::fill(reply.begin() + static_cast<std::ptrdiff_t>(n), reply.end(), tdm::idle_code(law_));
      const auto wrote = channel_->write(reply);
      if (wrote.ok()) play_at_ += std::min(n, wrote.bytes);
      return;
    }
  }
  (void)channel_->write(reply);
}

}  // namespace gw::pstnsim
