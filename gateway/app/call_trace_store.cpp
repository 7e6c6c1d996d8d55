#include "gateway/app/call_trace_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "drivers/isdn/q931_frame.hpp"
#include "drivers/sqlite/sqlite_db.hpp"

namespace gw::app {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sip_messages (
  id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, call_id TEXT NOT NULL, sent INTEGER NOT NULL,
  transport TEXT NOT NULL, address TEXT NOT NULL, port INTEGER NOT NULL, summary TEXT NOT NULL,
  text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sip_messages_call_id ON sip_messages (call_id);
CREATE TABLE IF NOT EXISTS q931_messages (
  id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, span TEXT NOT NULL,
  call_reference INTEGER NOT NULL, sent INTEGER NOT NULL, summary TEXT NOT NULL,
  frame BLOB NOT NULL, decoded TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS q931_messages_call ON q931_messages (span, call_reference, time_us);
CREATE TABLE IF NOT EXISTS rtp_packets (
  id INTEGER PRIMARY KEY, call_id TEXT NOT NULL, time_us INTEGER NOT NULL, sent INTEGER NOT NULL,
  address TEXT NOT NULL, port INTEGER NOT NULL, local_port INTEGER NOT NULL, packet BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS rtp_packets_call_id ON rtp_packets (call_id);
CREATE TABLE IF NOT EXISTS call_traces (
  id INTEGER PRIMARY KEY, call_id TEXT NOT NULL, span TEXT NOT NULL,
  call_reference INTEGER NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS call_traces_call_id ON call_traces (call_id);
)sql";

constexpr std::int64_t kKept = 200'000;
// Q.931 messages of a call may come a little before the SIP side knows of
// it (a SETUP from the PSTN) and after it is recorded (RELEASE COMPLETE).
constexpr std::int64_t kBeforeUs = 2'000'000;
constexpr std::int64_t kAfterUs = 10'000'000;

std::int64_t micros(std::chrono::system_clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
}

}  // namespace

CallTraceStore::CallTraceStore(const std::string& path) {
  try {
    db_ = std::make_unique<sqlite::Database>(path, 2000,
                                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    db_->execute(kSchema);
    // Added after the first release; older rows have no decode.
    db_->add_column_if_missing("q931_messages", "decoded", "TEXT NOT NULL DEFAULT ''");
  } catch (const std::exception& error) {
    throw std::runtime_error("--data-dir: call traces " + path + ": " + error.what());
  }
}

CallTraceStore::~CallTraceStore() = default;

void CallTraceStore::add_sip(const sip::WireMessage& message) {
  sqlite::Statement insert(*db_,
                           "INSERT INTO sip_messages (time_us, call_id, sent, transport, address, "
                           "port, summary, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  insert.bind(1, micros(message.time))
      .bind(2, message.call_id)
      .bind(3, message.sent ? 1 : 0)
      .bind(4, message.transport)
      .bind(5, message.peer_address)
      .bind(6, message.peer_port)
      .bind(7, message.summary)
      .bind(8, message.text)
      .run();
  if (++inserts_ % 1000 == 0) prune("sip_messages");
}

void CallTraceStore::add_frame(const std::string& span, const isdn::DChannelFrame& frame) {
  const auto header = isdn::q931_header(frame.bytes);
  if (!header || header->call_reference == 0) return;
  sqlite::Statement insert(*db_,
                           "INSERT INTO q931_messages (time_us, span, call_reference, sent, "
                           "summary, frame, decoded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.bind(1, micros(frame.time))
      .bind(2, span)
      .bind(3, header->call_reference)
      .bind(4, frame.sent ? 1 : 0)
      .bind(5, isdn::q931_message_name(header->message_type))
      .bind_blob(6, std::string_view(reinterpret_cast<const char*>(frame.bytes.data()),
                                     frame.bytes.size()))
      .bind(7, frame.decoded)
      .run();
  if (++inserts_ % 1000 == 0) prune("q931_messages");
}

void CallTraceStore::add_call(const core::CallRecord& record) {
  sqlite::Statement insert(*db_,
                           "INSERT INTO call_traces (call_id, span, call_reference, start_us, "
                           "end_us) VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.bind(1, record.call_id)
      .bind(2, record.span)
      .bind(3, record.call_reference)
      .bind(4, micros(record.start))
      .bind(5, micros(record.end))
      .run();
  if (++inserts_ % 1000 == 0) prune("call_traces");
}

void CallTraceStore::add_rtp(const std::string& call_id,
                             const std::vector<media::CapturedPacket>& packets) {
  if (packets.empty()) return;
  sqlite::Transaction all(*db_);
  sqlite::Statement insert(*db_,
                           "INSERT INTO rtp_packets (call_id, time_us, sent, address, port, "
                           "local_port, packet) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& packet : packets) {
    insert.bind(1, call_id)
        .bind(2, packet.time_us)
        .bind(3, packet.sent ? 1 : 0)
        .bind(4, packet.peer_address)
        .bind(5, static_cast<int>(packet.peer_port))
        .bind(6, static_cast<int>(packet.local_port))
        .bind_blob(7, packet.bytes)
        .run();
  }
  all.commit();
  inserts_ += packets.size();
  if (inserts_ % 1000 < packets.size()) prune("rtp_packets");
}

void CallTraceStore::prune(const char* table) {
  const std::string sql = std::string("DELETE FROM ") + table +
                          " WHERE id <= (SELECT max(id) FROM " + table + ") - " +
                          std::to_string(kKept);
  db_->execute(sql.c_str());
}

std::optional<CallTrace> CallTraceStore::trace(const std::string& call_id) const {
  // One snapshot: the control thread's inserts and pruning may come between
  // these SELECTs when the web API reads on its own connection.
  const sqlite::Transaction snapshot(*db_, sqlite::Transaction::Mode::read);
  sqlite::Statement call(*db_,
                         "SELECT span, call_reference, start_us, end_us FROM call_traces WHERE "
                         "call_id = ?1 ORDER BY id DESC LIMIT 1");
  call.bind(1, call_id);
  if (!call.next_row()) return std::nullopt;
  CallTrace trace;
  trace.call_id = call_id;
  trace.span = call.text(0);
  const int call_reference = call.number(1);
  trace.start_us = call.number64(2);
  trace.end_us = call.number64(3);
  read_sip(trace);
  if (call_reference >= 0 && !trace.span.empty()) read_q931(trace, call_reference);
  read_rtp(trace);
  std::stable_sort(trace.messages.begin(), trace.messages.end(),
                   [](const auto& a, const auto& b) { return a.time_us < b.time_us; });
  return trace;
}

void CallTraceStore::read_sip(CallTrace& trace) const {
  sqlite::Statement sip(*db_,
                        "SELECT time_us, sent, transport, address, port, summary, text FROM "
                        "sip_messages WHERE call_id = ?1 ORDER BY id");
  sip.bind(1, trace.call_id);
  while (sip.next_row()) {
    TracedMessage& message = trace.messages.emplace_back();
    message.time_us = sip.number64(0);
    message.sent = sip.number(1) != 0;
    message.transport = sip.text(2);
    message.peer_address = sip.text(3);
    message.peer_port = sip.number(4);
    message.peer =
        message.transport + " " + message.peer_address + ":" + std::to_string(message.peer_port);
    message.summary = sip.text(5);
    message.content = sip.text(6);
  }
}

// The call's Q.931 messages: its call reference on its span, from a little
// before its start to a little after its end (references are reused).
void CallTraceStore::read_q931(CallTrace& trace, int call_reference) const {
  sqlite::Statement q931(*db_,
                         "SELECT time_us, sent, summary, frame, decoded FROM q931_messages "
                         "WHERE span = ?1 AND call_reference = ?2 AND time_us BETWEEN ?3 AND ?4 "
                         "ORDER BY id");
  q931.bind(1, trace.span)
      .bind(2, call_reference)
      .bind(3, trace.start_us - kBeforeUs)
      .bind(4, trace.end_us + kAfterUs);
  while (q931.next_row()) {
    TracedMessage& message = trace.messages.emplace_back();
    message.sip = false;
    message.time_us = q931.number64(0);
    message.sent = q931.number(1) != 0;
    message.summary = q931.text(2);
    message.peer = trace.span;
    message.content = q931.blob(3);
    message.decoded = q931.text(4);
  }
}

void CallTraceStore::read_rtp(CallTrace& trace) const {
  sqlite::Statement rtp(*db_,
                        "SELECT time_us, sent, address, port, local_port, packet FROM rtp_packets "
                        "WHERE call_id = ?1 ORDER BY id");
  rtp.bind(1, trace.call_id);
  while (rtp.next_row()) {
    auto& packet = trace.rtp.emplace_back();
    packet.time_us = rtp.number64(0);
    packet.sent = rtp.number(1) != 0;
    packet.peer_address = rtp.text(2);
    packet.peer_port = static_cast<std::uint16_t>(rtp.number(3));
    packet.local_port = static_cast<std::uint16_t>(rtp.number(4));
    packet.bytes = rtp.blob(5);
  }
}

}  // namespace gw::app
