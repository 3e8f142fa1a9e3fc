// `parity accuracy`: every op that has a correctly rounded oracle (suite/oracle.cpp), over
// the oracle's inputs for each float dtype (suite/oracle_inputs.h), on the array engine and
// each tensor device, and beside them NumPy's and PyTorch's results from an anchors file:
// the largest ULP error, the input where it is, and a histogram. Exit 1 when one of
// Parity's engines exceeds the op's registry budget.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "engine/array/array.h"
#include "engine/interop/convert.h"
#include "engine/spec/error.h"
#include "engine/tensor/tensor.h"
#include "suite/cli_common.h"
#include "suite/oracle.h"
#include "suite/oracle_anchors.h"
#include "suite/oracle_inputs.h"

namespace parity::suite::cli {
namespace {

using spec::DType;
using spec::OpId;

constexpr DType kFloatDTypes[] = {DType::Float16, DType::BFloat16, DType::Float32, DType::Float64};

// One line of the table: an engine (or library) on one op and dtype.
struct Row {
  std::string op, dtype, engine;
  bool parity = true;  // one of Parity's engines (judged); false for NumPy and PyTorch
  std::string error;   // refused, or the library has no such dtype
  bool other_dtype = false;  // the result is of another dtype (error says which): not measured
  oracle::Stats stats;       // the judged inputs
  oracle::Stats outside;     // the inputs outside the row's judged range (count 0: none)
  std::uint64_t worst_bits = 0, outside_bits = 0;
  double worst_input = 0, outside_input = 0;
  double budget = 0;
  bool over = false;
};

// Thrown by an engine's row whose result is of another dtype than the inputs.
struct OtherDType : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Measured {
  std::string op, dtype, inputs;
  std::size_t count = 0;
  double seconds = 0;
  std::vector<Row> rows;
  std::optional<spec::Domain> judged;  // the judged range (oracle::judged_range), if the row has one
};

template <class T, class U>
array::NdArray typed_array(const oracle::InputSet& s) {
  std::vector<T> v(s.bits.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::bit_cast<T>(U(s.bits[i]));
  return array::NdArray::from_values<T>({std::int64_t(v.size())}, std::span<const T>(v));
}
array::NdArray input_array(const oracle::InputSet& s) {
  switch (s.dtype) {
    case DType::Float16: return typed_array<spec::float16, std::uint16_t>(s);
    case DType::BFloat16: return typed_array<spec::bfloat16, std::uint16_t>(s);
    case DType::Float32: return typed_array<float, std::uint32_t>(s);
    default: return typed_array<double, std::uint64_t>(s);
  }
}

// How many significant digits tell every value of d apart.
int digits(DType d) {
  switch (d) {
    case DType::Float16: return 5;
    case DType::BFloat16: return 4;
    case DType::Float32: return 9;
    default: return 17;
  }
}
std::string value_str(DType d, double v) { return fmt::format("{:.{}g}", v, digits(d)); }
std::string ulp_str(double u) { return std::isinf(u) ? "inf" : fmt::format("{:.5f}", u); }
std::string bits_str(DType d, std::uint64_t b) { return fmt::format("0x{:0{}x}", b, 2 * spec::itemsize(d)); }
// "x >= -1" (or "-1 <= x <= 8") for a judged range [lo, hi].
std::string judged_str(DType d, const spec::Domain& j) {
  if (!std::isfinite(j.hi)) return "x >= " + value_str(d, j.lo);
  if (!std::isfinite(j.lo)) return "x <= " + value_str(d, j.hi);
  return value_str(d, j.lo) + " <= x <= " + value_str(d, j.hi);
}
nlohmann::json json_number(double v) { return std::isinf(v) ? nlohmann::json(v > 0 ? "inf" : "-inf") : nlohmann::json(v); }
// The outside part of a row: "12345 inputs, max 1.7e+07 ULP at -8.5 (0xc1080000)".
std::string outside_summary(DType d, const Row& r) {
  if (r.outside.count == 0) return "";
  return fmt::format("{} inputs, max {} ULP at {} ({})", r.outside.count, ulp_str(r.outside.max_ulp),
                     value_str(d, r.outside_input), bits_str(d, r.outside_bits));
}

std::string verdict(const Row& r) {
  if (r.other_dtype) return "not measured";
  if (!r.error.empty()) return r.parity ? "refused" : "-";
  if (!r.over) return "within";
  return r.parity ? "OVER BUDGET" : "over";
}

class AccuracyCommand : public Command {
 public:
  CLI::App* add(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "accuracy", "ULP error of every op with a correctly rounded oracle (MPFR), per dtype and engine");
    cmd->add_option("--ops", ops_, "Ops, comma separated (default: every op with an oracle: " +
                                       oracle::oracle_names() + ")");
    cmd->add_option("--dtypes", dtypes_, "Float dtypes, comma separated (default float16,bfloat16,float32,float64)");
    devices_opt_ = cmd->add_option("--devices", devices_,
                                   "Tensor devices, comma separated (default cpu,cuda; cuda is skipped when "
                                   "absent, and refused when asked for explicitly); the array engine always runs");
    cmd->add_option("--format", format_, "text, markdown or json")->default_val("text");
    cmd->add_flag("--quick", quick_, "Fewer float32 (2^18) and float64 (2^16) inputs; float16/bfloat16 stay exhaustive");
    cmd->add_option("--anchors", anchors_, "NumPy's and PyTorch's results on the same inputs (scripts/accuracy-anchors)");
    write_opt_ = cmd->add_option("--write-inputs", write_inputs_,
                                 "Write the selected inputs to this HDF5 file for scripts/accuracy-anchors, and stop");
    cmd->add_option("--threads", threads_, "Threads for MPFR (default: every core)")->check(CLI::Range(1, 1024));
    max_ulp_opt_ = cmd->add_option("--max-ulp", max_ulp_, "Judge against this many ULP instead of the registry budget")
                       ->check(finite_range(0, 1e9));
    cmd->footer(help_footer(
        "cpu, cuda, cuda:N (tensor engine; the array engine always runs)",
        "0 every Parity engine within its budget (a refusal is no failure); 1 one exceeds it; 2 bad input "
        "(an op without an oracle, a dtype that is not a float, a bad anchors file, cuda asked for without a "
        "device) or an error",
        "parity accuracy --ops exp --dtypes float16,float32 --quick --format markdown"));
    return cmd;
  }

  int run(const std::string&) override {
    if (format_ != "text" && format_ != "markdown" && format_ != "json")
      throw ValueError("--format: unknown format '" + format_ + "' (expected text, markdown or json)");
    std::vector<OpId> ops = parse_ops(split_list(ops_, "--ops"));
    for (OpId op : ops)
      if (!oracle::has_oracle(op))
        throw ValueError("--ops " + std::string(spec::op_spec(op).name) + ": no correctly rounded oracle for it (ops with one: " +
                         oracle::oracle_names() + ")");
    if (ops.empty())
      for (const spec::OpSpec& op : spec::op_table())
        if (oracle::has_oracle(op.id)) ops.push_back(op.id);
    std::vector<DType> dtypes = parse_dtypes(split_list(dtypes_, "--dtypes"));
    for (DType d : dtypes) oracle::float_format(d);  // TypeError for a dtype that is not a float
    if (dtypes.empty()) dtypes.assign(std::begin(kFloatDTypes), std::end(kFloatDTypes));

    if (write_opt_->count()) {
      check_output_option(write_opt_, write_inputs_);
      std::vector<oracle::InputsToWrite> sets;
      for (OpId op : ops)
        for (DType d : dtypes) sets.push_back({op, oracle::accuracy_inputs(op, d, quick_)});
      oracle::write_inputs(write_inputs_, sets);
      fmt::print("inputs written to {} ({} op x dtype sets{})\n", write_inputs_, sets.size(), quick_ ? ", --quick" : "");
      return kExitOk;
    }

    std::vector<std::string> device_names = devices_;
    if (devices_opt_->count()) device_names = split_list(devices_, "--devices");
    std::vector<core::Device> devices;
    for (const auto& d : device_names) devices.push_back(core::Device::parse(d));
    require_cuda_if_asked(devices_opt_, device_names);
    std::vector<std::string> notes;
    std::erase_if(devices, [&](const core::Device& d) {
      if (!d.is_cuda() || tensor::cuda_available()) return false;
      notes.push_back("tensor " + d.str() + " skipped: " + no_cuda_message());
      return true;
    });
    std::unique_ptr<oracle::AnchorFile> anchors;
    if (!anchors_.empty()) anchors = std::make_unique<oracle::AnchorFile>(anchors_);
    const int threads = threads_ > 0 ? threads_ : int(std::max(1u, std::thread::hardware_concurrency()));

    std::vector<Measured> all;
    bool over = false;
    for (OpId op : ops)
      for (DType d : dtypes) {
        all.push_back(measure(op, d, devices, anchors.get(), threads, notes));
        for (const Row& r : all.back().rows) over = over || (r.parity && r.over);
      }
    if (format_ == "json")
      print_json(all, notes, threads);
    else
      print_table(all, notes, threads, format_ == "markdown");
    return over ? kExitFail : kExitOk;
  }

 private:
  Measured measure(OpId op, DType d, const std::vector<core::Device>& devices, const oracle::AnchorFile* anchors,
                   int threads, std::vector<std::string>& notes) const {
    const auto start = std::chrono::steady_clock::now();
    const spec::OpSpec& row = spec::op_spec(op);
    Measured m{std::string(row.name), std::string(spec::dtype_name(d)), "", 0, 0, {}};
    const oracle::InputSet inputs = oracle::accuracy_inputs(op, d, quick_);
    m.inputs = inputs.description;
    m.judged = oracle::judged_range(op, d);
    m.count = inputs.bits.size();
    const std::vector<double> x = oracle::values_of(inputs);
    const array::NdArray a = input_array(inputs);
    const double budget = max_ulp_opt_->count() ? max_ulp_ : spec::accuracy_for(row, d).max_ulp;

    std::vector<std::vector<double>> results;
    auto add = [&](std::string engine, bool parity, auto compute) {
      Row r{m.op, m.dtype, std::move(engine), parity};
      r.budget = budget;
      try {
        results.push_back(compute());
      } catch (const OtherDType& e) {
        r.error = e.what();
        r.other_dtype = true;
        results.emplace_back();
      } catch (const Error& e) {
        r.error = std::string(e.py_class()) + ": " + e.what();
        results.emplace_back();
      }
      m.rows.push_back(std::move(r));
    };
    // A result of another dtype (NumPy's gelu formula gives float32 for float16) is not
    // measured in this dtype's ULPs.
    auto of_dtype = [&](DType got) {
      if (got != d)
        throw OtherDType("the result is " + std::string(spec::dtype_name(got)) + ", not " + m.dtype);
    };
    add("array", true, [&] {
      const array::NdArray in[] = {a};
      const array::NdArray out = array::call(op, in);
      of_dtype(out.dtype());
      return out.to_doubles();
    });
    for (const core::Device& dev : devices)
      add("tensor " + dev.str(), true, [&] {
        const tensor::Tensor in[] = {dev.is_cpu() ? interop::from_array(a) : interop::to_tensor(a, dev)};
        const tensor::Tensor out = tensor::call(op, in);
        of_dtype(out.dtype());
        return out.to_doubles();
      });
    if (anchors) {
      const std::vector<oracle::Anchor> libs = anchors->read(op, inputs);
      if (libs.empty()) notes.push_back(fmt::format("{} has no anchors for {} {}", anchors_, m.op, m.dtype));
      for (const oracle::Anchor& lib : libs) {
        const std::string name = lib.library + (lib.version.empty() ? "" : " " + lib.version);
        if (!lib.bits) {
          m.rows.push_back(Row{m.op, m.dtype, name, false, lib.error});
          m.rows.back().budget = budget;
          results.emplace_back();
          continue;
        }
        add(name, false, [&] {
          std::vector<double> v(lib.bits->size());
          for (std::size_t i = 0; i < v.size(); ++i) v[i] = oracle::value_of(d, (*lib.bits)[i]);
          return v;
        });
      }
    }

    // One oracle pass serves every engine that computed.
    std::vector<std::span<const double>> spans;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < m.rows.size(); ++i)
      if (m.rows[i].error.empty()) {
        spans.emplace_back(results[i]);
        which.push_back(i);
      }
    const std::vector<oracle::Split> stats = oracle::measure(op, d, x, spans, threads);
    // A correctly rounded result is within 0.5 ULP: a budget of 0 ("exact") means that.
    const double allowed = budget > 0 ? budget : 0.5;
    for (std::size_t j = 0; j < which.size(); ++j) {
      Row& r = m.rows[which[j]];
      r.stats = stats[j].judged;
      r.outside = stats[j].outside;
      if (r.stats.worst >= 0) {
        r.worst_bits = inputs.bits[std::size_t(r.stats.worst)];
        r.worst_input = x[std::size_t(r.stats.worst)];
      }
      if (r.outside.worst >= 0) {
        r.outside_bits = inputs.bits[std::size_t(r.outside.worst)];
        r.outside_input = x[std::size_t(r.outside.worst)];
      }
      r.over = r.stats.max_ulp > allowed;
    }
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return m;
  }

  void print_table(const std::vector<Measured>& all, const std::vector<std::string>& notes, int threads,
                   bool markdown) const {
    if (markdown) {
      fmt::print("| op | dtype | engine | max ULP | worst input | got | correctly rounded | cr | ≤1 | ≤2 | ≤4 | >4 "
                 "| special | budget | verdict | outside the judged range |\n");
      fmt::print("|---|---|---|--:|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|\n");
    } else {
      fmt::print("parity accuracy: ULP error against the correctly rounded result (MPFR {}), {} threads{}\n",
                 oracle::mpfr_library_version(), threads, quick_ ? ", --quick" : "");
    }
    for (const Measured& m : all) {
      const DType d = spec::parse_dtype(m.dtype);
      if (!markdown) {
        fmt::print("\n{} {}: {} inputs ({}), {:.1f} s\n", m.op, m.dtype, m.count, m.inputs, m.seconds);
        if (m.judged)
          fmt::print("  judged range: {} (the other inputs are measured and shown, not judged)\n",
                     judged_str(d, *m.judged));
        fmt::print("  {:<16} {:>8}  {:<40} {:<25} {:<25} {:>9} {:>8} {:>7} {:>7} {:>7} {:>7} {:>6}  {}\n", "engine",
                   "max ulp", "worst input", "got", "correctly rounded", "cr", "<=1", "<=2", "<=4", ">4", "special",
                   "budget", "verdict");
      }
      for (const Row& r : m.rows) {
        const auto& b = r.stats.bins;
        if (!r.error.empty()) {
          if (markdown)
            fmt::print("| {} | {} | {} | | {} | | | | | | | | | {} | {} | |\n", r.op, r.dtype, r.engine,
                       one_line(r.error), r.budget, verdict(r));
          else
            fmt::print("  {:<16} {:>8}  {}\n", r.engine, verdict(r), one_line(r.error));
          continue;
        }
        const std::string worst = value_str(d, r.worst_input) + " (" + bits_str(d, r.worst_bits) + ")";
        if (markdown) {
          fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.op,
                     r.dtype, r.engine, ulp_str(r.stats.max_ulp), worst, value_str(d, r.stats.worst_got),
                     value_str(d, r.stats.worst_want), b[0], b[1], b[2], b[3], b[4], b[5], r.budget, verdict(r),
                     outside_summary(d, r));
        } else {
          fmt::print("  {:<16} {:>8}  {:<40} {:<25} {:<25} {:>9} {:>8} {:>7} {:>7} {:>7} {:>7} {:>6}  {}\n", r.engine,
                     ulp_str(r.stats.max_ulp), worst, value_str(d, r.stats.worst_got),
                     value_str(d, r.stats.worst_want), b[0], b[1], b[2], b[3], b[4], b[5], r.budget, verdict(r));
          if (r.outside.count > 0) fmt::print("  {:<16} outside the judged range: {}\n", "", outside_summary(d, r));
        }
      }
    }
    if (markdown) {
      fmt::print("\nInputs:\n\n");
      for (const Measured& m : all)
        fmt::print("- {} {}: {} ({}){}; {:.1f} s\n", m.op, m.dtype, m.count, m.inputs,
                   m.judged ? "; judged range " + judged_str(spec::parse_dtype(m.dtype), *m.judged) : "",
                   m.seconds);
    }
    for (const std::string& n : notes) fmt::print("{}{}\n", markdown ? "\nNote: " : "note: ", n);
  }

  void print_json(const std::vector<Measured>& all, const std::vector<std::string>& notes, int threads) const {
    nlohmann::json out;
    out["mpfr"] = oracle::mpfr_library_version();
    out["quick"] = quick_;
    out["threads"] = threads;
    out["bins"] = nlohmann::json::array();
    for (int b = 0; b < oracle::kNumBins; ++b) out["bins"].push_back(oracle::bin_name(oracle::Bin(b)));
    out["results"] = nlohmann::json::array();
    for (const Measured& m : all) {
      const DType d = spec::parse_dtype(m.dtype);
      for (const Row& r : m.rows) {
        nlohmann::json j{{"op", r.op},         {"dtype", r.dtype},        {"engine", r.engine},
                         {"parity", r.parity}, {"inputs", m.count},       {"budget_ulp", r.budget},
                         {"verdict", verdict(r)}};
        if (!r.error.empty()) {
          j["error"] = r.error;
        } else {
          // The same fields for the judged inputs and for those outside the judged range.
          const auto worst = [&](const oracle::Stats& st, double input, std::uint64_t bits) {
            return nlohmann::json{{"input", value_str(d, input)},
                                  {"input_bits", bits_str(d, bits)},
                                  {"got", value_str(d, st.worst_got)},
                                  {"correctly_rounded", value_str(d, st.worst_want)}};
          };
          const auto histogram = [](const oracle::Stats& st) {
            nlohmann::json h;
            for (int b = 0; b < oracle::kNumBins; ++b)
              h[std::string(oracle::bin_name(oracle::Bin(b)))] = st.bins[std::size_t(b)];
            return h;
          };
          j["max_ulp"] = json_number(r.stats.max_ulp);
          j["worst"] = worst(r.stats, r.worst_input, r.worst_bits);
          j["histogram"] = histogram(r.stats);
          if (m.judged) {
            nlohmann::json o{{"judged_range", {json_number(m.judged->lo), json_number(m.judged->hi)}},
                             {"inputs", r.outside.count},
                             {"histogram", histogram(r.outside)}};
            if (r.outside.count > 0) {
              o["max_ulp"] = json_number(r.outside.max_ulp);
              o["worst"] = worst(r.outside, r.outside_input, r.outside_bits);
            }
            j["outside_judged_range"] = o;
          }
        }
        out["results"].push_back(j);
      }
    }
    out["inputs"] = nlohmann::json::object();
    for (const Measured& m : all) out["inputs"][m.op + " " + m.dtype] = {{"count", m.count}, {"description", m.inputs},
                                                                         {"seconds", m.seconds}};
    out["notes"] = notes;
    fmt::print("{}\n", out.dump(2));
  }

  std::vector<std::string> ops_, dtypes_, devices_{"cpu", "cuda"};
  std::string format_ = "text", anchors_, write_inputs_;
  bool quick_ = false;
  int threads_ = 0;
  double max_ulp_ = 0;
  CLI::Option* devices_opt_ = nullptr;
  CLI::Option* write_opt_ = nullptr;
  CLI::Option* max_ulp_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_accuracy_command() { return std::make_unique<AccuracyCommand>(); }

}  // namespace parity::suite::cli
