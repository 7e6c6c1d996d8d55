#include "drivers/pstnsim/rules.hpp"

#include <charconv>
#include <sstream>
#include <stdexcept>

namespace gw::pstnsim {
namespace {

using std::chrono::milliseconds;

[[noreturn]] void fail(int line, std::string_view field, const std::string& reason) {
  throw std::invalid_argument("rules line " + std::to_string(line) + ": " + std::string(field) +
                              ": " + reason);
}

// "500ms", "2s", "3m" or plain milliseconds.
milliseconds parse_duration(std::string_view text, int line, std::string_view field) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || value < 0)
    fail(line, field, "'" + std::string(text) + "' is not a duration");
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (unit.empty() || unit == "ms") return milliseconds(value);
  if (unit == "s") return milliseconds(value * 1000);
  if (unit == "m") return milliseconds(value * 60'000);
  fail(line, field, "unknown unit '" + std::string(unit) + "' (ms, s or m)");
}

isdn::Cause parse_cause(std::string_view text, int line) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 127) {
    fail(line, "cause", "'" + std::string(text) + "' is not a Q.850 cause (1-127)");
  }
  return isdn::cause_from_wire(value);
}

Action parse_action(std::string_view text, int line) {
  if (text == "reject") return Action::reject;
  if (text == "no-answer") return Action::no_answer;
  if (text == "answer") return Action::answer;
  if (text == "early-media") return Action::early_media;
  fail(line, "action", "'" + std::string(text) + "' (reject, no-answer, answer, early-media)");
}

bool valid_prefix(std::string_view prefix) {
  if (prefix == "*") return true;
  for (const char c : prefix) {
    if ((c < '0' || c > '9') && c != '*' && c != '#' && c != '+') return false;
  }
  return !prefix.empty();
}

void apply_option(Rule& rule, std::string_view option, int line) {
  const auto equals = option.find('=');
  if (equals == std::string_view::npos) fail(line, option, "expected key=value");
  const auto key = option.substr(0, equals);
  const auto value = option.substr(equals + 1);
  if (key == "cause") {
    rule.cause = parse_cause(value, line);
  } else if (key == "ring") {
    rule.ring = parse_duration(value, line, key);
  } else if (key == "timeout") {
    rule.timeout = parse_duration(value, line, key);
  } else if (key == "hangup") {
    rule.hangup_after = parse_duration(value, line, key);
  } else if (key == "tone") {
    rule.tone = parse_duration(value, line, key);
  } else if (key == "span") {
    if (value.empty()) fail(line, key, "needs a span name");
    rule.span = value;
  } else {
    fail(line, key, "unknown option (cause, ring, timeout, hangup, tone, span)");
  }
}

// "span1" names the loopback pair whose ends are "span1/a" and "span1/b".
bool span_matches(std::string_view wanted, std::string_view span) {
  return span == wanted ||
         (span.starts_with(wanted) && span.size() > wanted.size() && span[wanted.size()] == '/');
}

}  // namespace

std::string_view to_string(Action action) noexcept {
  switch (action) {
    case Action::reject:
      return "reject";
    case Action::no_answer:
      return "no-answer";
    case Action::answer:
      return "answer";
    case Action::early_media:
      return "early-media";
  }
  return "unknown";
}

RuleSet RuleSet::defaults() {
  return parse(
      "486 reject cause=17\n"
      "404 reject cause=1\n"
      "503 reject cause=34\n"
      "480 no-answer timeout=180s cause=19\n"
      "200 answer ring=500ms hangup=2s cause=16\n"
      "183 early-media tone=2s\n"
      "*   answer ring=1s\n");
}

RuleSet RuleSet::parse(std::string_view text) {
  RuleSet set;
  std::istringstream input{std::string(text)};
  std::string raw;
  int line = 0;
  while (std::getline(input, raw)) {
    ++line;
    if (const auto hash = raw.find('#'); hash != std::string::npos) raw.erase(hash);
    std::istringstream words(raw);
    std::string prefix;
    std::string action;
    if (!(words >> prefix)) continue;
    if (!valid_prefix(prefix)) fail(line, "prefix", "'" + prefix + "' is not digits or *");
    if (!(words >> action)) fail(line, "action", "missing");
    Rule rule;
    rule.prefix = prefix;
    rule.action = parse_action(action, line);
    for (std::string option; words >> option;) apply_option(rule, option, line);
    set.add(std::move(rule));
  }
  return set;
}

void RuleSet::add(Rule rule) {
  if (rule.prefix == "*" && rule.span.empty()) {
    fallback_ = std::move(rule);
    return;
  }
  for (auto& existing : rules_) {
    if (existing.prefix == rule.prefix && existing.span == rule.span) {
      existing = std::move(rule);
      return;
    }
  }
  rules_.push_back(std::move(rule));
}

const Rule& RuleSet::match(std::string_view number, std::string_view span) const {
  const Rule* best = &fallback_;
  std::size_t best_score = 0;
  for (const auto& rule : rules_) {
    if (!rule.span.empty() && !span_matches(rule.span, span)) continue;
    const std::string_view prefix = rule.prefix == "*" ? std::string_view{} : rule.prefix;
    if (!number.starts_with(prefix)) continue;
    // Longer prefixes first; at equal length the span's own rule.
    const std::size_t score = 2 * prefix.size() + (rule.span.empty() ? 1 : 2);
    if (score > best_score) {
      best = &rule;
      best_score = score;
    }
  }
  return *best;
}

}  // namespace gw::pstnsim
