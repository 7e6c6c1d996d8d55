#include "gateway/auth/trust_list.hpp"

#include <algorithm>

namespace gw::auth {

using dialplan::AddressBlock;
using dialplan::IpAddress;

std::string host_of(std::string_view peer) {
  for (const std::string_view scheme : {"sips:", "sip:"}) {
    if (peer.substr(0, scheme.size()) == scheme) peer.remove_prefix(scheme.size());
  }
  if (const auto at = peer.find('@'); at != std::string_view::npos) peer.remove_prefix(at + 1);
  peer = peer.substr(0, peer.find(';'));
  if (!peer.empty() && peer.front() == '[') {
    const auto close = peer.find(']');
    return std::string(peer.substr(0, close == std::string_view::npos ? peer.size() : close + 1));
  }
  // One colon: host:port. More: a bare IPv6 address.
  const auto colon = peer.find(':');
  if (colon != std::string_view::npos && peer.find(':', colon + 1) == std::string_view::npos) {
    peer = peer.substr(0, colon);
  }
  return std::string(peer);
}

TrustList::TrustList(const dialplan::Plan& plan, const Resolver& resolve) {
  for (const auto& peer : plan.trust.peers) add(peer, "trust.peers", resolve);
  for (const auto& route : plan.routes) {
    for (const auto& peer : route.sip_peers) add(host_of(peer), "route " + route.name, resolve);
  }
  for (const auto& trunk : plan.trunks) {
    for (const auto& peer : trunk.sip_peers) add(host_of(peer), "trunk " + trunk.name, resolve);
  }
  if (!plan.outbound_proxy.empty()) {
    add(host_of(plan.outbound_proxy), "outbound_proxy", resolve);
  }
  for (const auto& registration : plan.registrations) {
    add(host_of(registration.registrar), "registration " + registration.name, resolve);
  }
}

void TrustList::add(const std::string& written, const std::string& origin,
                    const Resolver& resolve) {
  const auto same = [&](const TrustedPeer& p) { return p.written == written; };
  if (written.empty() || std::any_of(peers_.begin(), peers_.end(), same)) return;
  TrustedPeer peer{written, origin, {}, {}};
  if (const auto block = AddressBlock::parse(written)) {
    peer.blocks.push_back(*block);
  } else if (resolve) {
    for (const auto& address : resolve(written, peer.error)) {
      peer.blocks.push_back(AddressBlock::single(address));
    }
  } else {
    peer.error = "not resolved";
  }
  peers_.push_back(std::move(peer));
}

bool TrustList::trusts(const IpAddress& address) const noexcept {
  return std::any_of(peers_.begin(), peers_.end(), [&](const TrustedPeer& peer) {
    return std::any_of(peer.blocks.begin(), peer.blocks.end(),
                       [&](const AddressBlock& block) { return block.contains(address); });
  });
}

bool TrustList::trusts(const std::string& address) const {
  const auto parsed = IpAddress::parse(address);
  return parsed && trusts(*parsed);
}

std::vector<AddressBlock> TrustList::blocks() const {
  std::vector<AddressBlock> all;
  for (const auto& peer : peers_) all.insert(all.end(), peer.blocks.begin(), peer.blocks.end());
  return all;
}

std::string TrustList::describe() const {
  if (peers_.empty()) return "nobody";
  std::string text;
  for (const auto& peer : peers_) {
    if (!text.empty()) text += "; ";
    text += peer.written;
    const bool literal = AddressBlock::parse(peer.written).has_value();
    if (!literal) {
      text += " =";
      for (const auto& block : peer.blocks) text += " " + block.to_string();
      if (!peer.error.empty()) text += " (" + peer.error + ")";
    }
    text += " (" + peer.origin + ")";
  }
  return text;
}

}  // namespace gw::auth
