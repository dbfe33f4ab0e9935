// Copyright 2026 The orderly Authors.

#include "examples/demo/access_log.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace orderly_demo {

void AccessLog::File::Append(const std::string& line) {
  absl::MutexLock lock(&mu_);
  if (f_ == nullptr) return;  // Closed: cannot happen after a clean flush.
  std::fputs(line.c_str(), f_);
  std::fputc('\n', f_);
}

absl::Status AccessLog::File::Close(const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (f_ == nullptr) return absl::OkStatus();
  std::FILE* f = std::exchange(f_, nullptr);
  const bool flushed = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  const int error = errno;
  if (std::fclose(f) != 0 || !flushed) {
    return absl::ErrnoToStatus(flushed ? errno : error,
                               absl::StrCat("access log \"", path, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(
    orderly::Runtime& rt, const std::string& path) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
           0644);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("cannot open \"", path, "\""));
  }
  std::FILE* f = fdopen(fd, "w");
  if (f == nullptr) {
    close(fd);
    return absl::ErrnoToStatus(errno, absl::StrCat("fdopen \"", path, "\""));
  }
  auto file = std::make_shared<File>(f);
  orderly::BackgroundConsumerOptions<std::string> options;
  options.runtime = &rt;
  options.capacity = 4096;
  options.overflow = orderly::OverflowPolicy::kBlock;
  auto consumer = orderly::BackgroundConsumer<std::string>::Create(
      "access-log", [file](std::string&& line) { file->Append(line); },
      std::move(options));
  if (!consumer.ok()) {
    file->Close(path).IgnoreError();
    return consumer.status();
  }
  // After the consumer's `flush` drain: the file is closed last.
  absl::Status s = rt.AddCleanup("access-log", "close", "close-file",
                                 [file, path] { return file->Close(path); });
  if (!s.ok()) return s;
  return std::unique_ptr<AccessLog>(new AccessLog(path, std::move(*consumer)));
}

}  // namespace orderly_demo
