// Copyright 2026 The orderly Authors.
//
// access_log.h: the demo's access log, one line per answered request,
// written to a file by a BackgroundConsumer so that request handlers never
// wait for the disk.
//
// Its shutdown, as DESIGN.md's sequence runs it:
//   `threads`  the consumer thread is asked to stop and joined, like the
//              request handlers that push lines;
//   `flush`    the consumer's "drain" cleanup writes every line still queued
//              (every handler has been joined by then: nothing can arrive);
//   `close`    "close-file" flushes stdio, fsyncs and closes the file, so
//              the lines are on disk when the sequence ends.
// Nothing is dropped: the queue blocks producers when full (kBlock).
//
// Thread-safety: Write() from any thread.
// Lifetime: the runtime's cleanups share the file (shared_ptr); the log may
// be released before or after the sequence runs.

#ifndef ORDERLY_EXAMPLES_DEMO_ACCESS_LOG_H_
#define ORDERLY_EXAMPLES_DEMO_ACCESS_LOG_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "blocks/background_consumer.h"
#include "runtime/runtime.h"

namespace orderly_demo {

class AccessLog {
 public:
  // Creates (or truncates) `path`, never through a symbolic link, and
  // declares the component "access-log". Errors: the file's (naming it and
  // errno), or the runtime's.
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(
      orderly::Runtime& rt, const std::string& path);

  // Queues one line (a newline is added). OK, or why not (after the flush).
  absl::Status Write(std::string line) {
    return consumer_->Push(std::move(line));
  }

  const std::string& path() const { return path_; }

 private:
  // The open file; written by the consumer (one thread at a time).
  class File {
   public:
    explicit File(std::FILE* f) : f_(f) {}
    void Append(const std::string& line);
    absl::Status Close(const std::string& path);

   private:
    absl::Mutex mu_;
    std::FILE* f_ ABSL_GUARDED_BY(mu_);
  };

  AccessLog(std::string path,
            std::unique_ptr<orderly::BackgroundConsumer<std::string>> consumer)
      : path_(std::move(path)), consumer_(std::move(consumer)) {}

  const std::string path_;
  std::unique_ptr<orderly::BackgroundConsumer<std::string>> consumer_;
};

}  // namespace orderly_demo

#endif  // ORDERLY_EXAMPLES_DEMO_ACCESS_LOG_H_
