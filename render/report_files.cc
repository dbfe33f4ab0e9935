// Copyright 2026 The orderly Authors.

#include "render/report_files.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "render/report_html.h"
#include "render/report_trace.h"

namespace orderly {
namespace {

// Owns a file descriptor; closes it unless Release()d.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and returns close()'s result (0, or -1 with errno).
  int Close() { return close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

absl::Status Errno(int error, absl::string_view what, absl::string_view path) {
  return absl::ErrnoToStatus(error, absl::StrCat(what, " \"", path, "\""));
}

// 16 hex digits, unpredictable enough that another user cannot pre-create
// the name (and O_EXCL makes a collision an EEXIST, never a shared file).
std::string RandomSuffix() {
  uint64_t bits = 0;
  if (getrandom(&bits, sizeof(bits), GRND_NONBLOCK) != sizeof(bits)) {
    bits = static_cast<uint64_t>(absl::GetCurrentTimeNanos()) *
               0x9E3779B97F4A7C15u ^
           static_cast<uint64_t>(getpid());
  }
  return absl::StrFormat("%016x", bits);
}

absl::Status WriteAll(int fd, absl::string_view content,
                      absl::string_view path) {
  while (!content.empty()) {
    const ssize_t n = write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno(errno, "cannot write", path);
    content.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

std::string Join(const std::string& directory, absl::string_view name) {
  return directory.empty() ? std::string(name)
                           : absl::StrCat(directory, "/", name);
}

absl::Status CheckName(absl::string_view name) {
  if (name.empty() || name == "." || name == ".." ||
      name.find('/') != absl::string_view::npos ||
      name.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "report file name \"", name,
        "\" must be a plain file name (not empty, \".\" or \"..\", no '/')"));
  }
  return absl::OkStatus();
}

// Creates a fresh temporary file in `dir`; returns its descriptor and name.
absl::StatusOr<std::pair<int, std::string>> CreateTemp(
    int dir, absl::string_view name, const std::string& shown_dir) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = absl::StrCat(".", name, ".tmp-", RandomSuffix());
    const int fd =
        openat(dir, temp.c_str(),
               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) return std::make_pair(fd, std::move(temp));
    if (errno != EEXIST) {
      return Errno(errno, "cannot create a temporary file in",
                   shown_dir.empty() ? "." : shown_dir);
    }
  }
  return absl::AlreadyExistsError(
      absl::StrCat("cannot create a temporary file in \"", shown_dir,
                   "\": 100 random names were all taken"));
}

// Writes, syncs and renames one file within the open directory `dir`.
absl::Status WriteAt(int dir, const std::string& shown_dir,
                     absl::string_view name, absl::string_view content) {
  const std::string final_path = Join(shown_dir, name);
  auto temp = CreateTemp(dir, name, shown_dir);
  if (!temp.ok()) return temp.status();
  Fd fd(temp->first);
  const std::string& temp_name = temp->second;
  const std::string temp_path = Join(shown_dir, temp_name);

  absl::Status s = WriteAll(fd.get(), content, temp_path);
  if (s.ok() && fsync(fd.get()) != 0)
    s = Errno(errno, "cannot fsync", temp_path);
  if (fd.Close() != 0 && s.ok()) s = Errno(errno, "cannot close", temp_path);
  // renameat() replaces whatever is at the final name, a symbolic link
  // included, without following it.
  if (s.ok() &&
      renameat(dir, temp_name.c_str(), dir, std::string(name).c_str()) != 0) {
    s = Errno(errno, absl::StrCat("cannot rename \"", temp_path, "\" to"),
              final_path);
  }
  if (!s.ok()) {
    unlinkat(dir, temp_name.c_str(), 0);
    return s;
  }
  // Makes the rename itself durable. Some file systems cannot sync a
  // directory (EINVAL); the file is in place all the same.
  if (fsync(dir) != 0 && errno != EINVAL) {
    return Errno(errno, "cannot fsync directory",
                 shown_dir.empty() ? "." : shown_dir);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> OpenDirectory(const std::string& directory) {
  const std::string path = directory.empty() ? "." : directory;
  const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(errno, "cannot open directory", path);
  return fd;
}

// `directory` as shown in paths: absolute when it was empty (the working
// directory), so that a printed path can be opened from anywhere.
std::string ShownDirectory(const std::string& directory) {
  if (!directory.empty()) return directory;
  char cwd[4096];
  return getcwd(cwd, sizeof(cwd)) != nullptr ? std::string(cwd) : ".";
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& directory,
                                 absl::string_view name,
                                 absl::string_view content) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  absl::StatusOr<int> dir = OpenDirectory(directory);
  if (!dir.ok()) return dir.status();
  Fd dir_fd(*dir);
  return WriteAt(dir_fd.get(), ShownDirectory(directory), name, content);
}

absl::Status WriteReportFiles(const ShutdownReport& report,
                              const std::string& directory,
                              const std::string& basename,
                              std::vector<std::string>* written) {
  if (absl::Status s = CheckName(basename); !s.ok()) return s;
  absl::StatusOr<int> dir = OpenDirectory(directory);
  if (!dir.ok()) return dir.status();
  Fd dir_fd(*dir);
  const std::string shown = ShownDirectory(directory);
  const std::pair<std::string, std::string> files[] = {
      {absl::StrCat(basename, ".trace.json"), ToChromeTrace(report)},
      {absl::StrCat(basename, ".html"), ToHtmlTimeline(report)},
  };
  for (const auto& [name, content] : files) {
    if (absl::Status s = WriteAt(dir_fd.get(), shown, name, content); !s.ok()) {
      return s;
    }
    if (written != nullptr) written->push_back(Join(shown, name));
  }
  return absl::OkStatus();
}

}  // namespace orderly
