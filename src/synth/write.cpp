// Phase 4: the cloud assembly on disk, published atomically.
//
// Everything is written into a fresh folder beside the target
// (".<name>.tmp-<pid>-<n>", see output_folder.hpp) and then swapped into place
// with one renameat2(RENAME_EXCHANGE), so a reader sees the old assembly or the
// new one, never a mix, and a run killed at any point leaves the old one
// intact. An existing folder is replaced only when output_folder.hpp's rules
// allow it; SIGINT/SIGTERM/SIGHUP during the write remove the temporary folder
// (interrupt.hpp).
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "drsynth/core/asset.hpp"
#include "drsynth/core/logical_id.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/synth/synth.hpp"
#include "synth/asset_staging.hpp"
#include "core/fd_io.hpp"
#include "drsynth/core/error_codes.hpp"
#include "synth/internal.hpp"
#include "synth/interrupt.hpp"
#include "synth/output_folder.hpp"

namespace drsynth {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void io_fail(const std::string& what, const fs::path& p, int err) {
  throw Error(Diagnostic{.code = codes::E402,
                         .path = "",
                         .message = what + " " + p.string() + ": " + std::strerror(err),
                         .got = p.string(),
                         .expected = "a writable output folder"});
}

// The SHA-256 of each file of the assembly, for the marker: computed by the
// thread that writes the file, while its bytes are at hand.
struct Digests {
  std::mutex mutex;
  std::map<std::string, std::string, std::less<>> by_name;
  void add(std::string name, std::string digest) {
    std::lock_guard lock(mutex);
    by_name[std::move(name)] = std::move(digest);
  }
  void add(std::vector<std::pair<std::string, std::string>> named) {
    std::lock_guard lock(mutex);
    for (auto& [name, digest] : named) by_name[std::move(name)] = std::move(digest);
  }
};

// Before each file: the tests' hook, and a stop when a signal came.
void before_write(const fs::path& p) {
  if (detail::before_write_hook != nullptr) detail::before_write_hook(p);
  detail::throw_if_interrupted();
}

// Creates p with `data` (E402 when it cannot).
void write_file(const fs::path& p, std::string_view data, mode_t mode = 0644) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) io_fail("cannot create", p, errno);
  if (const int err = detail::write_all(fd, data); err != 0) {
    ::close(fd);
    io_fail("cannot write", p, err);
  }
  if (::close(fd) != 0) io_fail("cannot write", p, errno);
}

// A file of the assembly folder `dir`: linked from the previous assembly when
// that holds the same bytes under the same name (the usual case: synthesizing
// the same system again), else written.
void put_file(const fs::path& dir, const std::string& name, std::string_view data, Digests& digests,
              const detail::PreviousAssembly& previous, mode_t mode = 0644) {
  before_write(dir / name);
  std::string digest = sha256_hex(data);
  if (detail::link_unchanged(previous, dir, name, data.size(), &digest, mode).empty()) write_file(dir / name, data, mode);
  digests.add(name, std::move(digest));
}

// Our temporary folder: removed unless published.
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

void write_files(const Assembly& assembly, const fs::path& dir, const detail::PreviousAssembly& previous) {
  Digests digests;
  put_file(dir, "manifest.json", assembly.manifest_text, digests, previous);
  // tree.json and the templates: on several threads for a large assembly
  // (creating a file costs the kernel more than writing its bytes).
  detail::parallel_for(assembly.stacks.size() + 1, 0, [&](unsigned /*worker*/, std::size_t i) {
    if (i == 0) {
      put_file(dir, "tree.json", assembly.tree_text, digests, previous);
    } else {
      const auto& s = assembly.stacks[i - 1];
      put_file(dir, s.template_file, s.template_text, digests, previous);
      if (!s.assets_file.empty()) put_file(dir, s.assets_file, s.assets_text, digests, previous);
    }
  });
  // Every copy of a construct that uses the same code has its own Asset with
  // the same content hash: stage each content once; what the previous
  // assembly holds already is linked, not written (asset_staging.hpp).
  std::unordered_set<std::string_view> staged;
  for (const Asset* a : assembly.assets) {
    if (!staged.insert(a->hash()).second) continue;
    detail::throw_if_interrupted();
    try {
      digests.add(detail::stage_asset(*a, dir, &previous));
    } catch (const fs::filesystem_error& e) {
      io_fail("cannot stage asset into", dir, e.code().value());
    }
  }
  put_file(dir, "deploy.sh", deploy_script(assembly), digests, previous, 0755);
  put_file(dir, "destroy.sh", destroy_script(assembly), digests, previous, 0755);
  // The previous stacks a `--stack` run does not write, for the guard.
  nlohmann::json kept = nlohmann::json::array();
  if (!assembly.kept_stacks.empty()) {
    const std::string folder(detail::kept_stacks_folder);
    if (::mkdir((dir / folder).c_str(), 0755) != 0) io_fail("cannot create", dir / folder, errno);
    for (const auto& s : assembly.kept_stacks) {
      const std::string file = folder + "/" + fs::path(s.template_file).filename().string();
      put_file(dir, file, s.template_text, digests, previous);
      kept.push_back({{"dependencies", s.dependencies},
                      {"environment", s.environment},
                      {"stackName", s.name},
                      {"templateFile", file}});
    }
  }
  // The proof that this folder is drsynth's, written last; then the folder
  // stops being a temporary one.
  const std::string marker = detail::assembly_marker(dir, digests.by_name, kept.dump());
  const fs::path marker_path = dir / detail::assembly_marker_name;
  before_write(marker_path);
  write_file(marker_path, marker);
  detail::throw_if_interrupted();
  if (::unlink((dir / detail::temporary_marker_name).c_str()) != 0) io_fail("cannot write", dir, errno);
}

// Writes the assembly beside the target and publishes it; false when a signal
// stopped it first (the temporary folder is gone then).
bool write_and_publish(const Assembly& assembly, const detail::OutputFolder& out,
                       const detail::PreviousAssembly& previous) {
  std::error_code ec;
  fs::create_directories(out.parent, ec);
  if (ec) io_fail("cannot create", out.parent, ec.value());
  detail::remove_stale_temporaries(out.target);

  static std::atomic<unsigned> counter{0};
  TempDir tmp;
  const fs::path path = detail::temporary_path(out.target, counter++);
  detail::create_temporary(path);
  tmp.path = path;
  try {
    write_files(assembly, tmp.path, previous);
  } catch (const detail::WriteInterrupted&) {
    return false;
  }

  // Publish: a plain rename when there is no previous assembly (or an empty
  // folder), else an atomic swap.
  if (::rename(tmp.path.c_str(), out.target.c_str()) == 0) {
    tmp.keep = true;
    return true;
  }
  if (errno != ENOTEMPTY && errno != EEXIST) io_fail("cannot rename into", out.target, errno);
  if (::renameat2(AT_FDCWD, tmp.path.c_str(), AT_FDCWD, out.target.c_str(), RENAME_EXCHANGE) != 0) {
    const int err = errno;
    if (err == EINVAL || err == ENOSYS || err == EOPNOTSUPP)
      throw Error(Diagnostic{.code = codes::E402,
                             .message = "cannot replace " + out.target.string() + ": the file system of " +
                                        out.parent.string() +
                                        " cannot swap two folders atomically (renameat2 with RENAME_EXCHANGE: " +
                                        std::strerror(err) + "); the previous assembly is untouched",
                             .got = out.target.string(),
                             .expected = "an output folder on a local file system (ext4, xfs, btrfs, tmpfs), or remove "
                                         "the previous assembly first"});
    io_fail("cannot replace", out.target, err);
  }
  // tmp now holds what was there. Checked again before it is removed: files
  // added since the first check (or a folder put there meanwhile) go back.
  try {
    detail::check_replaceable(tmp.path, detail::Verify::names_and_sizes);
  } catch (const Error&) {
    if (::renameat2(AT_FDCWD, tmp.path.c_str(), AT_FDCWD, out.target.c_str(), RENAME_EXCHANGE) != 0)
      tmp.keep = true;  // cannot swap back: keep both rather than lose one
    throw;
  }
  detail::mark_temporary(tmp.path);
  fs::remove_all(tmp.path, ec);
  tmp.path.clear();
  return true;
}

}  // namespace

void check_output_folder(const fs::path& outdir) {
  const auto out = detail::resolve_output_folder(outdir);
  if (out.exists) detail::check_replaceable(out.target, detail::Verify::names_and_sizes);
  detail::check_writable(out);
}

void write_assembly(const Assembly& assembly, const fs::path& outdir) {
  const auto out = detail::resolve_output_folder(outdir);
  detail::MarkedFiles marked;
  if (out.exists) marked = detail::check_replaceable(out.target, detail::Verify::contents);
  detail::check_writable(out);

  detail::InterruptScope interrupts;
  const bool published = write_and_publish(
      assembly, out, detail::PreviousAssembly{.dir = out.target, .marked = &marked, .umask = detail::current_umask()});
  const int sig = detail::InterruptScope::pending();
  interrupts.restore_and_reraise();  // with the default disposition, the process ends here
  if (sig != 0 && !published) throw Interrupted(sig, outdir.string());
}

}  // namespace drsynth
