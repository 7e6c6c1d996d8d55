#pragma once
// Thread affinity checked rather than stated: an object that must only be used
// on one thread keeps a ThreadAffinity and calls check() at its entry points.
// In debug and sanitizer builds (NDEBUG not defined, or SIPGW_THREAD_CHECKS
// defined) a call from another thread aborts, naming the entry point and both
// threads; in release builds check() is empty and inlines to nothing.
//
//   class Bridge {
//     void on_event() { affinity_.check("Bridge::on_event"); ... }
//     gw::ThreadAffinity affinity_;  // bound to the constructing thread
//   };
//
// An object built on one thread and then handed to another calls rebind() on
// the new owner (SofiaThread from its thread's first line), or starts
// unbound (ThreadAffinity::deferred) to bind at its first check().

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#if !defined(NDEBUG) || defined(SIPGW_THREAD_CHECKS)
#define SIPGW_THREAD_CHECKS_ON 1
#else
#define SIPGW_THREAD_CHECKS_ON 0
#endif

namespace gw {

class ThreadAffinity {
 public:
  static constexpr bool enabled = SIPGW_THREAD_CHECKS_ON != 0;

  struct Deferred {};
  static constexpr Deferred deferred{};

  // Owned by the constructing thread.
  ThreadAffinity() noexcept : owner_(std::this_thread::get_id()) {}
  // Owned by whichever thread calls check() first.
  explicit ThreadAffinity(Deferred /*unused*/) noexcept {}
  ThreadAffinity(const ThreadAffinity&) = delete;
  ThreadAffinity& operator=(const ThreadAffinity&) = delete;

  // The calling thread becomes the owner: for a hand-over, once the old
  // owner no longer touches the object.
  void rebind() noexcept { owner_.store(std::this_thread::get_id(), std::memory_order_release); }
  // The next check() binds.
  void unbind() noexcept { owner_.store(std::thread::id{}, std::memory_order_release); }

  // Aborts when called on a thread other than the owner (checking builds only).
  void check(const char* where) const noexcept {
#if SIPGW_THREAD_CHECKS_ON
    const std::thread::id here = std::this_thread::get_id();
    std::thread::id owner = owner_.load(std::memory_order_acquire);
    // Unbound: the first caller takes it (a racing second caller sees the winner).
    if (owner == std::thread::id{} && owner_.compare_exchange_strong(owner, here)) return;
    if (owner != here) fail(where, owner, here);
#else
    (void)where;
#endif
  }

 private:
  [[noreturn]] static void fail(const char* where, std::thread::id owner, std::thread::id here) {
    std::ostringstream text;
    text << "thread affinity violated: " << (where != nullptr ? where : "?") << " called on thread "
         << here << ", owned by thread " << owner << "\n";
    const std::string message = text.str();
    (void)std::fputs(message.c_str(), stderr);
    (void)std::fflush(stderr);
    std::abort();
  }

  // mutable: the first check() of a deferred binding records the owner.
  mutable std::atomic<std::thread::id> owner_{};
};

}  // namespace gw
