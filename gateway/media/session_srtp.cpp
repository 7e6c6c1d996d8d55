// RtpSession: SRTP and SRTCP (RFC 3711) with the keys SDES agreed. Each
// direction has its own libsrtp context, made on the worker when the keys
// arrive or change, and touched by nothing else.

#include <exception>

#include "gateway/media/rtp_session.hpp"

namespace gw::media {
namespace {

std::optional<srtp::Context> make_context(srtp::Suite suite, srtp::Role role,
                                          const std::string& key) {
  try {
    return std::optional<srtp::Context>(std::in_place, suite, role, key);
  } catch (const std::exception&) {
    // A key SDES let through is always 30 bytes and libsrtp takes it; should
    // it not, the session sends nothing and plays nothing (see protect()),
    // never falling back to plain RTP.
    return std::nullopt;
  }
}

}  // namespace

void RtpSession::apply_srtp(const std::optional<SrtpKeys>& keys) {
  const std::optional<SrtpKeys>& before = media_.srtp;  // nullopt before the first apply()
  counters_->srtp.store(keys.has_value(), std::memory_order_relaxed);
  if (!keys) {
    srtp_send_.reset();
    srtp_receive_.reset();
    return;
  }
  // A context is remade only when its own key or the suite changes: a new
  // sending context would restart the rollover counter under the same key,
  // and a receiving one forgets its replay list. A re-INVITE that keeps
  // the keys (hold, resume, a session refresh) keeps both.
  const bool same_suite = before && before->suite == keys->suite;
  if (!same_suite || before->send_key != keys->send_key) {
    srtp_send_ = make_context(keys->suite, srtp::Role::sender, keys->send_key);
  }
  if (!same_suite || before->receive_key != keys->receive_key) {
    srtp_receive_ = make_context(keys->suite, srtp::Role::receiver, keys->receive_key);
  }
}

bool RtpSession::protect(std::span<std::byte> buffer, std::size_t& length, bool rtcp) {
  if (!media_.srtp) return true;
  if (!srtp_send_) return false;
  const srtp::Status status =
      rtcp ? srtp_send_->protect_rtcp(buffer, length) : srtp_send_->protect_rtp(buffer, length);
  return status == srtp::Status::ok;
}

bool RtpSession::unprotect(std::span<std::byte> buffer, std::size_t& length, bool rtcp) {
  if (!media_.srtp) return true;
  if (!srtp_receive_) return false;
  const srtp::Status status = rtcp ? srtp_receive_->unprotect_rtcp(buffer, length)
                                   : srtp_receive_->unprotect_rtp(buffer, length);
  switch (status) {
    case srtp::Status::ok:
      return true;
    case srtp::Status::auth_failed:
      (rtcp ? counters_->srtcp_auth_failed : counters_->srtp_auth_failed)
          .fetch_add(1, std::memory_order_relaxed);
      return false;
    case srtp::Status::replayed:
      counters_->srtp_replayed.fetch_add(1, std::memory_order_relaxed);
      return false;
    case srtp::Status::failed:
      return false;  // too short to be a packet at all: not counted as an attack
  }
  return false;
}

}  // namespace gw::media
