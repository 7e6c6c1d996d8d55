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

// Owners of the other Sofia handles. All of them are the SIP thread's: they
// must be made and freed there.

struct SuRootDeleter {
  void operator()(su_root_t* root) const { su_root_destroy(root); }
};
using SuRoot = std::unique_ptr<su_root_t, SuRootDeleter>;

// Only destroys: nua_destroy() is for after nua_shutdown() has completed
// (nua_r_shutdown), which SofiaThread::run() waits for before letting go.
struct NuaDeleter {
  void operator()(nua_t* nua) const { nua_destroy(nua); }
};
using Nua = std::unique_ptr<nua_t, NuaDeleter>;

// Unbinds the handle's LegRecord first: an event NUA still delivers for the
// handle must not find a record that is about to be freed.
struct NuaHandleDeleter {
  void operator()(nua_handle_t* handle) const {
    nua_handle_bind(handle, nullptr);
    nua_handle_destroy(handle);
  }
};
using NuaHandle = std::unique_ptr<nua_handle_t, NuaHandleDeleter>;

struct SuTimerDeleter {
  void operator()(su_timer_t* timer) const { su_timer_destroy(timer); }
};
using SuTimer = std::unique_ptr<su_timer_t, SuTimerDeleter>;

}  // namespace gw::sip
