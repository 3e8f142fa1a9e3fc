// The columnar report (report_table.h): built from a file's arrays (format::Image) without
// copying them, checked on the way as the file's content must be.
#include "reports/report_table.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <numeric>
#include <string_view>

#include "engine/spec/error.h"
#include "reports/report_format.h"

namespace parity::reports {

namespace sample_stats {
double median(std::span<const double> samples) {
  if (samples.empty()) return kNaN;
  // A copy to reorder: on the stack for the usual few samples (compare takes 2M medians at 1M
  // cases), else on the heap.
  constexpr std::size_t kSmall = 32;
  double small[kSmall];
  std::vector<double> large;
  const std::size_t n = samples.size();
  double* s = small;
  if (n > kSmall) {
    large.resize(n);
    s = large.data();
  }
  std::copy(samples.begin(), samples.end(), s);
  // nth_element, not a sort: the upper middle, then the largest below it for even n.
  std::nth_element(s, s + n / 2, s + n);
  const double hi = s[n / 2];
  if (n % 2 == 1) return hi;
  const double lo = *std::max_element(s, s + n / 2);
  return 0.5 * (lo + hi);
}

double mean(std::span<const double> s) {
  if (s.empty()) return kNaN;
  return std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(s.size());
}

double min(std::span<const double> s) {
  if (s.empty()) return kNaN;
  return *std::min_element(s.begin(), s.end());
}

double stddev(std::span<const double> s) {
  if (s.size() < 2) return kNaN;
  const double m = mean(s);
  double ss = 0;
  for (double x : s) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(s.size() - 1));
}

// A zero or missing median has no meaningful rate, nor has a case that moves no bytes (a
// zero-copy wrap); NaN renders as "n/a".
double rate(double amount, double median) { return median > 0 && amount > 0 ? amount / median / 1e9 : kNaN; }
}  // namespace sample_stats

StringTable::StringTable() : offsets_{0} {}

std::uint32_t StringTable::add(std::string_view s) {
  const std::size_t id = size();
  if (id >= 0xFFFFFFFFull) throw ValueError("report has more than 2^32 distinct strings");
  bytes_.append(s);
  offsets_.push_back(static_cast<std::int64_t>(bytes_.size()));
  return static_cast<std::uint32_t>(id);
}

void StringTable::assign(std::string bytes, std::vector<std::int64_t> offsets) {
  bytes_ = std::move(bytes);
  offsets_ = std::move(offsets);
}

CheckRow ReportTable::Checks::operator[](std::size_t i) const {
  const StringTable& s = *strings;
  return {s[key[i]],      s[op[i]],       s[engine[i]], s[dtype[i]],     s[device[i]], s[shapes[i]],
          s[layout[i]],   s[params[i]],   s[mode[i]],   s[reference[i]], s[status[i]], s[message[i]],
          max_abs_err[i], max_rel_err[i], max_ulp[i],   budget[i]};
}

BenchRow ReportTable::Benches::operator[](std::size_t i) const {
  const StringTable& s = *strings;
  BenchRow r;
  r.key = s[key[i]];
  r.op = s[op[i]];
  r.engine = s[engine[i]];
  r.dtype = s[dtype[i]];
  r.device = s[device[i]];
  r.shape = s[shape[i]];
  r.timer = s[timer[i]];
  r.counter_source = s[counter_source[i]];
  r.numel = numel[i];
  r.bytes = bytes[i];
  r.flops = flops[i];
  r.samples = std::span<const double>(samples).subspan(static_cast<std::size_t>(sample_offset[i]),
                                                       static_cast<std::size_t>(sample_count[i]));
  const auto co = static_cast<std::size_t>(counter_offset[i]);
  r.counters = CounterList(strings, counter_names.data() + co, counter_values.data() + co,
                           static_cast<std::size_t>(counter_count[i]));
  return r;
}

ReportTable::ReportTable() : strings_(std::make_unique<StringTable>()) {
  checks.strings = strings_.get();
  benches.strings = strings_.get();
}
ReportTable::ReportTable(ReportTable&&) noexcept = default;
ReportTable& ReportTable::operator=(ReportTable&&) noexcept = default;
ReportTable::~ReportTable() = default;

// Builds a table from the file's arrays. With `validate`, everything the file could get wrong
// is refused with format::Corrupt (ids, offsets, dims, statuses, samples, duplicated keys, a
// kind that disagrees with the records); without, the arrays are trusted (format::encode's).
struct TableBuilder {
  using Corrupt = format::Corrupt;

  static std::vector<std::uint32_t> take_ids(std::vector<format::Column>& cols, std::string_view name,
                                             std::size_t n_strings, bool validate) {
    format::Column& c = column(cols, name);
    if (validate) {
      for (std::uint32_t id : c.ids)
        if (id >= n_strings)
          throw Corrupt("column " + std::string(name) + " names string " + std::to_string(id) + " of " +
                        std::to_string(n_strings));
    }
    return std::move(c.ids);
  }
  static format::Column& column(std::vector<format::Column>& cols, std::string_view name) {
    for (format::Column& c : cols)
      if (name == c.name) return c;
    throw std::logic_error("report format has no column " + std::string(name));
  }
  static std::size_t rows_of(const std::vector<format::Column>& cols, const char* table) {
    const std::size_t n = cols.front().size();
    for (const format::Column& c : cols)
      if (c.size() != n)
        throw Corrupt(std::string("the columns of /parity/") + table + " differ in length (" + c.name + ")");
    return n;
  }
  // A range [offset, offset + count) inside an array of n elements.
  static bool in_range(std::int64_t offset, std::int64_t count, std::size_t n) {
    return offset >= 0 && count >= 0 && static_cast<std::uint64_t>(offset) <= n &&
           static_cast<std::uint64_t>(count) <= n - static_cast<std::uint64_t>(offset);
  }

  static void check_string_table(const format::Image& im) {
    const auto& off = im.string_offsets;
    if (off.empty() || off[0] != 0) throw Corrupt("/parity/string_offsets does not start at 0");
    if (off.size() - 1 > 0xFFFFFFFFull) throw Corrupt("/parity/string_offsets is too long");
    for (std::size_t i = 0; i + 1 < off.size(); ++i)
      if (off[i + 1] < off[i]) throw Corrupt("/parity/string_offsets decreases at " + std::to_string(i));
    if (static_cast<std::uint64_t>(off.back()) != im.strings.size())
      throw Corrupt("/parity/string_offsets does not end at the size of /parity/strings");
    if (off.size() < 2 || off[1] != 0) throw Corrupt("string 0 of /parity/strings is not empty");
  }

  // Each row's shapes, as the harness printed them, appended to the string table: shapes
  // differ from case to case (they carry the sizes), so they are not looked up.
  static std::vector<std::uint32_t> shape_ids(const format::Image& im, const std::vector<std::uint32_t>& text,
                                              const std::vector<std::int64_t>& offset,
                                              const std::vector<std::int64_t>& count, StringTable& strings) {
    std::vector<std::uint32_t> ids(text.size());
    std::string scratch;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (count[i] == -1) {
        ids[i] = text[i];  // kept as text
        continue;
      }
      format::decode_shapes(scratch, im.shape_dims, offset[i], count[i], strings[text[i]]);
      ids[i] = strings.add(scratch);
    }
    return ids;
  }

  static ReportTable build(format::Image&& im, Metadata meta, bool validate) {
    ReportTable t;
    t.meta = std::move(meta);
    if (validate) check_string_table(im);
    StringTable& strings = *t.strings_;
    strings.assign(std::move(im.strings), std::move(im.string_offsets));
    const std::size_t ns = strings.size();

    ReportTable::Checks& c = t.checks;
    rows_of(im.checks, "checks");
    using C = ReportTable::Checks;
    for (const auto& [member, name] : {std::pair{&C::key, "key"},
                                       {&C::op, "op"},
                                       {&C::engine, "engine"},
                                       {&C::dtype, "dtype"},
                                       {&C::device, "device"},
                                       {&C::layout, "layout"},
                                       {&C::params, "params"},
                                       {&C::mode, "mode"},
                                       {&C::reference, "reference"},
                                       {&C::status, "status"},
                                       {&C::message, "message"}})
      c.*member = take_ids(im.checks, name, ns, validate);
    c.shapes = shape_ids(im, take_ids(im.checks, "shapes_text", ns, validate),
                         column(im.checks, "shapes_dims_offset").ints,
                         column(im.checks, "shapes_dims_count").ints, strings);
    for (const auto& [member, name] : {std::pair{&C::max_abs_err, "max_abs_err"},
                                       {&C::max_rel_err, "max_rel_err"},
                                       {&C::max_ulp, "max_ulp"},
                                       {&C::budget, "budget"}})
      c.*member = std::move(column(im.checks, name).reals);
    std::vector<format::Column>().swap(im.checks);
    if (validate) {
      for (std::size_t i = 0; i < c.size(); ++i) {
        const std::string why = format::check_status(strings[c.status[i]]);
        if (!why.empty()) throw Corrupt("check '" + std::string(strings[c.key[i]]) + "' " + why);
      }
    }

    ReportTable::Benches& b = t.benches;
    const std::size_t nb = rows_of(im.benches, "benches");
    using B = ReportTable::Benches;
    for (const auto& [member, name] : {std::pair{&B::key, "key"},
                                       {&B::op, "op"},
                                       {&B::engine, "engine"},
                                       {&B::dtype, "dtype"},
                                       {&B::device, "device"},
                                       {&B::timer, "timer"},
                                       {&B::counter_source, "counter_source"}})
      b.*member = take_ids(im.benches, name, ns, validate);
    b.shape = shape_ids(im, take_ids(im.benches, "shape_text", ns, validate),
                        column(im.benches, "shape_dims_offset").ints,
                        column(im.benches, "shape_dims_count").ints, strings);
    for (const auto& [member, name] : {std::pair{&B::numel, "numel"},
                                       {&B::sample_offset, "sample_offset"},
                                       {&B::sample_count, "sample_count"},
                                       {&B::counter_offset, "counter_offset"},
                                       {&B::counter_count, "counter_count"}})
      b.*member = std::move(column(im.benches, name).ints);
    b.bytes = std::move(column(im.benches, "bytes").reals);
    b.flops = std::move(column(im.benches, "flops").reals);
    std::vector<format::Column>().swap(im.benches);
    b.samples = std::move(im.bench_samples);
    b.counter_names = std::move(im.bench_counter_names);
    b.counter_values = std::move(im.bench_counter_values);
    if (validate) {
      if (b.counter_names.size() != b.counter_values.size())
        throw Corrupt("/parity/bench_counter_names and /parity/bench_counter_values differ in length");
      for (std::uint32_t id : b.counter_names)
        if (id >= ns)
          throw Corrupt("column bench_counter_names names string " + std::to_string(id) + " of " +
                        std::to_string(ns));
      for (std::size_t i = 0; i < nb; ++i) {
        const auto name = [&] { return std::string(strings[b.key[i]]); };
        if (!in_range(b.sample_offset[i], b.sample_count[i], b.samples.size()))
          throw Corrupt("bench '" + name() + "' points outside /parity/bench_samples");
        const auto first = b.samples.begin() + b.sample_offset[i];
        for (auto v = first; v != first + b.sample_count[i]; ++v) {
          if (std::isfinite(*v) && *v >= 0) continue;  // a time (the message is built only when not)
          throw Corrupt("bench '" + name() + "' " + format::check_sample(*v));
        }
        if (!in_range(b.counter_offset[i], b.counter_count[i], b.counter_values.size()))
          throw Corrupt("bench '" + name() + "' points outside /parity/bench_counter_values");
      }
      const auto check_key = [&](std::size_t n, const auto& key_at) {
        return format::duplicate_key_of(n, key_at);
      };
      const std::string dup_check = check_key(c.size(), [&](std::size_t i) { return strings[c.key[i]]; });
      if (!dup_check.empty()) throw Corrupt("check key '" + dup_check + "' appears twice");
      const std::string dup_bench = check_key(nb, [&](std::size_t i) { return strings[b.key[i]]; });
      if (!dup_bench.empty()) throw Corrupt("bench key '" + dup_bench + "' appears twice");
      const std::string why = format::check_kind(t.meta, c.size(), nb);
      if (!why.empty()) throw Corrupt(why);
      c.unique = b.unique = true;
    }
    return t;
  }
};

ReportTable ReportTable::from(const Report& r) {
  ReportTable t = TableBuilder::build(format::encode(r), r.meta, false);
  t.key_format = r.key_format;
  return t;
}

// The string fields a row and its record share, as member pointers.
template <class Record, class Row>
using StringFields = std::initializer_list<std::pair<std::string Record::*, std::string_view Row::*>>;
constexpr StringFields<CheckRecord, CheckRow> kCheckStrings = {
    {&CheckRecord::key, &CheckRow::key},       {&CheckRecord::op, &CheckRow::op},
    {&CheckRecord::engine, &CheckRow::engine}, {&CheckRecord::dtype, &CheckRow::dtype},
    {&CheckRecord::device, &CheckRow::device}, {&CheckRecord::shapes, &CheckRow::shapes},
    {&CheckRecord::layout, &CheckRow::layout}, {&CheckRecord::params, &CheckRow::params},
    {&CheckRecord::mode, &CheckRow::mode},     {&CheckRecord::reference, &CheckRow::reference},
    {&CheckRecord::status, &CheckRow::status}, {&CheckRecord::message, &CheckRow::message}};
constexpr StringFields<BenchRecord, BenchRow> kBenchStrings = {
    {&BenchRecord::key, &BenchRow::key},       {&BenchRecord::op, &BenchRow::op},
    {&BenchRecord::engine, &BenchRow::engine}, {&BenchRecord::dtype, &BenchRow::dtype},
    {&BenchRecord::device, &BenchRow::device}, {&BenchRecord::shape, &BenchRow::shape},
    {&BenchRecord::timer, &BenchRow::timer},   {&BenchRecord::counter_source, &BenchRow::counter_source}};

CheckRow row_of(const CheckRecord& c) {
  CheckRow r;
  for (const auto& [record, row] : kCheckStrings) r.*row = c.*record;
  r.max_abs_err = c.max_abs_err;
  r.max_rel_err = c.max_rel_err;
  r.max_ulp = c.max_ulp;
  r.budget = c.budget;
  return r;
}

BenchRow row_of(const BenchRecord& b) {
  BenchRow r;
  for (const auto& [record, row] : kBenchStrings) r.*row = b.*record;
  r.numel = b.numel;
  r.bytes = b.bytes;
  r.flops = b.flops;
  r.samples = b.samples;
  return r;
}

Report ReportTable::to_report() const {
  Report r;
  r.meta = meta;
  r.key_format = key_format;
  r.checks.resize(checks.size());
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const CheckRow x = checks[i];
    CheckRecord& c = r.checks[i];
    for (const auto& [record, row] : kCheckStrings) c.*record = x.*row;
    c.max_abs_err = x.max_abs_err;
    c.max_rel_err = x.max_rel_err;
    c.max_ulp = x.max_ulp;
    c.budget = x.budget;
  }
  r.benches.resize(benches.size());
  for (std::size_t i = 0; i < benches.size(); ++i) {
    const BenchRow x = benches[i];
    BenchRecord& b = r.benches[i];
    for (const auto& [record, row] : kBenchStrings) b.*record = x.*row;
    b.numel = x.numel;
    b.bytes = x.bytes;
    b.flops = x.flops;
    b.samples.assign(x.samples.begin(), x.samples.end());
    b.counters.reserve(x.counters.size());
    for (const auto& [name, value] : x.counters) b.counters.emplace_back(std::string(name), value);
  }
  return r;
}

namespace format {
ReportTable table_from_image(Image&& image, Metadata meta) {
  return TableBuilder::build(std::move(image), std::move(meta), true);
}
}  // namespace format

}  // namespace parity::reports
