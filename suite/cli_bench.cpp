// `parity bench`: every op per device and size, and the conversions.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "engine/spec/error.h"
#include "suite/bench.h"
#include "suite/cli_common.h"
#include "suite/meta.h"

namespace parity::suite::cli {
namespace {

InstructionSource parse_instructions(const std::string& s) {
  if (s == "none") return InstructionSource::None;
  if (s == "auto") return InstructionSource::Auto;
  if (s == "perf") return InstructionSource::PerfEvent;
  if (s == "callgrind") return InstructionSource::Callgrind;
  throw ValueError("--instructions expects none, auto, perf or callgrind, got '" + s + "'");
}

// A short summary: what ran, how sampling stopped, the noisiest cases. --details adds the
// full table (every case's median, spread, GB/s).
void print_bench(const reports::Report& report, const BenchResult& res, bool details) {
  if (details) fmt::print("{}", reports::render_summary(report));
  std::vector<std::string> devices;
  std::size_t samples = 0;
  for (const auto& r : report.benches) {
    if (std::find(devices.begin(), devices.end(), r.device) == devices.end()) devices.push_back(r.device);
    samples += r.samples.size();
  }
  std::string devs;
  for (const auto& d : devices) devs += (devs.empty() ? "" : ", ") + d;
  fmt::print(
      "bench: {} cases on {}, {} samples; stopped on the noise target {}, on --max-samples {}, on "
      "--max-time {}\n",
      report.benches.size(), devs.empty() ? "nothing" : devs, samples, res.stopped_on_target,
      res.stopped_on_max_samples, res.stopped_on_time);
  std::vector<std::pair<double, const reports::BenchRecord*>> noisy;
  for (const auto& r : report.benches) noisy.emplace_back(median_ci_halfwidth(r.samples), &r);
  std::sort(noisy.begin(), noisy.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (!noisy.empty()) fmt::print("noisiest (median's 95% CI half-width):\n");
  for (std::size_t i = 0; i < noisy.size() && i < 3; ++i) {
    const std::string width =
        std::isfinite(noisy[i].first) ? fmt::format("{:.1f}%", 100 * noisy[i].first) : "n/a";
    fmt::print("  {:>8}  {}  median {:.3g} s\n", width, noisy[i].second->key, noisy[i].second->median());
  }
  if (!details) return;
  for (const auto& r : report.benches) {
    if (r.counters.empty()) continue;
    std::string line;
    for (const auto& [name, value] : r.counters) line += fmt::format(" {}={:.6g}", name, value);
    fmt::print("counters per iteration ({}) {}:{}\n", r.counter_source, r.key, line);
  }
}

class BenchCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand("bench", "Time every op per device and size, and the conversions");
    devices_opt_ = cmd->add_option("--devices", devices_,
                                   "array (reference engine), cpu, cuda (default all three; cuda is skipped "
                                   "with a note when absent, and refused when asked for explicitly)");
    cmd->add_option("--ops", ops_, "Ops to time, comma separated (default: all)");
    cmd->add_option("--dtypes", dtypes_, "Dtypes to time (default float32)");
    cmd->add_option("--sizes", sizes_,
                    "Element counts (default 1024,16384,262144,4194304; --quick 4096,262144); matmul "
                    "uses square matrices of about that many elements, at most 1024x1024 (512x512 on the array engine)");
    cmd->add_option("--reduce-over", reduce_over_,
                    "What reductions are timed over, comma separated: all (every axis of a 1-d operand; the "
                    "default), inner or outer (axis 1 or 0 of a matrix of about sqrt(n) x sqrt(n)), several "
                    "(axes 0 and 2 of a cube of about n elements; not prod, all, any)");
    cmd->add_flag("--quick", opts_.quick, "Fewer sizes and samples, shorter batches (what scripts/run uses)");
    cmd->add_option("--repetitions", opts_.repetitions,
                    "Exactly this many samples per case (sets --min-samples and --max-samples)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--min-samples", opts_.min_samples, "Samples per case at least (default 10, quick 5)")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--max-samples", opts_.max_samples, "Samples per case at most (default 50, quick 15)")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--min-time", opts_.min_time,
                    "Seconds per sample: one sample times a batch of iterations lasting at least this "
                    "(default 0.01, quick 0.005)")
        ->check(finite_range(1e-6, 60.0));
    cmd->add_option("--warmup", opts_.warmup,
                    "Seconds of untimed batches per case before sampling (default 0.05, quick 0.01)")
        ->check(finite_range(0, 60.0));
    cmd->add_option("--target", opts_.target,
                    "Stop sampling a case when its median's relative 95% confidence half-width is at most "
                    "this (default 0.01, quick 0.03)")
        ->check(finite_range(0, 1.0));
    cmd->add_option("--max-time", opts_.max_time,
                    "Seconds of sampling per case at most (default 2, quick 0.25)")
        ->check(finite_range(1e-3, 3600.0));
    cmd->add_flag(
        "--cold", opts_.cold,
        "Flush caches before every timed iteration (host last-level cache, GPU L2); keys get |cold");
    cmd->add_flag("--no-conversions", no_conversions_, "Skip the conversion timings");
    cmd->add_flag("--details", details_, "Print every case (median, spread, GB/s), not only the summary");
    cmd->add_flag("--counters", opts_.counters,
                  "Also record load-independent counters per iteration: allocations, bytes_allocated, and on "
                  "cuda kernel_launches and syncs (with --instructions, instructions too)");
    cmd->add_option(
        "--instructions", instructions_,
        "Instruction counts per iteration: none (default), auto, perf (perf_event_open), callgrind "
        "(run as: valgrind --tool=callgrind --collect-atstart=no --instr-atstart=no parity bench ...)");
    cmd->add_option("--callgrind-out", opts_.callgrind_out,
                    "valgrind's --callgrind-out-file, when you gave it one (default callgrind.out.%p)");
    cmd->add_option("--shard", shard_,
                    "Run one shard: I/N (0-based) or auto (Slurm array, Kubernetes Indexed Job)");
    out_opt_ = cmd->add_option("-o,--output", out_, "Write the report to this HDF5 file");
    cmd->footer(
        help_footer("array, cpu, cuda",
                    "0 done; 2 bad input, nothing selected, or cuda asked for without a device; 130/143 "
                    "interrupted",
                    "parity bench --quick --ops add,matmul --devices cpu -o bench.h5"));
    return cmd;
  }

  int run(const std::string& command_line) override {
    check_output_option(out_opt_, out_);
    if (devices_opt_->count()) opts_.devices = split_list(devices_, "--devices");
    require_cuda_if_asked(devices_opt_, opts_.devices);
    opts_.ops = parse_ops(split_list(ops_, "--ops"));
    opts_.dtypes = parse_dtypes(split_list(dtypes_, "--dtypes"));
    opts_.sizes = parse_sizes(sizes_, "--sizes");
    if (!reduce_over_.empty()) opts_.reduce_over = parse_reduce_over(split_list(reduce_over_, "--reduce-over"));
    opts_.conversions = !no_conversions_;
    opts_.instructions = parse_instructions(instructions_);
    if (!shard_.empty()) opts_.shard = parse_shard(shard_);
    reports::Report report;
    report.meta = collect_metadata("bench", command_line);
    record_run(report.meta, opts_.shard, run_selection(command_line));
    BenchResult res = run_bench(opts_);
    report.benches = std::move(res.records);
    for (const auto& n : res.notes) fmt::print("note: {}\n", n);
    print_bench(report, res, details_);
    save(report, out_);
    return kExitOk;
  }

 private:
  BenchOptions opts_;
  std::vector<std::string> devices_, ops_, dtypes_{"float32"}, sizes_, reduce_over_;
  std::string out_, shard_, instructions_ = "none";
  bool no_conversions_ = false, details_ = false;
  CLI::Option* devices_opt_ = nullptr;
  CLI::Option* out_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_bench_command() { return std::make_unique<BenchCommand>(); }

}  // namespace parity::suite::cli
