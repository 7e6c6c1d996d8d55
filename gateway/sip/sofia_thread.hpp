#pragma once
// The thread that owns Sofia-SIP: su_root, NUA and every call into them.

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "drivers/tdm/unique_fd.hpp"
#include "gateway/sip/sofia.hpp"
#include "gateway/sip/stack.hpp"

namespace gw::sip {

class SofiaThread {
 public:
  // Starts the thread and waits until NUA is bound; throws std::runtime_error
  // when it cannot bind.
  SofiaThread(const StackConfig& config, const std::atomic<bool>& accepting);
  SofiaThread(const SofiaThread&) = delete;
  SofiaThread& operator=(const SofiaThread&) = delete;
  ~SofiaThread();

  // Runs `work` on the SIP thread. Any thread.
  void post(std::function<void()> work);

  // Sofia's callbacks land here (trampolines in sofia_thread.cpp).
  void on_nua_event(nua_event_t event, int status, nua_handle_t* handle, const sip_t* sip);
  void on_wakeup();

 private:
  void run(const StackConfig& config, const std::function<void(std::string)>& started);
  void answer_options(nua_handle_t* handle);
  void refuse_invite(nua_handle_t* handle);

  const std::atomic<bool>& accepting_;
  int retry_after_seconds_ = 30;
  su_root_t* root_ = nullptr;
  nua_t* nua_ = nullptr;
  tdm::UniqueFd wake_fd_;
  std::mutex mutex_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace gw::sip
