#pragma once
// Sofia-SIP, with this project's typed contexts: the su_root and NUA callbacks
// receive a gw::sip::SofiaThread* instead of void* (drachtio-server's trick).
// Every Sofia include of the project goes through this file.

namespace gw::sip {
class SofiaThread;
}

#define SU_ROOT_MAGIC_T gw::sip::SofiaThread
#define NUA_MAGIC_T gw::sip::SofiaThread
#define NUA_HMAGIC_T void

#include <sofia-sip/nua.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_wait.h>
