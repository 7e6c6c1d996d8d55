#pragma once
// Sofia-SIP, with this project's typed contexts: the su_root and NUA callbacks
// receive a gw::sip::SofiaThread* instead of void*, and each call handle
// (and a registration's retry timer) a gw::sip::LegRecord* (drachtio-server's
// trick).
// Every Sofia include of the project goes through this file.

namespace gw::sip {
class SofiaThread;
struct LegRecord;
}  // namespace gw::sip

#define SU_ROOT_MAGIC_T gw::sip::SofiaThread
#define NUA_MAGIC_T gw::sip::SofiaThread
#define NUA_HMAGIC_T gw::sip::LegRecord
#define SU_TIMER_ARG_T gw::sip::LegRecord

#include <sofia-sip/msg.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/sip_extra.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>

#include <memory>

namespace gw::sip {

// A Sofia memory home for short-lived parsing; everything allocated from it
// goes when it does.
struct HomeDeleter {
  void operator()(su_home_t* home) const { su_home_unref(home); }
};
using Home = std::unique_ptr<su_home_t, HomeDeleter>;
inline Home make_home() {
  return Home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
}

}  // namespace gw::sip
