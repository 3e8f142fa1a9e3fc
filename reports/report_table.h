#pragma once
// A report as columns: the lean, read-only model that `show` and `compare` work on. Every
// string is interned once in one table (a 1M-case report repeats a few dozen ops, dtypes and
// statuses and holds a million distinct keys) and each row holds 4-byte ids; bench samples
// and counters sit in one contiguous array each. Rows are read through CheckRow and BenchRow,
// views whose members mirror CheckRecord and BenchRecord (strings as string_view, samples as a
// span), valid as long as the table. A 1M-case check report takes about 150 MB this way,
// against about 500 MB as a Report (a dozen std::string per CheckRecord).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/report.h"

namespace parity::reports {

// The statistics BenchRecord derives from its samples, on any run of samples.
namespace sample_stats {
double median(std::span<const double> s);  // NaN when empty
double mean(std::span<const double> s);
double min(std::span<const double> s);
double stddev(std::span<const double> s);   // n-1; NaN for fewer than 2
double rate(double amount, double median);  // amount / median / 1e9; NaN unless both > 0
}  // namespace sample_stats

// Distinct strings back to back; id 0 is "".
class StringTable {
 public:
  StringTable();
  std::string_view operator[](std::uint32_t id) const {
    return std::string_view(bytes_).substr(static_cast<std::size_t>(offsets_[id]),
                                           static_cast<std::size_t>(offsets_[id + 1] - offsets_[id]));
  }
  std::size_t size() const { return offsets_.size() - 1; }
  // Appends without looking for an equal string (the caller knows it is new, or does not mind).
  std::uint32_t add(std::string_view s);
  // Takes a file's table as it is (string_offsets: size() + 1 entries, starting at 0).
  void assign(std::string bytes, std::vector<std::int64_t> offsets);

 private:
  std::string bytes_;
  std::vector<std::int64_t> offsets_;
};

// A small random-access range whose elements are made on demand by `Owner::operator[]`.
template <class Owner, class Value>
class RowIterator {
 public:
  RowIterator(const Owner* o, std::size_t i) : o_(o), i_(i) {}
  Value operator*() const { return (*o_)[i_]; }
  RowIterator& operator++() {
    ++i_;
    return *this;
  }
  bool operator!=(const RowIterator& other) const { return i_ != other.i_; }
  bool operator==(const RowIterator& other) const { return i_ == other.i_; }

 private:
  const Owner* o_;
  std::size_t i_;
};

struct CheckRow {
  std::string_view key, op, engine, dtype, device, shapes, layout, params, mode, reference, status, message;
  double max_abs_err = kNaN, max_rel_err = kNaN, max_ulp = kNaN, budget = kNaN;
};

// A bench row's counters: (name, value) pairs.
class CounterList {
 public:
  CounterList() = default;
  CounterList(const StringTable* s, const std::uint32_t* names, const double* values, std::size_t n)
      : strings_(s), names_(names), values_(values), n_(n) {}
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  std::pair<std::string_view, double> operator[](std::size_t i) const {
    return {(*strings_)[names_[i]], values_[i]};
  }
  RowIterator<CounterList, std::pair<std::string_view, double>> begin() const { return {this, 0}; }
  RowIterator<CounterList, std::pair<std::string_view, double>> end() const { return {this, n_}; }

 private:
  const StringTable* strings_ = nullptr;
  const std::uint32_t* names_ = nullptr;
  const double* values_ = nullptr;
  std::size_t n_ = 0;
};

struct BenchRow {
  std::string_view key, op, engine, dtype, device, shape, timer, counter_source;
  std::int64_t numel = 0;
  double bytes = 0, flops = 0;
  std::span<const double> samples;
  CounterList counters;
  double median() const { return sample_stats::median(samples); }
  double mean() const { return sample_stats::mean(samples); }
  double min() const { return sample_stats::min(samples); }
  double stddev() const { return sample_stats::stddev(samples); }
  double gbps() const { return sample_stats::rate(bytes, median()); }
  double gflops() const { return sample_stats::rate(flops, median()); }
};

// A record's identity (and numbers) as a row, without copying: for code that serves both models.
CheckRow row_of(const CheckRecord& c);
BenchRow row_of(const BenchRecord& b);  // counters are left out (they are not identity)

class ReportTable {
 public:
  class Checks {
   public:
    std::size_t size() const { return key.size(); }
    bool empty() const { return key.empty(); }
    CheckRow operator[](std::size_t i) const;
    std::string_view key_of(std::size_t i) const { return (*strings)[key[i]]; }
    // Whether the keys are known to be distinct (the reader checked them; from() does not).
    bool unique_keys() const { return unique; }
    RowIterator<Checks, CheckRow> begin() const { return {this, 0}; }
    RowIterator<Checks, CheckRow> end() const { return {this, size()}; }

   private:
    friend class ReportTable;
    friend struct TableBuilder;
    const StringTable* strings = nullptr;
    bool unique = false;
    std::vector<std::uint32_t> key, op, engine, dtype, device, shapes, layout, params, mode, reference,
        status, message;
    std::vector<double> max_abs_err, max_rel_err, max_ulp, budget;
  };
  class Benches {
   public:
    std::size_t size() const { return key.size(); }
    bool empty() const { return key.empty(); }
    BenchRow operator[](std::size_t i) const;
    std::string_view key_of(std::size_t i) const { return (*strings)[key[i]]; }
    // Whether the keys are known to be distinct (the reader checked them; from() does not).
    bool unique_keys() const { return unique; }
    RowIterator<Benches, BenchRow> begin() const { return {this, 0}; }
    RowIterator<Benches, BenchRow> end() const { return {this, size()}; }

   private:
    friend class ReportTable;
    friend struct TableBuilder;
    const StringTable* strings = nullptr;
    bool unique = false;
    std::vector<std::uint32_t> key, op, engine, dtype, device, shape, timer, counter_source;
    std::vector<std::int64_t> numel;
    std::vector<double> bytes, flops;
    std::vector<std::int64_t> sample_offset, sample_count;    // into samples, checked in range
    std::vector<std::int64_t> counter_offset, counter_count;  // into counter_names and _values
    std::vector<double> samples;
    std::vector<std::uint32_t> counter_names;
    std::vector<double> counter_values;
  };

  ReportTable();
  ReportTable(ReportTable&&) noexcept;
  ReportTable& operator=(ReportTable&&) noexcept;
  ReportTable(const ReportTable&) = delete;
  ReportTable& operator=(const ReportTable&) = delete;
  ~ReportTable();

  // The records of `r`, interned (not validated: compare() reports duplicates its own way).
  static ReportTable from(const Report& r);
  Report to_report() const;

  Metadata meta;
  int key_format = 1;
  Checks checks;
  Benches benches;

 private:
  friend struct TableBuilder;
  std::unique_ptr<StringTable> strings_;  // on the heap: rows point at it across moves
};

// Reads a report file (either schema version) into columns, with every check read_report()
// makes (it is read_report() less the records). Throws parity::ValueError as read_report().
ReportTable read_report_table(const std::string& path);

}  // namespace parity::reports
