#include "drivers/isdn/frame_decode.hpp"

#include "drivers/isdn/q931_frame.hpp"

namespace gw::isdn {
namespace {

// A decode as shown: without the direction mark and blank lines.
std::string tidy_decode(std::string_view raw) {
  std::string tidy;
  while (!raw.empty()) {
    const auto end = raw.find('\n');
    std::string_view line = raw.substr(0, end);
    raw = end == std::string_view::npos ? std::string_view() : raw.substr(end + 1);
    if (!line.empty() && (line.front() == '<' || line.front() == '>')) line.remove_prefix(1);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.find_first_not_of(' ') == std::string_view::npos) continue;
    tidy.append(line).push_back('\n');
  }
  if (!tidy.empty()) tidy.pop_back();
  return tidy;
}

}  // namespace

void FrameDecodeJoiner::frame(bool sent, std::span<const std::byte> bytes) {
  held_.push_back({std::chrono::system_clock::now(), sent, {bytes.begin(), bytes.end()}, {}});
  // A Q.921 frame (RR, SABME) between a message and its decode does not
  // take the decode from it.
  if (q931_header(bytes)) {
    open_ = held_.size() - 1;
    in_announcement_ = false;
  }
}

bool FrameDecodeJoiner::text(std::string_view piece) {
  if (piece.empty()) return true;
  if (at_line_start_) {
    line_is_decode_ = piece.front() == '<' || piece.front() == '>' || piece.front() == '\n';
  }
  at_line_start_ = piece.back() == '\n';
  if (!line_is_decode_) return false;
  if (piece.find("DL-DATA request") != std::string_view::npos) {
    open_.reset();
    in_announcement_ = true;
  } else if (open_ && !in_announcement_) {
    held_[*open_].decoded += piece;
  }
  return true;
}

void FrameDecodeJoiner::flush() {
  for (auto& frame : held_) {
    frame.decoded = tidy_decode(frame.decoded);
    sink_(frame);
  }
  held_.clear();
  open_.reset();
  in_announcement_ = false;
}

}  // namespace gw::isdn
