#pragma once
// Which SIP sources the gateway trusts by address: the plan's trust list
// and the peers the plan sends to itself (routes' and trunks' SIP peers,
// the outbound proxy, the registrars), each written as an address, a block
// or a host name. Built when a plan is loaded or reloaded; host names are
// resolved then, by the resolver given, and what each resolved to is kept
// for the status.

#include <functional>
#include <string>
#include <vector>

#include "dialplan/address_block.hpp"
#include "dialplan/plan.hpp"

namespace gw::auth {

// The addresses a host name has now; empty with `error` set when it has none.
using Resolver =
    std::function<std::vector<dialplan::IpAddress>(const std::string& host, std::string& error)>;

struct TrustedPeer {
  std::string written;  // as the plan wrote it: "10.1.0.0/16", "pbx.example.com"
  std::string origin;   // "trust.peers", "route to-pbx", "registration r1", "outbound_proxy"
  std::vector<dialplan::AddressBlock> blocks;  // what it stands for now
  std::string error;                           // why a name stands for nothing
};

class TrustList {
 public:
  TrustList() = default;
  TrustList(const dialplan::Plan& plan, const Resolver& resolve);

  [[nodiscard]] bool trusts(const dialplan::IpAddress& address) const noexcept;
  [[nodiscard]] bool trusts(const std::string& address) const;
  [[nodiscard]] const std::vector<TrustedPeer>& peers() const noexcept { return peers_; }
  // Every block of every peer, for the socket filter.
  [[nodiscard]] std::vector<dialplan::AddressBlock> blocks() const;
  // "127.0.0.0/8 (trust.peers); pbx.example.com = 192.0.2.7 (route to-pbx)"
  [[nodiscard]] std::string describe() const;

 private:
  void add(const std::string& written, const std::string& origin, const Resolver& resolve);
  std::vector<TrustedPeer> peers_;
};

// The host of "host", "host:port", "[v6]:port" or "sip:host:port;params".
[[nodiscard]] std::string host_of(std::string_view peer);

}  // namespace gw::auth
