// drsynth_bench: synthesis time and memory for N copies of the built-in DR
// system, phase by phase, against a lower bound that only serializes the final
// JSON documents with nlohmann::json and writes them (no construct tree).
//
//   drsynth_bench                       every N (1,10,100,300,1000), each in a
//                                       fresh child process, then the CLI timing;
//                                       prints a Markdown table
//   drsynth_bench --n 1,300             only these N
//   drsynth_bench --one N               one N in this process (the parent runs
//                                       --one N --reps 1 once per repetition, each
//                                       in a fresh process); prints one RESULT line
//   --dir DIR        scratch folder for the assemblies (default: a fresh one in
//                    /dev/shm, else in the temp folder)
//   --reps R         repetitions per N (default: more for small N); medians are reported
//   --cli-runs K     runs of `drsynth synth` for the end-to-end timing (default 31; 0: skip)
//   --cli PATH       the drsynth binary (default: the one built with this benchmark)
//   --keep           with --one: keep the first repetition's assembly in DIR/out-0
//                    (to diff the output of two builds)
//
// Each copy has its own environment suffix (s0, s1, ...), so its own 4 stacks.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "drsynth/drsynth.hpp"
#include "synth/internal.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, n, field) == 0) return std::strtol(line.c_str() + n, nullptr, 10);
  return 0;
}
long vm_hwm_kib() { return status_kib("VmHWM:"); }
long vm_rss_kib() { return status_kib("VmRSS:"); }
// CPU time (user + system) of every thread of the process so far.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}
// Minor page faults so far (first touches of memory the process got from the kernel).
long minor_faults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

std::uintmax_t bytes_in(const fs::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

void write_all(const fs::path& p, std::string_view data, mode_t mode = 0644) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot create " + p.string());
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) throw std::runtime_error("cannot write " + p.string());
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

struct Sample {
  double tree = 0, validate = 0, resolve = 0, render = 0, check = 0, write = 0, total = 0, lower = 0;
  double faults = 0, lower_faults = 0;  // minor page faults in the synthesis / in the lower bound
  double cpu = 0;                       // CPU seconds of the synthesis, all threads
};

// One N in this process: prints "RESULT key=value ...".
int run_one(int n, const fs::path& dir, int reps, bool keep) {
  std::vector<Sample> samples;
  long hwm = 0, rss_tree = 0, rss_render = 0;
  std::uintmax_t bytes = 0;
  std::size_t stacks = 0;
  for (int rep = 0; rep < reps; ++rep) {
    Sample s;
    const fs::path out = dir / ("out-" + std::to_string(rep));
    const fs::path lower_out = dir / ("lower-" + std::to_string(rep));
    const long faults_before = minor_faults();
    const double cpu_before = cpu_seconds();
    auto t = Clock::now();
    drsynth::App app(drsynth::AppProps{.read_environment = false});
    for (int i = 0; i < n; ++i)
      app.add<drsynth::patterns::PostgresDisasterRecovery>("DisasterRecovery" + std::to_string(i),
                                                            {.environment_suffix = "s" + std::to_string(i)});
    s.tree = since(t);
    if (rep == 0) rss_tree = vm_rss_kib();

    t = Clock::now();
    drsynth::prepare(app);
    const auto diagnostics = drsynth::validate(app);
    s.validate = since(t);
    for (const auto& d : diagnostics)
      if (d.severity == drsynth::Severity::error) {
        std::cerr << "bench: " << d.format() << '\n';
        return 1;
      }

    t = Clock::now();
    drsynth::Assembly assembly = drsynth::render(app);
    const double render = since(t);
    if (rep == 0) rss_render = vm_rss_kib();
    const auto timings = drsynth::detail::last_render_timings();
    // The hook splits render() into its two passes; whatever it does not
    // attribute (collecting the stacks, the artifacts) counts as resolve.
    s.render = timings.render_seconds;
    s.resolve = render - s.render;

    t = Clock::now();
    const auto checks = drsynth::check_assembly(assembly);
    s.check = since(t);
    for (const auto& d : checks)
      if (d.severity == drsynth::Severity::error) {
        std::cerr << "bench: " << d.format() << '\n';
        return 1;
      }

    t = Clock::now();
    drsynth::write_assembly(assembly, out);
    s.write = since(t);
    s.total = s.tree + s.validate + render + s.check + s.write;
    s.faults = static_cast<double>(minor_faults() - faults_before);
    s.cpu = cpu_seconds() - cpu_before;
    if (rep == 0) {
      hwm = vm_hwm_kib();
      bytes = bytes_in(out);
      stacks = assembly.stacks.size();
    }

    // The lower bound: the same final documents, already built, only
    // serialized with nlohmann::json and written (the deploy scripts and
    // assets are written as the same bytes, without producing them).
    const auto manifest = nlohmann::json::parse(assembly.manifest_text);
    std::vector<nlohmann::json> documents;
    for (const auto& st : assembly.stacks) documents.push_back(nlohmann::json::parse(st.template_text));
    const auto tree = nlohmann::json::parse(assembly.tree_text);
    const std::string deploy = drsynth::deploy_script(assembly);
    const std::string destroy = drsynth::destroy_script(assembly);
    std::vector<std::pair<fs::path, std::string>> asset_files;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (!e.is_regular_file()) continue;
      const auto rel = fs::relative(e.path(), out);
      if (rel.begin()->string().rfind("asset.", 0) != 0) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      asset_files.emplace_back(rel, ss.str());
    }
    const long lower_faults_before = minor_faults();
    t = Clock::now();
    fs::create_directory(lower_out);
    auto dump = [](const nlohmann::json& j) {
      std::string text = j.dump(2);
      text.push_back('\n');
      return text;
    };
    write_all(lower_out / "manifest.json", dump(manifest));
    write_all(lower_out / "tree.json", dump(tree));
    for (std::size_t i = 0; i < assembly.stacks.size(); ++i) write_all(lower_out / assembly.stacks[i].template_file, dump(documents[i]));
    for (const auto& [rel, content] : asset_files) {
      fs::create_directories((lower_out / rel).parent_path());
      write_all(lower_out / rel, content);
    }
    write_all(lower_out / "deploy.sh", deploy, 0755);
    write_all(lower_out / "destroy.sh", destroy, 0755);
    s.lower = since(t);
    s.lower_faults = static_cast<double>(minor_faults() - lower_faults_before);
    samples.push_back(s);

    if (!(keep && rep == 0)) fs::remove_all(out);
    fs::remove_all(lower_out);
  }
  auto med = [&](double Sample::*field) {
    std::vector<double> v;
    for (const auto& s : samples) v.push_back(s.*field);
    return median(v);
  };
  std::printf(
      "RESULT n=%d stacks=%zu reps=%d tree=%.6f validate=%.6f resolve=%.6f render=%.6f check=%.6f write=%.6f "
      "total=%.6f cpu=%.6f lower=%.6f faults=%.0f lower_faults=%.0f hwm_kib=%ld rss_after_tree_kib=%ld rss_after_render_kib=%ld bytes=%ju\n",
      n, stacks, reps, med(&Sample::tree), med(&Sample::validate), med(&Sample::resolve), med(&Sample::render),
      med(&Sample::check), med(&Sample::write), med(&Sample::total), med(&Sample::cpu), med(&Sample::lower), med(&Sample::faults), med(&Sample::lower_faults), hwm, rss_tree, rss_render, bytes);
  return 0;
}

// Runs argv in a child; returns its stdout (empty on failure) and wall time.
// `cpu`: the child's user + system time (wait4), when not null.
std::string run_child(const std::vector<std::string>& args, const fs::path& cwd, double* wall, bool capture,
                      double* cpu = nullptr) {
  int fds[2];
  if (capture && ::pipe(fds) != 0) return {};
  const auto t0 = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) _exit(127);
    if (capture) {
      ::dup2(fds[1], 1);
      ::close(fds[0]);
      ::close(fds[1]);
    } else {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  std::string out;
  if (capture) {
    ::close(fds[1]);
    char buf[4096];
    ssize_t k;
    while ((k = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(k));
    ::close(fds[0]);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  if (wall != nullptr) *wall = since(t0);
  if (cpu != nullptr)
    *cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "bench: " << args[0] << " failed (status " << status << ")\n";
    std::exit(1);
  }
  return out;
}

std::map<std::string, std::string> parse_result(const std::string& line) {
  std::map<std::string, std::string> kv;
  std::istringstream in(line);
  std::string word;
  while (in >> word)
    if (auto eq = word.find('='); eq != std::string::npos) kv[word.substr(0, eq)] = word.substr(eq + 1);
  return kv;
}

int default_reps(int n) { return n <= 1 ? 21 : n <= 10 ? 11 : n <= 100 ? 5 : 3; }

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> ns{1, 10, 100, 300, 1000};
  int one = -1;
  int reps = 0;
  int cli_runs = 31;
  bool keep = false;
  fs::path dir;
  std::string cli = DRSYNTH_CLI_BINARY;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "bench: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--one") one = std::stoi(next());
    else if (a == "--reps") reps = std::stoi(next());
    else if (a == "--dir") dir = next();
    else if (a == "--cli") cli = next();
    else if (a == "--keep") keep = true;
    else if (a == "--cli-runs") cli_runs = std::stoi(next());
    else if (a == "--n") {
      ns.clear();
      std::stringstream ss(next());
      std::string item;
      while (std::getline(ss, item, ',')) ns.push_back(std::stoi(item));
    } else {
      std::cerr << "usage: drsynth_bench [--n 1,10,100] [--reps R] [--cli-runs K] [--cli PATH] [--dir DIR] | --one N\n";
      return 2;
    }
  }
  const bool own_dir = dir.empty();
  // Default scratch: tmpfs, so that the numbers measure drsynth rather than
  // the disk (on a loaded VM disk, creating a file can take milliseconds).
  if (own_dir) {
    std::error_code ec;
    const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    dir = base / ("drsynth-bench-" + std::to_string(::getpid()));
  }
  fs::create_directories(dir);

  if (one >= 0) return run_one(one, dir, reps > 0 ? reps : default_reps(one), keep);

  const std::string self = fs::canonical("/proc/self/exe").string();
  std::printf("| N | stacks | synthesis (s) | CPU (s) | per stack (µs) | tree (s) | validate (s) | resolve (s) | render (s) "
              "| check (s) | write (s) | lower bound (s) | synthesis / lower bound | page faults (synthesis / lower bound) "
              "| peak RSS (MB) | bytes written |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::fflush(stdout);
  for (int n : ns) {
    // Every repetition in a fresh process, as `drsynth synth` runs: a second
    // synthesis in one process finds the heap of the first (freed, fragmented)
    // and measures the allocator's state as much as drsynth.
    const int runs = reps > 0 ? reps : default_reps(n);
    std::vector<std::map<std::string, std::string>> results;
    for (int rep = 0; rep < runs; ++rep) {
      const std::vector<std::string> args{self, "--one", std::to_string(n), "--reps", "1", "--dir",
                                          (dir / ("n" + std::to_string(n))).string()};
      const std::string out = run_child(args, {}, nullptr, true);
      results.push_back(parse_result(out.substr(out.find("RESULT"))));
    }
    std::map<std::string, std::string> kv = results.front();
    auto d = [&](const char* k) {
      std::vector<double> v;
      for (auto& r : results) v.push_back(std::stod(r[k]));
      return median(v);
    };
    const double stacks = d("stacks");
    std::printf("| %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, stacks,
                fmt("%.4f", d("total")).c_str(), fmt("%.4f", d("cpu")).c_str(), fmt("%.1f", d("total") / stacks * 1e6).c_str(),
                fmt("%.4f", d("tree")).c_str(), fmt("%.4f", d("validate")).c_str(), fmt("%.4f", d("resolve")).c_str(),
                fmt("%.4f", d("render")).c_str(), fmt("%.4f", d("check")).c_str(), fmt("%.4f", d("write")).c_str(),
                fmt("%.4f", d("lower")).c_str(), fmt("%.2f", d("total") / d("lower")).c_str(),
                (fmt("%.0f", d("faults")) + " / " + fmt("%.0f", d("lower_faults"))).c_str(),
                fmt("%.1f", d("hwm_kib") / 1024.0).c_str(), kv["bytes"].c_str());
    std::fflush(stdout);
  }

  if (cli_runs > 0) {
    const fs::path cwd = dir / "cli";
    fs::create_directories(cwd);
    std::vector<double> walls;
    std::vector<double> cpus;
    for (int i = 0; i < cli_runs; ++i) {
      double wall = 0;
      double cpu = 0;
      run_child({cli, "synth", "-q", "-o", (cwd / "cdk.out").string()}, cwd, &wall, false, &cpu);
      walls.push_back(wall);
      cpus.push_back(cpu);
    }
    std::sort(walls.begin(), walls.end());
    std::sort(cpus.begin(), cpus.end());
    std::printf("\n`drsynth synth` (N = 1, process start to exit), %d runs: median %.2f ms (min %.2f, max %.2f); "
                "CPU per process (user + system) median %.2f ms (min %.2f, max %.2f)\n",
                cli_runs, median(walls) * 1e3, walls.front() * 1e3, walls.back() * 1e3, median(cpus) * 1e3,
                cpus.front() * 1e3, cpus.back() * 1e3);
  }
  if (own_dir) fs::remove_all(dir);
  return 0;
}
