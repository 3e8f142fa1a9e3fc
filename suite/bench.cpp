#include "suite/bench.h"

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <memory>

#include "engine/interop/convert.h"
#include "engine/spec/error.h"
#include "kernels/common/cuda_runtime.h"
#include "suite/cases.h"
#include "suite/check.h"

namespace parity::suite {

using spec::DType;
using spec::OpId;
using spec::OpKind;

std::vector<std::int64_t> default_sizes(bool quick) {
  if (quick) return {1 << 12, 1 << 18};
  return {1 << 10, 1 << 14, 1 << 18, 1 << 22};
}

namespace {

struct Job {
  reports::BenchRecord record;   // everything but samples
  std::function<void()> body;    // one iteration
  bool cuda = false;
};

// The inputs of an op benchmark of `n` elements: 1-d operands, matmul square.
Case bench_case(OpId op, DType dtype, std::int64_t n) {
  const spec::OpSpec& s = spec::op_spec(op);
  Case c{op, Mode::Forward, {}, {}, {}, false, Layout::Contiguous};
  if (s.kind == OpKind::Matmul) {
    const std::int64_t m = std::clamp<std::int64_t>(std::llround(std::sqrt(double(n))), 1, kMaxMatmulSide);
    c.shapes = {{m, m}, {m, m}};
  } else {
    c.shapes.assign(std::size_t(s.arity), spec::Shape{n});
  }
  c.dtypes.assign(c.shapes.size(), dtype);
  return c;
}

// Names a case: "op|dtype|device|(n,)x(n,)". numel counts the first operand's elements
// (the output's for every op here).
void fill_record(reports::BenchRecord& r, const std::string& op, DType dtype, const std::string& device,
                 const std::vector<spec::Shape>& shapes, const std::string& timer) {
  r.op = op;
  r.dtype = std::string(spec::dtype_name(dtype));
  r.device = device;
  r.shape.clear();
  for (std::size_t i = 0; i < shapes.size(); ++i) r.shape += (i ? "x" : "") + spec::shape_str(shapes[i]);
  r.numel = spec::numel(shapes.at(0));
  r.timer = timer;
  r.key = r.op + "|" + r.dtype + "|" + r.device + "|" + r.shape;
}

void add_op_jobs(const BenchOptions& o, const std::vector<std::int64_t>& sizes, bool cuda_ok,
                 std::vector<Job>& jobs) {
  for (const spec::OpSpec& op : spec::op_table()) {
    if (!o.ops.empty() && std::find(o.ops.begin(), o.ops.end(), op.id) == o.ops.end()) continue;
    for (DType dtype : o.dtypes) {
      if (!op.dtypes.contains(dtype)) continue;
      for (std::int64_t n : sizes) {
        const Case c = bench_case(op.id, dtype, n);
        std::vector<array::NdArray> inputs;
        for (const Input& in : make_inputs(c)) inputs.push_back(in.base);
        const DType out = spec::result_dtype(op.id, spec::Semantics::PyTorch,
                                             std::vector<spec::Operand>(c.shapes.size(), {dtype, false}));
        const spec::Cost cost = spec::op_cost(op.id, c.shapes, dtype, out);
        for (const std::string& dev : o.devices) {
          Job j;
          if (dev == "array") {
            fill_record(j.record, std::string(op.name), dtype, "array", c.shapes, "wall");
            j.body = [c, inputs] { benchmark::DoNotOptimize(apply_array(c, inputs)); };
          } else if (dev == "cpu" || (dev == "cuda" && cuda_ok)) {
            const core::Device d = dev == "cpu" ? core::Device::cpu() : core::Device::cuda();
            std::vector<tensor::Tensor> ts;
            for (const auto& a : inputs) ts.push_back(interop::to_tensor(a, d));
            fill_record(j.record, std::string(op.name), dtype, d.str(), c.shapes,
                        d.is_cuda() ? "cuda-event" : "wall");
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
  auto add = [&](const std::string& name, std::int64_t n, const std::string& dev, double bytes,
                 bool cuda, std::function<void()> body) {
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
      auto storage = core::Storage::adopt(pinned, nbytes, core::Device::cpu(), kernels::cuda::host_free_pinned,
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
    const std::size_t bytes = std::clamp<std::size_t>(2 * last_level_cache_bytes(), std::size_t(8) << 20,
                                                      std::size_t(256) << 20);
    return std::vector<std::uint64_t>(bytes / sizeof(std::uint64_t), 1);
  }();
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < buffer.size(); i += 8) sum += buffer[i];  // one read per 64-byte line
  benchmark::DoNotOptimize(sum);
}

// Collects each repetition's time per iteration, keyed by benchmark name.
class SampleCollector : public benchmark::BenchmarkReporter {
 public:
  std::map<std::string, std::vector<double>> samples;
  std::map<std::string, std::string> errors;
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const std::string name = r.run_name.function_name;
      if (r.error_occurred) {
        errors[name] = r.error_message;
        continue;
      }
      if (r.run_type != Run::RT_Iteration || r.iterations <= 0) continue;
      samples[name].push_back(r.real_accumulated_time / double(r.iterations));
    }
  }
};

}  // namespace

BenchResult run_bench(const BenchOptions& o) {
  for (const std::string& d : o.devices)
    if (d != "array" && d != "cpu" && d != "cuda")
      throw ValueError("unknown bench device '" + d + "' (expected array, cpu or cuda)");
  for (std::int64_t n : o.sizes)
    if (n <= 0) throw ValueError("bench sizes must be positive element counts, got " + std::to_string(n));
  BenchResult result;
  const bool cuda_wanted = std::find(o.devices.begin(), o.devices.end(), "cuda") != o.devices.end();
  const bool cuda_ok = cuda_wanted && tensor::cuda_available();
  if (cuda_wanted && !cuda_ok)
    result.notes.push_back("cuda: skipped (no CUDA device: " + kernels::cuda::unavailable_reason() + ")");

  std::vector<std::int64_t> sizes = o.sizes.empty() ? default_sizes(o.quick) : o.sizes;
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  std::vector<Job> all;
  add_op_jobs(o, sizes, cuda_ok, all);
  if (o.conversions) add_conversion_jobs(o, sizes, cuda_ok, all);
  // Sizes that map to one shape (matmul is capped at 512x512) would time the same case
  // twice under one key: keep the first.
  std::vector<Job> jobs;
  std::set<std::string> keys;
  for (Job& j : all)
    if (keys.insert(j.record.key).second) jobs.push_back(std::move(j));

  if (o.cold)
    for (Job& j : jobs) {
      j.record.key += "|cold";
      j.record.timer += "-cold";
    }

  const int reps = o.repetitions > 0 ? o.repetitions : (o.quick ? 5 : 10);
  const double min_time = o.min_time > 0 ? o.min_time : (o.quick ? 0.01 : 0.05);
  benchmark::ClearRegisteredBenchmarks();
  for (const Job& j : jobs) {
    auto body = j.body;
    const bool cold = o.cold;
    benchmark::internal::Benchmark* b = nullptr;
    if (j.cuda) {
      b = benchmark::RegisterBenchmark(j.record.key.c_str(), [body, cold](benchmark::State& st) {
        kernels::cuda::EventTimer timer;
        body();  // warm the caching allocator and the cuBLAS handle
        kernels::cuda::synchronize();
        for (auto _ : st) {
          if (cold) kernels::cuda::flush_l2();
          timer.start();
          body();
          st.SetIterationTime(timer.stop_ms() / 1e3);
        }
      });
      b->UseManualTime();
    } else if (cold) {
      b = benchmark::RegisterBenchmark(j.record.key.c_str(), [body](benchmark::State& st) {
        for (auto _ : st) {
          flush_host_caches();
          const auto t0 = std::chrono::steady_clock::now();
          body();
          st.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
      });
      b->UseManualTime();
    } else {
      b = benchmark::RegisterBenchmark(j.record.key.c_str(), [body](benchmark::State& st) {
        for (auto _ : st) body();
      });
      b->UseRealTime();
    }
    b->Repetitions(reps)->Unit(benchmark::kMicrosecond);
    // A cold iteration pays for a cache flush that is not timed: a fixed count keeps the
    // run short, where a minimum time would multiply the flushes for small ops.
    if (o.cold) b->Iterations(o.quick ? 3 : 10);
    else b->MinTime(min_time);
  }
  SampleCollector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::ClearRegisteredBenchmarks();

  for (Job& j : jobs) {
    if (auto e = collector.errors.find(j.record.key); e != collector.errors.end())
      result.notes.push_back(j.record.key + ": " + e->second);
    j.record.samples = collector.samples[j.record.key];
    result.records.push_back(std::move(j.record));
  }
  return result;
}

}  // namespace parity::suite
