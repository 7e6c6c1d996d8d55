#pragma once
// Where finished calls go: their records and traces in DATA_DIR/calls.db,
// written on the control thread, and the counts behind /metrics. Record
// searches for the control socket run on a thread of their own over a
// connection of their own: a search by number reads the whole table, and
// call control must not wait for it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/app/call_record_store.hpp"
#include "gateway/app/call_trace_store.hpp"

namespace gw::app {

// Counts since the start, for /metrics.
struct CallCounters {
  std::map<std::pair<std::string, std::string>, std::uint64_t> calls;  // direction, result
  std::map<int, std::uint64_t> causes;  // Q.850 cause the ISDN call ended with
};

class CallStores {
 public:
  // Opens (creating) `path`; throws std::runtime_error naming it.
  CallStores(boost::asio::io_context& control, std::string path,
             std::function<void(std::string_view)> log);
  CallStores(const CallStores&) = delete;
  CallStores& operator=(const CallStores&) = delete;
  ~CallStores();

  // A finished call: counted, filed for its trace and written. A write that
  // fails (disk full) is logged, and the gateway goes on.
  void record(const core::CallRecord& record);
  void trace_sip(const sip::WireMessage& message);
  void trace_frame(const std::string& span, const isdn::DChannelFrame& frame);
  void trace_rtp(const std::string& call_id, const std::vector<media::CapturedPacket>& packets);

  // The records `query` selects, a header line first and "end" last (or
  // "error ..."), given to `answer` on the control thread.
  void search(const CallQuery& query, bool csv, std::function<void(const std::string&)> answer);

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const CallCounters& counters() const noexcept { return counters_; }

 private:
  void keep(const char* what, const std::function<void()>& write);

  boost::asio::io_context& control_;
  std::string path_;
  std::function<void(std::string_view)> log_;
  CallCounters counters_;
  std::unique_ptr<CallRecordStore> records_;
  std::unique_ptr<CallTraceStore> traces_;
  std::unique_ptr<CallRecordStore> search_store_;
  // Declared after the store it reads, so it is joined before that closes.
  boost::asio::thread_pool search_thread_{1};
};

}  // namespace gw::app
