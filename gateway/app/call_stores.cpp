#include "gateway/app/call_stores.hpp"

#include <boost/asio/post.hpp>

namespace gw::app {

CallStores::CallStores(boost::asio::io_context& control, std::string path,
                       std::function<void(std::string_view)> log)
    : control_(control),
      path_(std::move(path)),
      log_(std::move(log)),
      records_(std::make_unique<CallRecordStore>(path_)),
      traces_(std::make_unique<CallTraceStore>(path_)),
      search_store_(std::make_unique<CallRecordStore>(path_)) {}

CallStores::~CallStores() {
  search_thread_.join();
}

void CallStores::keep(const char* what, const std::function<void()>& write) {
  try {
    write();
  } catch (const std::exception& error) {
    if (log_) log_(std::string(what) + ": " + error.what());
  }
}

void CallStores::record(const core::CallRecord& record) {
  const std::string direction = record.from_pstn ? "from-pstn" : "to-pstn";
  ++counters_.calls[{direction, record.answered ? "answered" : "unanswered"}];
  if (record.cause > 0) ++counters_.causes[record.cause];
  keep("call traces", [&] { traces_->add_call(record); });
  keep("call records", [&] { records_->append(record); });
}

void CallStores::trace_sip(const sip::WireMessage& message) {
  keep("call traces", [&] { traces_->add_sip(message); });
}

void CallStores::trace_frame(const std::string& span, const isdn::DChannelFrame& frame) {
  keep("call traces", [&] { traces_->add_frame(span, frame); });
}

void CallStores::trace_rtp(const std::string& call_id,
                           const std::vector<media::CapturedPacket>& packets) {
  keep("call traces", [&] { traces_->add_rtp(call_id, packets); });
}

void CallStores::search(const CallQuery& query, bool csv,
                        std::function<void(const std::string&)> answer) {
  boost::asio::post(search_thread_, [this, query, csv, answer = std::move(answer)] {
    std::string out = CallRecordStore::header(csv) + "\n";
    try {
      for (const auto& line : search_store_->search(query, csv)) out += line + "\n";
      out += "end";
    } catch (const std::exception& error) {
      out = std::string("error ") + error.what();
    }
    boost::asio::post(control_, [answer, out = std::move(out)] { answer(out); });
  });
}

}  // namespace gw::app
