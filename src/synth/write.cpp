// Phase 4: the cloud assembly on disk, published atomically.
//
// Everything is written into a fresh folder beside the target
// (".<name>.tmp-<pid>-<n>") and then swapped into place with one
// renameat2(RENAME_EXCHANGE), so a reader sees the old assembly or the new
// one, never a mix, and a run killed at any point leaves the old one intact.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <unordered_set>

#include "drsynth/asset.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"
#include "synth/internal.hpp"

namespace drsynth {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void io_fail(const std::string& what, const fs::path& p, int err) {
  throw Error(Diagnostic{.code = "E402",
                         .path = "",
                         .message = what + " " + p.string() + ": " + std::strerror(err),
                         .got = p.string(),
                         .expected = "a writable output folder"},
              ErrorKind::io);
}

void write_file(const fs::path& p, std::string_view data, mode_t mode = 0644) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) io_fail("cannot create", p, errno);
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      io_fail("cannot write", p, err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) io_fail("cannot write", p, errno);
}

// Removes temporary folders left by runs that were killed (their pid is gone).
void remove_stale_temporaries(const fs::path& parent, const std::string& prefix) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
}

struct TempDir {
  fs::path path;
  bool keep = false;
  ~TempDir() {
    if (!keep && !path.empty()) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
};

}  // namespace

void write_assembly(const Assembly& assembly, const fs::path& outdir_in) {
  const fs::path outdir = fs::absolute(outdir_in).lexically_normal();
  const fs::path target = outdir.filename().empty() ? outdir.parent_path() : outdir;
  const fs::path parent = target.parent_path();
  std::error_code ec;
  if (fs::exists(target, ec) && !fs::is_directory(target, ec))
    throw Error(Diagnostic{.code = "E403",
                           .message = "the output path exists and is not a folder",
                           .got = target.string(),
                           .expected = "a folder or a path that does not exist"},
                ErrorKind::io);
  fs::create_directories(parent, ec);
  if (ec) io_fail("cannot create", parent, ec.value());

  const std::string prefix = "." + target.filename().string() + ".tmp-";
  remove_stale_temporaries(parent, prefix);
  static std::atomic<unsigned> counter{0};
  TempDir tmp{parent / (prefix + std::to_string(::getpid()) + "-" + std::to_string(counter++))};
  if (::mkdir(tmp.path.c_str(), 0755) != 0) {
    const int err = errno;
    tmp.path.clear();
    io_fail("cannot create a folder in", parent, err);
  }

  write_file(tmp.path / "manifest.json", assembly.manifest_text);
  // tree.json and the templates: on several threads for a large assembly
  // (creating a file costs the kernel more than writing its bytes).
  detail::parallel_for(assembly.stacks.size() + 1, 0, [&](unsigned /*worker*/, std::size_t i) {
    if (i == 0) {
      write_file(tmp.path / "tree.json", assembly.tree_text);
    } else {
      const auto& s = assembly.stacks[i - 1];
      write_file(tmp.path / s.template_file, s.template_text);
    }
  });
  // Every copy of a construct that uses the same code has its own Asset with
  // the same content hash: stage each content once.
  std::unordered_set<std::string_view> staged;
  for (const Asset* a : assembly.assets) {
    if (!staged.insert(a->hash()).second) continue;
    try {
      a->stage(tmp.path);
    } catch (const fs::filesystem_error& e) {
      io_fail("cannot stage asset into", tmp.path, e.code().value());
    }
  }
  write_file(tmp.path / "deploy.sh", deploy_script(assembly), 0755);
  write_file(tmp.path / "destroy.sh", destroy_script(assembly), 0755);

  // Publish: a plain rename when there is no previous assembly, else an atomic swap.
  if (::rename(tmp.path.c_str(), target.c_str()) == 0) {
    tmp.keep = true;
    return;
  }
  if (errno != ENOTEMPTY && errno != EEXIST) io_fail("cannot rename into", target, errno);
  if (::renameat2(AT_FDCWD, tmp.path.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
    io_fail("cannot replace", target, errno);
  // tmp now holds the previous assembly; the destructor removes it.
}

}  // namespace drsynth
