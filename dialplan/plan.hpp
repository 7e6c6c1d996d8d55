#pragma once
// The dialplan as operators write it: trunks (spans with their ISDN
// settings), trunk groups (trunks hunted in an order), routes (what a call
// must look like, and where and as which number it goes) and screening
// lists. Plain data: validate() says what is wrong with a plan, Router
// decides calls with a valid one, and the store and the export file hold it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/isdn/types.hpp"
#include "drivers/tdm/layout.hpp"

namespace gw::dialplan {

enum class Backend : std::uint8_t { loopback, dahdi };

// How the calling party number's presentation indicator is set.
enum class PresentationRule : std::uint8_t {
  from_sip,    // restricted when the caller asked for it (Privacy: id), else allowed
  allowed,     // always allowed
  restricted,  // always restricted
};

struct Trunk {
  std::string name;
  Backend backend = Backend::loopback;
  // loopback: the span names the gateway made; dahdi: DAHDI span numbers.
  std::vector<std::string> spans;
  isdn::SwitchType switchtype = isdn::SwitchType::euroisdn_e1;
  isdn::Side side = isdn::Side::cpe;
  tdm::Law law = tdm::Law::alaw;
  std::string channels;  // the bearers in service, "1-15,17-31"; empty: all
  // Type of number for numbers whose form does not say it (a number in a
  // private plan or a "+CC" context), and the calling number's defaults.
  isdn::Ton called_ton = isdn::Ton::unknown;
  isdn::Ton calling_ton = isdn::Ton::unknown;
  isdn::Npi calling_npi = isdn::Npi::unknown;
  // SIP destinations ("host" or "host:port") its calls from the PSTN go to
  // when no route says otherwise, tried in order.
  std::vector<std::string> sip_peers;
  // What a number from this trunk is in SIP: the phone-context of numbers in
  // a private numbering plan (NPI 9), "p1234", and of national, subscriber
  // and unknown-type numbers, "+1" or "+1212". International numbers are
  // global ("+CC..."). Empty: such a number is sent without a phone-context.
  std::string private_context;
  std::string public_context;
  friend bool operator==(const Trunk&, const Trunk&) = default;
};

struct TrunkGroup {
  std::string name;
  std::vector<std::string> trunks;  // in hunting order
  // Order of trunks, and of B-channels on each; the opposite of the telco's
  // keeps both ends from seizing the same channel (glare).
  isdn::Hunting hunting = isdn::Hunting::ascending;
  int channel_limit = 0;  // calls the group may carry at once; 0: no limit
  friend bool operator==(const TrunkGroup&, const TrunkGroup&) = default;
};

// What a call must look like for a route to take it. Empty fields match
// anything. Among the routes that match, the most specific wins: a route
// for the call's own phone-context beats one for global numbers, which
// beats one for any context; then the longer number prefix, then a fixed
// number length, then a regular expression, then the longer caller prefix,
// then a source, then an account, then the higher priority.
struct RouteMatch {
  // "p1234" (compared without case), "+1" (a local number in that context),
  // "+" (global numbers, and local numbers of a "+CC" context without a
  // route of its own, as E.164 digits CC+number); empty: any.
  std::string phone_context;
  std::string number_prefix;         // leading digits of the called number
  std::optional<int> number_length;  // exactly this many digits
  std::string number_regex;          // ECMAScript, the whole number must match
  std::string caller_prefix;         // leading characters of the caller ("+1555", "555")
  std::string source;                // "sip:ADDRESS" (a SIP peer) or "span:NAME"
  std::string account;               // the account the caller authenticated as (accounts)
  int priority = 0;                  // the last tie-breaker; higher wins
  friend bool operator==(const RouteMatch&, const RouteMatch&) = default;
};

// Rewrites a number: drop `strip` leading digits, put `prepend` in front,
// then replace what `replace` (an ECMAScript regular expression) matches
// with `with` ($1... for groups).
struct NumberRule {
  int strip = 0;
  std::string prepend;
  std::string replace;
  std::string with;
  friend bool operator==(const NumberRule&, const NumberRule&) = default;
};

// A route takes calls one way: from SIP to the trunk groups it names, or
// from the PSTN (source span:NAME, or any span) to the SIP peers it names.
struct Route {
  std::string name;
  RouteMatch match;
  std::vector<std::string> trunk_groups;  // tried in order
  // "host" or "host:port", tried in order: this route takes calls from the
  // PSTN to SIP (and then has no trunk groups).
  std::vector<std::string> sip_peers;
  // Q.850 causes on which the next trunk group is tried.
  std::vector<int> failover_causes = {34, 38, 41, 42, 44};
  NumberRule called;
  std::optional<isdn::Ton> called_ton;  // else: from the number's form
  std::optional<isdn::Npi> called_npi;
  NumberRule calling;
  std::optional<isdn::Ton> calling_ton;  // else: the trunk's default
  std::optional<isdn::Npi> calling_npi;
  PresentationRule presentation = PresentationRule::from_sip;
  friend bool operator==(const Route&, const Route&) = default;
};

// Numbers as written by people: "+1900" (global numbers starting 1900),
// "7773660" (that number or longer in any plan). A call whose caller is on
// the first list is answered "403 Screening Failure (Originating)", one to
// a number on the second "403 Screening Failure (Terminating)".
struct Screening {
  std::vector<std::string> blocked_callers;
  std::vector<std::string> blocked_destinations;
  friend bool operator==(const Screening&, const Screening&) = default;
};

// An upstream registrar the gateway registers with (RFC 3665 section 2), so
// that the proxies behind it find the gateway: REGISTER, the 401 challenge
// answered with digest credentials, refreshed before `expires`, removed at
// shutdown. Applied when the gateway starts.
struct Registration {
  std::string name;
  std::string registrar;  // "host" or "host:port"
  std::string user;       // the address of record is sip:USER@REGISTRAR-HOST
  std::string auth_user;  // the digest user name; empty: `user`
  std::string password;
  int expires = 3600;  // seconds asked for
  friend bool operator==(const Registration&, const Registration&) = default;
};

// Digest credentials the gateway answers a 401 or 407 to its INVITEs with,
// chosen by the challenge's realm (a registration's account is used too for
// INVITEs to its registrar).
struct Credential {
  std::string realm;
  std::string user;
  std::string password;
  friend bool operator==(const Credential&, const Credential&) = default;
};

// What the gateway does with a request from a source it does not trust
// that has not authenticated: nothing at all (a scanner sees no device), or
// "403 Forbidden" with Reason: Q.850;cause=21 (call rejected).
enum class UntrustedAction : std::uint8_t { drop, reject };

// The SIP sources that may place calls through the gateway by their
// address alone. The peers that routes and trunks send calls to, the
// outbound proxy and the registrars are trusted too, for their own
// requests; anyone else must authenticate as an account.
struct Trust {
  // "192.0.2.7", "10.1.0.0/16", "2001:db8::/32" or a host name, resolved
  // when the plan is loaded or reloaded.
  std::vector<std::string> peers;
  UntrustedAction untrusted = UntrustedAction::drop;
  std::string realm = "sipgw";  // of the accounts' digest challenges
  friend bool operator==(const Trust&, const Trust&) = default;
};

// A caller that may place calls from any address after a digest challenge
// (RFC 3261 22, RFC 8760). Never the password: the digests H(name:realm:
// password) for MD5 and SHA-256, lower-case hex, as an import hashed them.
struct Account {
  std::string name;
  std::string realm;
  std::string ha1_md5;
  std::string ha1_sha256;
  friend bool operator==(const Account&, const Account&) = default;
};

// Whether a call's audio with a SIP peer is SRTP (RFC 3711, keys by SDES,
// RFC 4568): plain RTP only; SRTP whenever the peer offers or accepts it;
// SRTP or no call. Keys travel only in SDP over TLS, so optional means
// plain RTP over UDP and TCP, and required refuses calls without TLS.
enum class MediaEncryption : std::uint8_t { none, optional, required };

// The plan's media_encryption: a default, and the peers that differ, by
// address or host name as the gateway sees them (an INVITE's source
// address; a route's or trunk's sip_peers entry, with or without its port,
// scheme and URI parameters).
struct MediaEncryptionPolicy {
  MediaEncryption default_mode = MediaEncryption::none;
  std::map<std::string, MediaEncryption> peers;
  [[nodiscard]] MediaEncryption for_peer(std::string_view peer) const;
  friend bool operator==(const MediaEncryptionPolicy&, const MediaEncryptionPolicy&) = default;
};

struct Plan {
  std::vector<Trunk> trunks;
  std::vector<TrunkGroup> trunk_groups;
  std::vector<Route> routes;
  Screening screening;
  std::vector<Registration> registrations;
  std::vector<Credential> credentials;
  Trust trust;
  std::vector<Account> accounts;
  MediaEncryptionPolicy media_encryption;
  // Every request the gateway sends goes through this proxy ("host" or
  // "host:port"), whatever its Request-URI says; empty: straight to it.
  std::string outbound_proxy;
  friend bool operator==(const Plan&, const Plan&) = default;

  [[nodiscard]] const Trunk* find_trunk(std::string_view name) const;
  [[nodiscard]] const TrunkGroup* find_group(std::string_view name) const;
  // The trunk that lists span `span`, by the name the gateway gives it; nullptr: none.
  [[nodiscard]] const Trunk* trunk_of_span(std::string_view span) const;
};

[[nodiscard]] std::string_view to_string(Backend backend) noexcept;
[[nodiscard]] std::string_view to_string(PresentationRule rule) noexcept;
[[nodiscard]] std::string_view to_string(UntrustedAction action) noexcept;
[[nodiscard]] std::optional<UntrustedAction> parse_untrusted_action(std::string_view text) noexcept;
[[nodiscard]] std::string_view to_string(MediaEncryption mode) noexcept;
[[nodiscard]] std::optional<MediaEncryption> parse_media_encryption(std::string_view text) noexcept;
[[nodiscard]] std::optional<Backend> parse_backend(std::string_view text) noexcept;
[[nodiscard]] std::optional<PresentationRule> parse_presentation(std::string_view text) noexcept;

}  // namespace gw::dialplan
