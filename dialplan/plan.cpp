#include "dialplan/plan.hpp"

#include <algorithm>

namespace gw::dialplan {

const Trunk* Plan::find_trunk(std::string_view name) const {
  const auto it = std::find_if(trunks.begin(), trunks.end(),
                               [&](const Trunk& trunk) { return trunk.name == name; });
  return it == trunks.end() ? nullptr : &*it;
}

const TrunkGroup* Plan::find_group(std::string_view name) const {
  const auto it = std::find_if(trunk_groups.begin(), trunk_groups.end(),
                               [&](const TrunkGroup& group) { return group.name == name; });
  return it == trunk_groups.end() ? nullptr : &*it;
}

const Trunk* Plan::trunk_of_span(std::string_view span) const {
  const auto it = std::find_if(trunks.begin(), trunks.end(), [&](const Trunk& trunk) {
    return std::find(trunk.spans.begin(), trunk.spans.end(), span) != trunk.spans.end();
  });
  return it == trunks.end() ? nullptr : &*it;
}

std::string_view to_string(Backend backend) noexcept {
  switch (backend) {
    case Backend::loopback:
      return "loopback";
    case Backend::dahdi:
      return "dahdi";
  }
  return "unknown";
}

std::string_view to_string(PresentationRule rule) noexcept {
  switch (rule) {
    case PresentationRule::from_sip:
      return "from-sip";
    case PresentationRule::allowed:
      return "allowed";
    case PresentationRule::restricted:
      return "restricted";
  }
  return "unknown";
}

std::string_view to_string(UntrustedAction action) noexcept {
  switch (action) {
    case UntrustedAction::drop:
      return "drop";
    case UntrustedAction::reject:
      return "reject";
  }
  return "unknown";
}

std::optional<UntrustedAction> parse_untrusted_action(std::string_view text) noexcept {
  for (const UntrustedAction action : {UntrustedAction::drop, UntrustedAction::reject}) {
    if (text == to_string(action)) return action;
  }
  return std::nullopt;
}

std::string_view to_string(MediaEncryption mode) noexcept {
  switch (mode) {
    case MediaEncryption::none:
      return "none";
    case MediaEncryption::optional:
      return "optional";
    case MediaEncryption::required:
      return "required";
  }
  return "unknown";
}

std::optional<MediaEncryption> parse_media_encryption(std::string_view text) noexcept {
  for (const MediaEncryption mode :
       {MediaEncryption::none, MediaEncryption::optional, MediaEncryption::required}) {
    if (text == to_string(mode)) return mode;
  }
  return std::nullopt;
}

MediaEncryption MediaEncryptionPolicy::for_peer(std::string_view peer) const {
  // A peer written as a URI ("sips:pbx.example.com", "host;transport=tls")
  // is looked up by its host[:port].
  for (const std::string_view scheme : {"sip:", "sips:"}) {
    if (peer.starts_with(scheme)) peer.remove_prefix(scheme.size());
  }
  peer = peer.substr(0, peer.find(';'));
  if (peer.empty()) return default_mode;
  if (const auto exact = peers.find(std::string(peer)); exact != peers.end()) return exact->second;
  // "host:port" (a sip_peers entry) falls back to its host; an IPv6
  // address in brackets keeps them ("[2001:db8::1]").
  const auto colon = peer.rfind(':');
  const bool has_port = colon != std::string_view::npos && colon > 0 &&
                        (peer.front() == '[' ? peer[colon - 1] == ']' : peer.find(':') == colon);
  if (has_port) {
    if (const auto host = peers.find(std::string(peer.substr(0, colon))); host != peers.end()) {
      return host->second;
    }
  }
  return default_mode;
}

std::optional<Backend> parse_backend(std::string_view text) noexcept {
  for (const Backend backend : {Backend::loopback, Backend::dahdi}) {
    if (text == to_string(backend)) return backend;
  }
  return std::nullopt;
}

std::optional<PresentationRule> parse_presentation(std::string_view text) noexcept {
  for (const PresentationRule rule :
       {PresentationRule::from_sip, PresentationRule::allowed, PresentationRule::restricted}) {
    if (text == to_string(rule)) return rule;
  }
  return std::nullopt;
}

}  // namespace gw::dialplan
