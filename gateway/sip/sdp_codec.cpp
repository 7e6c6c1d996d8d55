#include "gateway/sip/sdp_codec.hpp"

#include <strings.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <memory>
#include <vector>

#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include "gateway/sip/sofia.hpp"

namespace gw::sip {
namespace {

struct ParserDeleter {
  void operator()(sdp_parser_t* parser) const { sdp_parser_free(parser); }
};

std::string text(const char* value) {
  return value != nullptr ? value : "";
}

media::Direction direction_of(unsigned mode) {
  switch (mode) {
    case sdp_inactive:
      return media::Direction::inactive;
    case sdp_sendonly:
      return media::Direction::sendonly;
    case sdp_recvonly:
      return media::Direction::recvonly;
    default:
      return media::Direction::sendrecv;
  }
}

std::optional<int> ptime_of(const sdp_media_t& media) {
  const sdp_attribute_t* ptime = sdp_attribute_find(media.m_attributes, "ptime");
  if (ptime == nullptr || ptime->a_value == nullptr) return std::nullopt;
  const std::string value = ptime->a_value;
  int ms = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), ms);
  if (error != std::errc() || ms <= 0 || ms > 1000) return std::nullopt;
  return ms;
}

// "TAG SUITE KEY-PARAMS [SESSION-PARAMS]" of an a=crypto line (RFC 4568
// 9.1; Sofia keeps the value as text). nullopt when its shape is wrong.
std::optional<media::CryptoAttribute> crypto_of(const char* value) {
  if (value == nullptr) return std::nullopt;
  std::string_view rest(value);
  std::array<std::string_view, 3> fields{};
  for (auto& field : fields) {
    rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
    const auto end = std::min(rest.find_first_of(" \t"), rest.size());
    field = rest.substr(0, end);
    rest.remove_prefix(end);
    if (field.empty()) return std::nullopt;
  }
  media::CryptoAttribute crypto;
  const auto [end, error] =
      std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), crypto.tag);
  if (error != std::errc() || end != fields[0].data() + fields[0].size() || fields[0].size() > 9 ||
      crypto.tag < 0) {
    return std::nullopt;
  }
  crypto.suite = fields[1];
  crypto.key_params = fields[2];
  rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
  crypto.session_params = rest.substr(0, rest.find_last_not_of(" \t") + 1);
  return crypto;
}

void read_crypto(const sdp_media_t& media, media::SessionDescription& sdp) {
  for (const sdp_attribute_t* attribute = media.m_attributes; attribute != nullptr;
       attribute = attribute->a_next) {
    if (attribute->a_name == nullptr || ::strcasecmp(attribute->a_name, "crypto") != 0) continue;
    if (auto crypto = crypto_of(attribute->a_value)) sdp.crypto.push_back(std::move(*crypto));
  }
}

void read_audio(const sdp_media_t& media, media::SessionDescription& sdp) {
  sdp.audio_port = static_cast<std::uint16_t>(media.m_port);
  sdp.audio_protocol = text(media.m_proto_name);
  for (const sdp_rtpmap_t* map = media.m_rtpmaps; map != nullptr; map = map->rm_next) {
    sdp.formats.push_back({static_cast<int>(map->rm_pt), text(map->rm_encoding),
                           static_cast<int>(map->rm_rate), text(map->rm_fmtp)});
  }
  sdp.direction = direction_of(media.m_mode);
  sdp.ptime_ms = ptime_of(media);
  read_crypto(media, sdp);
  if (const sdp_connection_t* connection = sdp_media_connections(&media); connection != nullptr) {
    sdp.connection_address = text(connection->c_address);
    sdp.ipv6 = connection->c_addrtype == sdp_addr_ip6;
  }
}

std::string format_list(const sdp_media_t& media) {
  std::string formats;
  for (const sdp_list_t* item = media.m_format; item != nullptr; item = item->l_next) {
    formats += (formats.empty() ? "" : " ") + text(item->l_text);
  }
  for (const sdp_rtpmap_t* map = media.m_rtpmaps; map != nullptr; map = map->rm_next) {
    formats += (formats.empty() ? "" : " ") + std::to_string(map->rm_pt);
  }
  return formats.empty() ? "0" : formats;
}

}  // namespace

namespace {

// RFC 4566's token characters: what Sofia's parser takes as one.
bool is_sdp_token(std::string_view field) {
  if (field.empty()) return false;
  return std::all_of(field.begin(), field.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`{|}~").find(c) != std::string_view::npos;
  });
}

bool is_digits(std::string_view field) {
  return !field.empty() && std::all_of(field.begin(), field.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// RFC 4566: port = 1*DIGIT ["/" integer]; proto = token *("/" token).
bool is_port_field(std::string_view field) {
  const auto slash = field.find('/');
  if (slash == std::string_view::npos) return is_digits(field);
  return is_digits(field.substr(0, slash)) && is_digits(field.substr(slash + 1));
}

bool is_proto_field(std::string_view field) {
  for (auto slash = field.find('/'); slash != std::string_view::npos; slash = field.find('/')) {
    if (!is_sdp_token(field.substr(0, slash))) return false;
    field.remove_prefix(slash + 1);
  }
  return is_sdp_token(field);
}

// Debian's Sofia-SIP 1.12.11 loops, allocating without end, on an m= line
// with a blank too many or a format that is not one token, such as
// `m=audio 5N IP6 2001:db8::10` (fixed upstream in 1.13.7): an m= line is
// refused before Sofia sees it unless it is RFC 4566's `media SP port SP
// proto *(SP fmt)`, single spaces between (a stream refused with no format
// at all is taken: Sofia reads it).
bool media_line_is_safe(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (start <= line.size()) {
    const auto space = std::min(line.find(' ', start), line.size());
    fields.push_back(line.substr(start, space - start));
    start = space + 1;
  }
  if (fields.size() < 3) return false;
  if (!is_sdp_token(fields[0]) || !is_port_field(fields[1]) || !is_proto_field(fields[2]))
    return false;
  return std::all_of(fields.begin() + 3, fields.end(), is_sdp_token);
}

// Sofia ends a line at CR, LF or both and skips blanks and tabs that start
// one: a lone CR, or CR LF TAB, starts an m= line too.
bool media_lines_are_safe(std::string_view body) {
  std::size_t start = 0;
  while (start < body.size()) {
    auto end = body.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
    if (line.substr(0, 2) == "m=" && !media_line_is_safe(line.substr(2))) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::optional<media::SessionDescription> parse_sdp(std::string_view body, std::string& error) {
  if (!media_lines_are_safe(body)) {
    error = "a malformed m= line";
    return std::nullopt;
  }
  const Home home = make_home();
  if (!home) {
    error = "out of memory";
    return std::nullopt;
  }
  // Not sdp_f_strict: RFC 2543-era peers order lines loosely.
  const std::unique_ptr<sdp_parser_t, ParserDeleter> parser(
      sdp_parse(home.get(), body.data(), static_cast<issize_t>(body.size()), 0));
  const sdp_session_t* session = sdp_session(parser.get());
  if (session == nullptr) {
    error = "malformed SDP: " + text(sdp_parsing_error(parser.get()));
    return std::nullopt;
  }
  media::SessionDescription sdp;
  if (session->sdp_origin != nullptr) {
    sdp.origin_user = text(session->sdp_origin->o_username);
    sdp.session_id = session->sdp_origin->o_id;
    sdp.session_version = session->sdp_origin->o_version;
    if (session->sdp_origin->o_address != nullptr)
      sdp.origin_address = text(session->sdp_origin->o_address->c_address);
  }
  bool have_audio = false;
  for (const sdp_media_t* media = session->sdp_media; media != nullptr; media = media->m_next) {
    if (!have_audio && media->m_type == sdp_media_audio) {
      read_audio(*media, sdp);
      have_audio = true;
      continue;
    }
    sdp.other_streams.push_back(
        {text(media->m_type_name), text(media->m_proto_name), format_list(*media)});
  }
  if (!have_audio) {
    error = "no audio stream in the SDP";
    return std::nullopt;
  }
  if (sdp.connection_address.empty()) {
    error = "no c= line for the audio stream";
    return std::nullopt;
  }
  return sdp;
}

std::string render_sdp(const media::SessionDescription& sdp) {
  const std::string ip = sdp.ipv6 ? "IP6 " : "IP4 ";
  std::string out = "v=0\r\n";
  out += "o=" + sdp.origin_user + " " + std::to_string(sdp.session_id) + " " +
         std::to_string(sdp.session_version) + " IN " + ip + sdp.origin_address + "\r\n";
  out += "s=sipgw\r\n";
  out += "c=IN " + ip + sdp.connection_address + "\r\n";
  out += "t=0 0\r\n";
  out += "m=audio " + std::to_string(sdp.audio_port) + " " + sdp.audio_protocol;
  for (const auto& format : sdp.formats) out += " " + std::to_string(format.payload_type);
  out += "\r\n";
  for (const auto& format : sdp.formats) {
    out += "a=rtpmap:" + std::to_string(format.payload_type) + " " + format.encoding + "/" +
           std::to_string(format.clock_rate) + "\r\n";
    if (!format.fmtp.empty())
      out += "a=fmtp:" + std::to_string(format.payload_type) + " " + format.fmtp + "\r\n";
  }
  if (sdp.ptime_ms) out += "a=ptime:" + std::to_string(*sdp.ptime_ms) + "\r\n";
  for (const auto& crypto : sdp.crypto) {
    out += "a=crypto:" + std::to_string(crypto.tag) + " " + crypto.suite + " " + crypto.key_params +
           (crypto.session_params.empty() ? "" : " " + crypto.session_params) + "\r\n";
  }
  out += std::string("a=") + media::to_string(sdp.direction) + "\r\n";
  // Streams we do not take are answered with port 0 (RFC 3264 6).
  for (const auto& other : sdp.other_streams) {
    out += "m=" + other.media + " 0 " + other.protocol + " " + other.formats + "\r\n";
  }
  return out;
}

}  // namespace gw::sip
