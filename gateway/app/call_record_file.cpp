#include "gateway/app/call_record_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <stdexcept>
#include <system_error>

namespace gw::app {
namespace {

std::string iso_time(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()) % 1000;
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string result(text, length);
  const auto ms = std::to_string(millis.count());
  return result + "." + std::string(3 - ms.size(), '0') + ms + "Z";
}

// Tabs and newlines inside a field would break the line apart.
std::string field(std::string text) {
  for (char& c : text) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return text.empty() ? "-" : text;
}

}  // namespace

const char* CallRecordFile::header() noexcept {
  return "# start\tanswered\tend\tcall-id\tfrom\trequest-uri\tcalled\troute\ttrunk-group\tspan"
         "\ttimeslot\tsip-status"
         "\tq850-cause\tended-by\tdirection\n";
}

CallRecordFile::CallRecordFile(const std::string& path)
    : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) {
  if (!fd_) {
    throw std::runtime_error("--data-dir: cannot write call records to " + path + ": " +
                             std::error_code(errno, std::generic_category()).message());
  }
  struct stat info {};
  if (::fstat(fd_.get(), &info) == 0 && info.st_size == 0) {
    const std::string head = header();
    [[maybe_unused]] const auto written = ::write(fd_.get(), head.data(), head.size());
  }
  syncer_ = std::thread([this] { sync_behind(); });
}

CallRecordFile::~CallRecordFile() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  syncer_.join();
}

void CallRecordFile::sync_behind() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return dirty_ || stopping_; });
    const bool last = stopping_;
    dirty_ = false;
    lock.unlock();
    ::fdatasync(fd_.get());
    lock.lock();
    if (last && !dirty_) return;
  }
}

std::string CallRecordFile::format(const core::CallRecord& record) {
  std::string line = iso_time(record.start);
  line += '\t' + (record.answered ? iso_time(*record.answered) : std::string("-"));
  line += '\t' + iso_time(record.end);
  for (const auto* text :
       {&record.call_id, &record.from, &record.request_uri, &record.called_number, &record.route,
        &record.trunk_group, &record.span}) {
    line += '\t' + field(*text);
  }
  line += '\t' + std::to_string(record.timeslot) + '\t' + std::to_string(record.sip_status) + '\t' +
          std::to_string(record.cause) + '\t' + field(record.ended_by) + '\t' +
          (record.from_pstn ? "from-pstn" : "to-pstn") + '\n';
  return line;
}

void CallRecordFile::append(const core::CallRecord& record) {
  const std::string line = format(record);
  // One write with O_APPEND: a line is never interleaved or torn by another.
  if (::write(fd_.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    throw std::runtime_error("call records: cannot write " + path_ + ": " +
                             std::error_code(errno, std::generic_category()).message());
  }
  {
    const std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wake_.notify_one();
}

}  // namespace gw::app
