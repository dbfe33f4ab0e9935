// Copyright 2026 The orderly Authors.
//
// report_files.h: write a shutdown report's timeline files, atomically and
// without following symbolic links planted at their names.
//
//   std::vector<std::string> written;
//   absl::Status s = orderly::WriteReportFiles(**report, "/var/log/svc",
//                                              "shutdown", &written);
//   // Writes /var/log/svc/shutdown.trace.json (report_trace.h) and
//   // /var/log/svc/shutdown.html (report_html.h).
//
// Contract
// - `directory` empty means the working directory. It must exist; it is not
//   created. Errors name the path and the system's reason (errno text), with
//   the code absl::ErrnoToStatus gives (NotFound for a missing directory,
//   PermissionDenied, ...). InvalidArgument: an empty `basename`, or one
//   that is "." or "..", or contains '/' or a NUL byte.
// - Each file is written whole or not at all: its content goes to a new
//   temporary file in the same directory (".<name>.tmp-XXXXXXXX", created
//   with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644 less the umask), is fsync'ed,
//   then renamed over the final name, and the directory is fsync'ed. A
//   reader sees the old file or the new one, never a part. An existing file
//   is replaced; on failure the temporary file is removed and the old file
//   is untouched.
// - Symbolic links: no open() ever names the final path, so a link planted
//   there (in a shared, writable directory) is never followed; rename()
//   replaces the link itself and its target is not modified. The directory
//   is opened once and every later call is relative to that descriptor
//   (openat, renameat), so swapping the directory path for a link halfway
//   through changes nothing. (The `directory` path itself is resolved as
//   given, links included: choosing it is the caller's decision.)
// - The trace is written first, then the page. `written`, if not null,
//   receives the full path of each file once it is in place, so after an
//   error it says which file (if any) was written.
//
// Thread-safety: safe to call from any thread; two calls writing the same
// names at once each leave one whole file (the later rename wins).
// Not async-signal-safe (it allocates): do not call it from a signal handler;
// SequenceListener::OnFinished or the code after Runtime::Shutdown() is the
// place.

#ifndef ORDERLY_RENDER_REPORT_FILES_H_
#define ORDERLY_RENDER_REPORT_FILES_H_

#include "runtime/version.h"  // First: checks for C++17.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "runtime/report.h"

namespace orderly {

absl::Status WriteReportFiles(const ShutdownReport& report,
                              const std::string& directory,
                              const std::string& basename,
                              std::vector<std::string>* written);

// Writes `content` to `directory`/`name` as described above (one file).
// For services that render other files the same safe way.
absl::Status WriteFileAtomically(const std::string& directory,
                                 absl::string_view name,
                                 absl::string_view content);

}  // namespace orderly

#endif  // ORDERLY_RENDER_REPORT_FILES_H_
