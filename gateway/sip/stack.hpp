#pragma once
// The SIP stack: Sofia-SIP's NUA on a thread of its own. Only this directory
// includes Sofia-SIP headers. Other threads never call into Sofia: they post
// closures through a queue the SIP thread drains (woken by an eventfd
// registered with su_root); the SIP thread will post its call events to the
// control thread's io_context once the call bridge exists. Until then it
// answers OPTIONS and refuses INVITE with 503 itself.

#include <atomic>
#include <memory>
#include <string>

namespace gw::sip {

struct StackConfig {
  std::string bind = "127.0.0.1";
  int port = 5060;
  int retry_after_seconds = 30;  // in a 503 when the gateway takes no calls
};

class SofiaThread;

class Stack {
 public:
  // Binds UDP and TCP on bind:port and starts the SIP thread. Throws
  // std::runtime_error naming the address when Sofia cannot bind.
  explicit Stack(const StackConfig& config);
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  // Shuts NUA down (pending transactions answered) and joins the thread.
  ~Stack();

  // Whether the gateway can take a call now (a span up, a channel free):
  // OPTIONS is answered 200 or 503 with Retry-After, as load balancers expect.
  // Any thread may call it; the SIP thread reads it without a lock.
  void set_accepting_calls(bool accepting) noexcept {
    accepting_.store(accepting, std::memory_order_release);
  }

 private:
  std::atomic<bool> accepting_{true};
  std::unique_ptr<SofiaThread> sofia_;
};

}  // namespace gw::sip
