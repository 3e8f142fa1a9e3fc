#include "suite/bench.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <set>

#include "engine/interop/convert.h"
#include "engine/spec/error.h"
#include "kernels/common/cuda_runtime.h"
#include "suite/cases.h"
#include "suite/check.h"
#include "suite/instructions.h"

namespace parity::suite {

using spec::DType;
using spec::OpId;
using spec::OpKind;

std::vector<std::int64_t> default_sizes(bool quick) {
  if (quick) return {1 << 12, 1 << 18};
  return {1 << 10, 1 << 14, 1 << 18, 1 << 22};
}

std::vector<ReduceOver> parse_reduce_over(const std::vector<std::string>& names) {
  std::vector<ReduceOver> out;
  for (const std::string& n : names) {
    ReduceOver r;
    if (n == "all")
      r = ReduceOver::All;
    else if (n == "inner")
      r = ReduceOver::Inner;
    else if (n == "outer")
      r = ReduceOver::Outer;
    else if (n == "several")
      r = ReduceOver::Several;
    else
      throw ValueError("--reduce-over: unknown choice '" + n + "' (all, inner, outer, several)");
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  return out;
}

namespace {

struct Job {
  reports::BenchRecord record;  // everything but samples
  std::function<void()> body;   // one iteration
  bool cuda = false;
};

// The inputs of an op benchmark of `n` elements: 1-d operands, matmul square (its side at
// most `max_side`), a reduction's operand shaped for `over`.
Case bench_case(OpId op, DType dtype, std::int64_t n, std::int64_t max_side, ReduceOver over = ReduceOver::All) {
  const spec::OpSpec& s = spec::op_spec(op);
  Case c{op, Mode::Forward, {}, {}, {}, false, Layout::Contiguous};
  const auto side = [&](double root) { return std::max<std::int64_t>(1, std::llround(std::pow(double(n), root))); };
  if (s.kind == OpKind::Matmul) {
    const std::int64_t m = std::clamp<std::int64_t>(side(0.5), 1, max_side);
    c.shapes = {{m, m}, {m, m}};
  } else if (s.kind == OpKind::Reduction && (over == ReduceOver::Inner || over == ReduceOver::Outer)) {
    const std::int64_t m = side(0.5);
    c.shapes = {{std::max<std::int64_t>(1, n / m), m}};
    c.axes = {over == ReduceOver::Inner ? 1 : 0};
  } else if (s.kind == OpKind::Reduction && over == ReduceOver::Several) {
    const std::int64_t m = side(1.0 / 3.0);
    c.shapes = {{m, m, std::max<std::int64_t>(1, n / (m * m))}};
    c.axes = {0, 2};
  } else {
    c.shapes.assign(std::size_t(s.arity), spec::Shape{n});
  }
  c.dtypes = operand_dtypes(s, c.shapes.size(), dtype);  // a condition operand is bool
  // A cast is timed to one target: float32 to float16 (the mixed-precision cast), every other
  // dtype to float32.
  if (s.casts()) c.target = dtype == DType::Float32 ? DType::Float16 : DType::Float32;
  return c;
}

// Names a case: "op|dtype|device|(n,)x(n,)", a cast's target after the shapes as the check
// writes it ("(n,) dtype=float16"). numel counts the first operand's elements (the output's for
// every op here).
void fill_record(reports::BenchRecord& r, const std::string& op, DType dtype, const std::string& device,
                 const std::vector<spec::Shape>& shapes, const std::string& timer,
                 std::optional<DType> target = std::nullopt, const std::vector<std::int64_t>& axes = {}) {
  r.op = op;
  r.dtype = std::string(spec::dtype_name(dtype));
  r.device = device;
  r.shape.clear();
  for (std::size_t i = 0; i < shapes.size(); ++i) r.shape += (i ? "x" : "") + spec::shape_str(shapes[i]);
  // A reduction over every axis keeps the key it always had ("(n,)"); others name their axes.
  if (!axes.empty()) r.shape += " axes=" + spec::shape_str(axes);
  if (target) r.shape += " dtype=" + std::string(spec::dtype_name(*target));
  r.numel = spec::numel(shapes.at(0));
  r.timer = timer;
  r.key = r.op + "|" + r.dtype + "|" + r.device + "|" + r.shape;
}

void add_op_jobs(const BenchOptions& o, const std::vector<std::int64_t>& sizes, bool cuda_ok,
                 std::vector<Job>& jobs) {
  for (const spec::OpSpec& op : spec::op_table()) {
    if (!o.ops.empty() && std::find(o.ops.begin(), o.ops.end(), op.id) == o.ops.end()) continue;
    // A reduction once per --reduce-over choice (Several not for one-dim PyTorch ops); others once.
    std::vector<ReduceOver> overs{ReduceOver::All};
    if (op.kind == OpKind::Reduction) {
      overs.clear();
      for (ReduceOver r : o.reduce_over)
        if (!(r == ReduceOver::Several && op.torch_single_dim())) overs.push_back(r);
    }
    for (DType dtype : o.dtypes) {
      if (!op.dtypes.contains(dtype)) continue;
      for (std::int64_t n : sizes)
      for (ReduceOver over : overs) {
        // The tensor engine's case, and the array engine's where its matmul cap makes it smaller.
        struct Prepared {
          Case c;
          std::vector<array::NdArray> inputs;
          spec::Cost cost;
        };
        auto prepare = [&](std::int64_t max_side) {
          Prepared p{bench_case(op.id, dtype, n, max_side, over), {}, {}};
          for (const Input& in : make_inputs(p.c)) p.inputs.push_back(in.base);
          std::vector<spec::Operand> operands;
          for (DType t : p.c.dtypes) operands.push_back({t, false});
          const DType out =
              spec::result_dtype(op.id, spec::Semantics::PyTorch, operands, spec::Backend::Cpu, p.c.params());
          p.cost = spec::op_cost(op.id, p.c.shapes, dtype, out);
          return p;
        };
        const Prepared tensor_case = prepare(kMaxMatmulSide);
        std::optional<Prepared> array_case;
        if (bench_case(op.id, dtype, n, kMaxArrayMatmulSide, over).shapes != tensor_case.c.shapes)
          array_case = prepare(kMaxArrayMatmulSide);
        for (const std::string& dev : o.devices) {
          const Prepared& pc = dev == "array" && array_case ? *array_case : tensor_case;
          const Case& c = pc.c;
          const std::vector<array::NdArray>& inputs = pc.inputs;
          const spec::Cost& cost = pc.cost;
          Job j;
          if (dev == "array") {
            fill_record(j.record, std::string(op.name), dtype, "array", c.shapes, "wall", c.target, c.axes);
            j.record.engine = "array";
            j.body = [c, inputs] { benchmark::DoNotOptimize(apply_array(c, inputs)); };
          } else if (dev == "cpu" || (dev == "cuda" && cuda_ok)) {
            const core::Device d = dev == "cpu" ? core::Device::cpu() : core::Device::cuda();
            std::vector<tensor::Tensor> ts;
            for (const auto& a : inputs) ts.push_back(interop::to_tensor(a, d));
            fill_record(j.record, std::string(op.name), dtype, d.str(), c.shapes,
                        d.is_cuda() ? "cuda-event" : "wall", c.target, c.axes);
            j.record.engine = "tensor";
            j.cuda = d.is_cuda();
            j.body = [c, ts] { benchmark::DoNotOptimize(apply_tensor(c, ts)); };
          } else {
            continue;
          }
          j.record.bytes = cost.bytes;
          j.record.flops = cost.flops;
          jobs.push_back(std::move(j));
        }
      }
    }
  }
}

// Conversions: zero-copy wraps against copies, both directions, and host<->device.
void add_conversion_jobs(const BenchOptions& o, const std::vector<std::int64_t>& sizes, bool cuda_ok,
                         std::vector<Job>& jobs) {
  const DType dtype = o.dtypes.empty() ? DType::Float32 : o.dtypes[0];
  const double item = double(spec::itemsize(dtype));
  auto add = [&](const std::string& name, std::int64_t n, const std::string& dev, double bytes, bool cuda,
                 std::function<void()> body) {
    Job j;
    fill_record(j.record, name, dtype, dev, {{n}}, cuda ? "cuda-event" : "wall");
    j.record.bytes = bytes;
    j.cuda = cuda;
    j.body = std::move(body);
    jobs.push_back(std::move(j));
  };
  for (std::int64_t n : sizes) {
    const array::NdArray a = array::NdArray::random({n}, dtype, 7);
    const tensor::Tensor t = interop::from_array(a);
    const double bytes = double(n) * item;
    const bool want_cpu = std::find(o.devices.begin(), o.devices.end(), "cpu") != o.devices.end() ||
                          std::find(o.devices.begin(), o.devices.end(), "array") != o.devices.end();
    if (want_cpu) {
      add("convert:array_to_tensor_wrap", n, "cpu", 0, false,
          [a] { benchmark::DoNotOptimize(interop::from_array(a)); });
      add("convert:array_to_tensor_copy", n, "cpu", 2 * bytes, false,
          [a] { benchmark::DoNotOptimize(interop::to_tensor(a)); });
      add("convert:tensor_to_array_wrap", n, "cpu", 0, false,
          [t] { benchmark::DoNotOptimize(interop::to_array(t)); });
      add("convert:tensor_to_array_copy", n, "cpu", 2 * bytes, false,
          [t] { benchmark::DoNotOptimize(interop::copy_to_array(t)); });
    }
    const bool want_cuda = std::find(o.devices.begin(), o.devices.end(), "cuda") != o.devices.end();
    if (want_cuda && cuda_ok) {
      const std::string dev = core::Device::cuda().str();
      add("convert:host_to_device_pageable", n, dev, bytes, true,
          [t] { benchmark::DoNotOptimize(t.to(core::Device::cuda())); });
      const tensor::Tensor on_dev = t.to(core::Device::cuda());
      add("convert:device_to_host_pageable", n, dev, bytes, true,
          [on_dev] { benchmark::DoNotOptimize(on_dev.cpu()); });
      const std::size_t nbytes = std::size_t(bytes);
      std::unique_ptr<void, void (*)(void*)> block(kernels::cuda::host_malloc_pinned(nbytes),
                                                   kernels::cuda::host_free_pinned);
      void* pinned = block.get();
      auto storage =
          core::Storage::adopt(pinned, nbytes, core::Device::cpu(), kernels::cuda::host_free_pinned,
                               /*pinned=*/true);
      block.release();
      std::memcpy(pinned, a.data(), nbytes);
      const tensor::Tensor pt = tensor::Tensor::from_storage(storage, dtype, {n}, {1}, 0);
      add("convert:host_to_device_pinned", n, dev, bytes, true,
          [pt] { benchmark::DoNotOptimize(pt.to(core::Device::cuda())); });
    }
  }
}

// The last-level cache's size as the kernel reports it (sysconf can overstate it in VMs).
std::size_t last_level_cache_bytes() {
  for (const char* index : {"index3", "index2"}) {
    std::ifstream in(std::string("/sys/devices/system/cpu/cpu0/cache/") + index + "/size");
    std::string text;
    if (!(in >> text) || text.empty()) continue;
    std::size_t value = std::strtoull(text.c_str(), nullptr, 10);
    const char unit = text.back();
    if (unit == 'K') value <<= 10;
    if (unit == 'M') value <<= 20;
    if (value > 0) return value;
  }
  const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  return l3 > 0 ? std::size_t(l3) : std::size_t(32) << 20;
}

// Evicts the host's caches by reading a buffer twice the size of the last-level cache
// (reads, so no dirty lines are left to be written back during the timed work).
void flush_host_caches() {
  static const std::vector<std::uint64_t> buffer = [] {
    const std::size_t bytes =
        std::clamp<std::size_t>(2 * last_level_cache_bytes(), std::size_t(8) << 20, std::size_t(256) << 20);
    return std::vector<std::uint64_t>(bytes / sizeof(std::uint64_t), 1);
  }();
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < buffer.size(); i += 8) sum += buffer[i];  // one read per 64-byte line
  benchmark::DoNotOptimize(sum);
}

// The iterations of a cold batch: each pays an untimed cache flush, so a fixed count keeps
// the run short where a minimum time would multiply the flushes for small ops.
int cold_iterations(bool quick) { return quick ? 3 : 10; }

// One case's sampling state.
struct Sampler {
  Job* job = nullptr;
  std::int64_t iterations = 1;  // per batch
  std::shared_ptr<kernels::cuda::EventTimer> events;
  double spent = 0;  // seconds of sampling so far
};

// Times one batch; returns seconds per iteration.
double time_batch(Sampler& s, bool cold) {
  const std::function<void()>& body = s.job->body;
  const std::int64_t n = s.iterations;
  using clock = std::chrono::steady_clock;
  double total = 0;
  if (s.job->cuda) {
    if (!s.events) s.events = std::make_shared<kernels::cuda::EventTimer>();
    if (cold) {
      for (std::int64_t i = 0; i < n; ++i) {
        kernels::cuda::flush_l2();
        s.events->start();
        body();
        total += s.events->stop_ms() / 1e3;
      }
    } else {
      s.events->start();
      for (std::int64_t i = 0; i < n; ++i) body();
      total = s.events->stop_ms() / 1e3;
    }
  } else if (cold) {
    for (std::int64_t i = 0; i < n; ++i) {
      flush_host_caches();
      const auto t0 = clock::now();
      body();
      total += std::chrono::duration<double>(clock::now() - t0).count();
    }
  } else {
    const auto t0 = clock::now();
    for (std::int64_t i = 0; i < n; ++i) body();
    total = std::chrono::duration<double>(clock::now() - t0).count();
  }
  return total / double(n);
}

// Finds the iterations per batch that make a batch last min_time (hot), then warms up.
void calibrate(Sampler& s, const Sampling& p, bool cold, bool quick) {
  using clock = std::chrono::steady_clock;
  if (cold) {
    s.iterations = cold_iterations(quick);
  } else {
    constexpr std::int64_t kMaxIterations = std::int64_t(1) << 30;
    while (true) {
      const double batch = time_batch(s, false) * double(s.iterations);
      if (batch >= p.min_time || s.iterations >= kMaxIterations) break;
      const double grow = batch > 0 ? std::ceil(p.min_time / batch * 1.2) : 10;
      s.iterations = std::min(kMaxIterations, s.iterations * std::int64_t(std::clamp(grow, 2.0, 10.0)));
    }
  }
  const auto t0 = clock::now();
  do time_batch(s, cold);
  while (std::chrono::duration<double>(clock::now() - t0).count() < p.warmup);
}

// The load-independent counters of one case, per iteration.
class CounterProbe {
 public:
  CounterProbe(const BenchOptions& o, std::vector<std::string>& notes) : quick_(o.quick) {
    InstructionSource src = o.instructions;
    if (src == InstructionSource::Auto)
      src = running_on_valgrind() ? InstructionSource::Callgrind : InstructionSource::PerfEvent;
    if (src == InstructionSource::Callgrind) {
      callgrind_ = std::make_unique<CallgrindInstructions>(o.callgrind_out);
      source_ = "callgrind";
    } else if (src == InstructionSource::PerfEvent) {
      PerfInstructions probe;
      const std::string why = probe.open();
      if (why.empty()) {
        perf_ = true;
        source_ = "perf_event";
      } else if (o.instructions == InstructionSource::PerfEvent) {
        throw ValueError("--instructions perf: " + why +
                         "; run under valgrind with --instructions callgrind");
      } else {
        notes.push_back("instructions not counted: " + why +
                        " (run under valgrind --tool=callgrind --collect-atstart=no --instr-atstart=no)");
      }
    }
  }

  void measure(Job& j) {
    const int n = quick_ ? 3 : 5;
    if (j.cuda) kernels::cuda::synchronize();
    const core::AllocationCount a0 = core::allocation_count();
    const kernels::cuda::Activity c0 = kernels::cuda::activity();
    PerfInstructions perf;
    if (perf_) {
      const std::string why = perf.open();
      if (!why.empty()) throw RuntimeError(why);
      perf.start();
    }
    if (callgrind_) callgrind_->start();
    for (int i = 0; i < n; ++i) j.body();
    double instructions = perf_ ? perf.stop() : 0;
    if (callgrind_) instructions = callgrind_->stop(j.record.key);
    const core::AllocationCount a1 = core::allocation_count();
    const kernels::cuda::Activity c1 = kernels::cuda::activity();
    if (j.cuda) kernels::cuda::synchronize();
    auto& c = j.record.counters;
    if (perf_ || callgrind_) c.emplace_back("instructions", instructions / n);
    c.emplace_back("allocations", double(a1.allocations - a0.allocations) / n);
    c.emplace_back("bytes_allocated", double(a1.bytes - a0.bytes) / n);
    if (j.cuda) {
      c.emplace_back("kernel_launches", double(c1.launches - c0.launches) / n);
      c.emplace_back("syncs", double(c1.syncs - c0.syncs) / n);
    }
    j.record.counter_source = source_;
  }

 private:
  bool quick_;
  bool perf_ = false;
  std::unique_ptr<CallgrindInstructions> callgrind_;
  std::string source_ = "count";
};

}  // namespace

Sampling resolve(const BenchOptions& o) {
  Sampling p{};
  p.min_samples = o.min_samples > 0 ? o.min_samples : (o.quick ? 5 : 10);
  p.max_samples = o.max_samples > 0 ? o.max_samples : (o.quick ? 15 : 50);
  if (o.repetitions > 0) p.min_samples = p.max_samples = o.repetitions;
  if (p.max_samples < p.min_samples) p.max_samples = p.min_samples;
  p.min_time = o.min_time > 0 ? o.min_time : (o.quick ? 0.005 : 0.01);
  p.warmup = o.warmup >= 0 ? o.warmup : (o.quick ? 0.01 : 0.05);
  p.target = o.target >= 0 ? o.target : (o.quick ? 0.03 : 0.01);
  p.max_time = o.max_time > 0 ? o.max_time : (o.quick ? 0.25 : 2.0);
  return p;
}

double median_ci_halfwidth(std::vector<double> x) {
  const std::size_t n = x.size();
  if (n < 3) return std::numeric_limits<double>::infinity();
  std::sort(x.begin(), x.end());
  const double med = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
  if (!(med > 0)) return std::numeric_limits<double>::infinity();
  // Ranks (1-based) of the order statistics that bracket the median with about 95% coverage.
  const double half = 1.96 * std::sqrt(double(n)) / 2;
  const auto lo = std::size_t(std::clamp(std::floor(double(n) / 2 - half), 1.0, double(n)));
  const auto hi = std::size_t(std::clamp(std::ceil(double(n) / 2 + half + 1), 1.0, double(n)));
  return (x[hi - 1] - x[lo - 1]) / 2 / med;
}

BenchResult run_bench(const BenchOptions& o) {
  for (const std::string& d : o.devices)
    if (d != "array" && d != "cpu" && d != "cuda")
      throw ValueError("unknown bench device '" + d + "' (expected array, cpu or cuda)");
  for (std::int64_t n : o.sizes)
    if (n <= 0) throw ValueError("bench sizes must be positive element counts, got " + std::to_string(n));
  const Sampling p = resolve(o);
  BenchResult result;
  const bool cuda_wanted = std::find(o.devices.begin(), o.devices.end(), "cuda") != o.devices.end();
  const bool cuda_ok = cuda_wanted && tensor::cuda_available();
  if (cuda_wanted && !cuda_ok)
    result.notes.push_back("cuda: skipped (no CUDA device (" + kernels::cuda::unavailable_reason() + "))");

  std::vector<std::int64_t> sizes = o.sizes.empty() ? default_sizes(o.quick) : o.sizes;
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  std::vector<Job> all;
  add_op_jobs(o, sizes, cuda_ok, all);
  // The conversions come with any op selection; an op selection that selects nothing is an
  // error of its own (a typo in --ops or --dtypes should not pass as a conversions-only run).
  const bool any_op = !all.empty();
  if (o.conversions) add_conversion_jobs(o, sizes, cuda_ok, all);
  if (o.cold)
    for (Job& j : all) {
      j.record.key += "|cold";
      j.record.timer += "-cold";
    }
  // Sizes that map to one shape (matmul is capped at 1024x1024, 512x512 on the array
  // engine) would time the same case twice under one key: keep the first. Then keep this
  // shard's cases.
  std::vector<Job> jobs;
  std::set<std::string> keys;
  bool any = false;
  for (Job& j : all) {
    if (!keys.insert(j.record.key).second) continue;
    any = true;
    if (o.shard.contains(j.record.key)) jobs.push_back(std::move(j));
  }
  const bool only_missing_cuda = cuda_wanted && !cuda_ok && o.devices.size() == 1;
  if (!(any && any_op) && !only_missing_cuda)
    throw ValueError(
        "the selection has no bench case (no op of --ops accepts a dtype of --dtypes on --devices)");
  if (o.shard.active())
    result.notes.push_back("shard " + o.shard.str() + ": " + std::to_string(jobs.size()) + " of " +
                           std::to_string(keys.size()) + " cases");

  // The probe first: an instruction source that is refused fails before any timing.
  std::unique_ptr<CounterProbe> probe;
  if (o.counters || o.instructions != InstructionSource::None)
    probe = std::make_unique<CounterProbe>(o, result.notes);
  std::vector<Sampler> samplers(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    samplers[i].job = &jobs[i];
    calibrate(samplers[i], p, o.cold, o.quick);
  }
  if (probe)
    for (Job& j : jobs) probe->measure(j);
  probe.reset();  // under callgrind: instrumentation off again before the timing

  // Rounds: each visits every unfinished case once, starting one case later than the round
  // before, so that slow drift is spread over all cases and no case always follows another.
  using clock = std::chrono::steady_clock;
  std::vector<std::size_t> active(jobs.size());
  for (std::size_t i = 0; i < active.size(); ++i) active[i] = i;
  for (std::size_t round = 0; !active.empty(); ++round) {
    const std::size_t n = active.size();
    for (std::size_t k = 0; k < n; ++k) {
      Sampler& s = samplers[active[(round + k) % n]];
      const auto t0 = clock::now();
      s.job->record.samples.push_back(time_batch(s, o.cold));
      s.spent += std::chrono::duration<double>(clock::now() - t0).count();
    }
    std::vector<std::size_t> next;
    for (std::size_t i : active) {
      const Sampler& s = samplers[i];
      const auto taken = int(s.job->record.samples.size());
      if (taken < p.min_samples) {
        next.push_back(i);
      } else if (median_ci_halfwidth(s.job->record.samples) <= p.target) {
        ++result.stopped_on_target;
      } else if (taken >= p.max_samples) {
        ++result.stopped_on_max_samples;
      } else if (s.spent >= p.max_time) {
        ++result.stopped_on_time;
      } else {
        next.push_back(i);
      }
    }
    active = std::move(next);
  }
  for (Job& j : jobs) result.records.push_back(std::move(j.record));
  return result;
}

}  // namespace parity::suite
