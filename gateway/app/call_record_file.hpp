#pragma once
// Call records, one tab-separated line per finished call. Each is written
// (one O_APPEND write) when its call ends, so a crash of the process loses
// none; a thread of its own fdatasyncs them behind, so that a crash of the
// machine loses at most the last few milliseconds and the control thread
// never waits for the disk. (Issue 5 moves them into the SQLite store.)

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "drivers/tdm/unique_fd.hpp"
#include "gateway/core/call_bridge.hpp"

namespace gw::app {

class CallRecordFile {
 public:
  // Opens (creating) `path` for appending; throws std::runtime_error naming it.
  explicit CallRecordFile(const std::string& path);
  CallRecordFile(const CallRecordFile&) = delete;
  CallRecordFile& operator=(const CallRecordFile&) = delete;
  ~CallRecordFile();  // syncs what is left
  void append(const core::CallRecord& record);
  [[nodiscard]] static std::string format(const core::CallRecord& record);
  [[nodiscard]] static const char* header() noexcept;

 private:
  void sync_behind();

  std::string path_;
  tdm::UniqueFd fd_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool dirty_ = false;     // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread syncer_;
};

}  // namespace gw::app
