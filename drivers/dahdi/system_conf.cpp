#include "drivers/dahdi/system_conf.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>

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

std::vector<std::string_view> split_fields(std::string_view value) {
  std::vector<std::string_view> fields;
  for (std::size_t at = 0; at <= value.size();) {
    const auto comma = std::min(value.find(',', at), value.size());
    fields.push_back(trim(value.substr(at, comma - at)));
    at = comma + 1;
  }
  return fields;
}

// span=<num>,<timing>,<LBO>,<framing>,<coding>[,crc4]: the line code tells E1
// from T1. BRI spans also say ccs, but with ami: they stay unknown.
std::string type_from_framing(const std::vector<std::string_view>& fields) {
  if (fields.size() < 5) return {};
  if (fields[3] == "esf" || fields[3] == "d4") return "T1";
  if ((fields[3] == "ccs" || fields[3] == "cas") && fields[4] == "hdb3") return "E1";
  return {};
}

struct Collected {
  std::vector<SpanLocation> spans;      // span= lines, in file order
  std::vector<std::vector<int>> owned;  // channel lines following each span= line
  bool after_span = false;              // channel lines belong to spans.back()
  std::vector<int> dynamic_sizes;       // dynamic= lines: channels per span, in order
  std::vector<int> dchannels;           // dchan= and hardhdlc= channels
};

void take_line(std::string_view key, std::string_view value, Collected& found) {
  if (key == "span") {
    const auto fields = split_fields(value);
    SpanLocation span;
    span.span = to_int(fields[0], "span");
    span.type = type_from_framing(fields);
    found.spans.push_back(span);
    found.owned.emplace_back();
    found.after_span = true;
  } else if (key == "dynamic") {
    // dynamic=driver,address,numchans,timing. What follows it configures the
    // dynamic spans' channels, not the last hardware span's.
    const auto fields = split_fields(value);
    if (fields.size() < 3) throw std::invalid_argument("dynamic: expected driver,address,numchans");
    found.dynamic_sizes.push_back(to_int(fields[2], "dynamic numchans"));
    found.after_span = false;
  } else if (key == "bchan" || key == "dchan" || key == "hardhdlc" || key == "clear" ||
             key == "indclear") {
    const auto channels = parse_channel_list(value);
    if (key == "dchan" || key == "hardhdlc") {
      found.dchannels.insert(found.dchannels.end(), channels.begin(), channels.end());
    }
    if (found.after_span) {
      auto& owned = found.owned.back();
      owned.insert(owned.end(), channels.begin(), channels.end());
    }
  }
}

// Hardware spans own the channels configured after their span= line. Dynamic
// spans are created by dahdi_cfg after the hardware spans registered: they
// take the next span numbers and channel numbers, in the order of the file.
std::vector<SpanLocation> place_channels(const Collected& found) {
  std::vector<SpanLocation> spans;
  int next_span = 1;
  int next_channel = 1;
  for (std::size_t i = 0; i < found.spans.size(); ++i) {
    next_span = std::max(next_span, found.spans[i].span + 1);
    const auto& owned = found.owned[i];
    if (owned.empty()) continue;
    const auto [low, high] = std::minmax_element(owned.begin(), owned.end());
    SpanLocation span = found.spans[i];
    span.basechan = *low;
    span.channels = *high - *low + 1;
    next_channel = std::max(next_channel, *high + 1);
    spans.push_back(span);
  }
  for (const int size : found.dynamic_sizes) {
    spans.push_back({next_span++, next_channel, size, 0, "DYNAMIC"});
    next_channel += size;
  }
  for (auto& span : spans) {
    for (const int d : found.dchannels) {
      if (d >= span.basechan && d < span.basechan + span.channels) span.dchannel = d;
    }
  }
  std::sort(spans.begin(), spans.end(),
            [](const SpanLocation& a, const SpanLocation& b) { return a.span < b.span; });
  return spans;
}

}  // namespace

std::optional<tdm::Shape> SpanLocation::shape() const noexcept {
  if (type == "E1") return tdm::Shape::e1;
  if (type == "T1" || type == "J1") return tdm::Shape::t1;
  // Dynamic spans and system.conf without span= lines: guess from the layout.
  if (channels == 31 && (dchannel == 0 || dchannel == basechan + 15)) return tdm::Shape::e1;
  if (channels == 24 && (dchannel == 0 || dchannel == basechan + 23)) return tdm::Shape::t1;
  return std::nullopt;
}

std::vector<int> parse_channel_list(std::string_view text) {
  std::vector<int> channels;
  for (const auto item : split_fields(text)) {
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
  return place_channels(found);
}

}  // namespace gw::dahdi
