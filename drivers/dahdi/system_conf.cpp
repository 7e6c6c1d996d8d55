#include "drivers/dahdi/system_conf.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <string>

namespace gw::dahdi {
namespace {

int to_int(std::string_view text, std::string_view what) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    throw std::invalid_argument(std::string(what) + ": '" + std::string(text) +
                                "' is not a number");
  }
  return value;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// What one configuration line contributes.
struct Collected {
  std::vector<SpanLocation> spans;                    // in file order
  std::vector<int> dynamic_sizes;                     // dynamic= lines: channels per span, in order
  std::vector<std::vector<int>> channels_after_span;  // bchan/dchan seen after each span=
  std::vector<int> dchannels;
};

void take_line(std::string_view key, std::string_view value, Collected& found) {
  if (key == "span") {
    const auto comma = value.find(',');
    SpanLocation span;
    span.span = to_int(trim(value.substr(0, comma)), "span");
    found.spans.push_back(span);
    found.channels_after_span.emplace_back();
  } else if (key == "dynamic") {
    // dynamic=driver,address,numchans,timing
    std::vector<std::string_view> fields;
    for (std::size_t at = 0; at <= value.size();) {
      const auto comma = std::min(value.find(',', at), value.size());
      fields.push_back(trim(value.substr(at, comma - at)));
      at = comma + 1;
    }
    if (fields.size() < 3) throw std::invalid_argument("dynamic: expected driver,address,numchans");
    found.dynamic_sizes.push_back(to_int(fields[2], "dynamic numchans"));
  } else if (key == "bchan" || key == "dchan" || key == "hardhdlc" || key == "clear") {
    const auto channels = parse_channel_list(value);
    if (key == "dchan" || key == "hardhdlc") {
      found.dchannels.insert(found.dchannels.end(), channels.begin(), channels.end());
    }
    if (!found.channels_after_span.empty()) {
      auto& owned = found.channels_after_span.back();
      owned.insert(owned.end(), channels.begin(), channels.end());
    }
  }
}

void place_channels(Collected& found) {
  if (!found.dynamic_sizes.empty()) {
    // Dynamic spans are numbered and laid out in the order they are created.
    found.spans.clear();
    int base = 1;
    for (std::size_t i = 0; i < found.dynamic_sizes.size(); ++i) {
      found.spans.push_back({static_cast<int>(i) + 1, base, found.dynamic_sizes[i], 0});
      base += found.dynamic_sizes[i];
    }
  } else {
    for (std::size_t i = 0; i < found.spans.size(); ++i) {
      const auto& owned = found.channels_after_span[i];
      if (owned.empty()) continue;
      const auto [low, high] = std::minmax_element(owned.begin(), owned.end());
      found.spans[i].basechan = *low;
      found.spans[i].channels = *high - *low + 1;
    }
  }
  for (auto& span : found.spans) {
    for (const int d : found.dchannels) {
      if (d >= span.basechan && d < span.basechan + span.channels) span.dchannel = d;
    }
  }
}

}  // namespace

std::optional<tdm::Shape> SpanLocation::shape() const noexcept {
  if (channels == 31 && dchannel == basechan + 15) return tdm::Shape::e1;
  if (channels == 24 && dchannel == basechan + 23) return tdm::Shape::t1;
  return std::nullopt;
}

std::vector<int> parse_channel_list(std::string_view text) {
  std::vector<int> channels;
  for (std::size_t at = 0; at <= text.size();) {
    const auto comma = std::min(text.find(',', at), text.size());
    const auto item = trim(text.substr(at, comma - at));
    at = comma + 1;
    if (item.empty()) continue;
    const auto dash = item.find('-');
    const int first = to_int(trim(item.substr(0, dash)), "channel");
    const int last =
        dash == std::string_view::npos ? first : to_int(trim(item.substr(dash + 1)), "channel");
    if (first < 1 || last < first) {
      throw std::invalid_argument("channel range '" + std::string(item) +
                                  "' is empty or starts below 1");
    }
    for (int channel = first; channel <= last; ++channel) channels.push_back(channel);
  }
  return channels;
}

std::vector<SpanLocation> parse_system_conf(std::string_view text) {
  Collected found;
  std::istringstream input{std::string(text)};
  std::string raw;
  int line = 0;
  while (std::getline(input, raw)) {
    ++line;
    std::string_view content = raw;
    content = content.substr(0, content.find('#'));
    const auto equals = content.find('=');
    if (equals == std::string_view::npos) continue;
    try {
      take_line(trim(content.substr(0, equals)), trim(content.substr(equals + 1)), found);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument("system.conf line " + std::to_string(line) + ": " + error.what());
    }
  }
  place_channels(found);
  return found.spans;
}

}  // namespace gw::dahdi
