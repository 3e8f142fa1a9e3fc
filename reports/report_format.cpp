// Encoding of a Report into the arrays of schema version 2 and back (layout in SCHEMA.md).
#include "reports/report_format.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <functional>
#include <iterator>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "engine/spec/broadcast.h"
#include "engine/spec/error.h"

namespace parity::reports::format {

// Values are stored little-endian and the checksum is defined over little-endian bytes; the
// in-memory arrays are hashed as they are, which is only right on a little-endian host.
static_assert(std::endian::native == std::endian::little, "report checksums assume little-endian");

std::size_t Column::size() const {
  return kind == Kind::Id ? ids.size() : kind == Kind::Int ? ints.size() : reals.size();
}

const void* Column::data() const {
  return kind == Kind::Id    ? static_cast<const void*>(ids.data())
         : kind == Kind::Int ? static_cast<const void*>(ints.data())
                             : static_cast<const void*>(reals.data());
}

void* Column::resize(std::size_t n) {
  if (kind == Kind::Id) {
    ids.resize(n);
    return ids.data();
  }
  if (kind == Kind::Int) {
    ints.resize(n);
    return ints.data();
  }
  reals.resize(n);
  return reals.data();
}

namespace {

// String fields of each record type that are stored as plain string ids (shapes are stored
// structured, see encode_shapes).
struct StringField {
  const char* name;
  std::string CheckRecord::*check;
  std::string BenchRecord::*bench;
};
constexpr StringField kCheckStrings[] = {
    {"key", &CheckRecord::key, nullptr},
    {"op", &CheckRecord::op, nullptr},
    {"engine", &CheckRecord::engine, nullptr},
    {"dtype", &CheckRecord::dtype, nullptr},
    {"device", &CheckRecord::device, nullptr},
    {"layout", &CheckRecord::layout, nullptr},
    {"params", &CheckRecord::params, nullptr},
    {"mode", &CheckRecord::mode, nullptr},
    {"reference", &CheckRecord::reference, nullptr},
    {"status", &CheckRecord::status, nullptr},
    {"message", &CheckRecord::message, nullptr},
};
constexpr StringField kBenchStrings[] = {
    {"key", nullptr, &BenchRecord::key},
    {"op", nullptr, &BenchRecord::op},
    {"engine", nullptr, &BenchRecord::engine},
    {"dtype", nullptr, &BenchRecord::dtype},
    {"device", nullptr, &BenchRecord::device},
    {"timer", nullptr, &BenchRecord::timer},
    {"counter_source", nullptr, &BenchRecord::counter_source},
};
struct CheckReal {
  const char* name;
  double CheckRecord::*member;
};
constexpr CheckReal kCheckReals[] = {{"max_abs_err", &CheckRecord::max_abs_err},
                                     {"max_rel_err", &CheckRecord::max_rel_err},
                                     {"max_ulp", &CheckRecord::max_ulp},
                                     {"budget", &CheckRecord::budget}};

Column& find(std::vector<Column>& cols, std::string_view name) {
  for (Column& c : cols)
    if (name == c.name) return c;
  throw std::logic_error("report format has no column " + std::string(name));
}

// Interns strings: each distinct value is stored once. The views point into the Report being
// written, which outlives the pool.
class StringPool {
 public:
  explicit StringPool(Image& image) : image_(image) {
    image_.string_offsets.assign(1, 0);
    id("");
  }
  std::uint32_t id(std::string_view s) {
    const auto next = static_cast<std::uint32_t>(image_.string_offsets.size() - 1);
    const auto [it, fresh] = ids_.try_emplace(s, next);
    if (fresh) add_unique(s);
    return it->second;
  }
  // A string known to be unlike every other of its column (a key): stored without the lookup,
  // which was a fifth of the time to write a 1M-case report.
  std::uint32_t add_unique(std::string_view s) {
    const auto id = static_cast<std::uint32_t>(image_.string_offsets.size() - 1);
    if (image_.string_offsets.size() > 0xFFFFFFFFull)
      throw ValueError("report has more than 2^32 distinct strings");
    image_.strings.append(s);
    image_.string_offsets.push_back(static_cast<std::int64_t>(image_.strings.size()));
    return id;
  }

 private:
  Image& image_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

// "(2,3)x(3,)" and the like, as the harness prints shapes (spec::shape_str joined by 'x'),
// is stored as numbers: per operand its rank, then its dims. Whatever follows the last shape
// (" axes=(1,) keepdims") stays text. Text that is not in exactly that form is kept whole.
// Returns the number of values appended (-1: kept as text) and sets `rest`.
std::int64_t encode_shapes(std::string_view s, std::vector<std::int64_t>& dims, std::string_view& rest) {
  std::vector<std::int64_t> out;
  std::size_t i = 0;
  std::size_t end = 0;  // just past the last complete operand
  std::string canonical;
  while (i < s.size() && s[i] == '(') {
    spec::Shape shape;
    std::size_t j = i + 1;
    bool ok = true;
    while (j < s.size() && s[j] != ')') {
      std::size_t k = j;
      std::int64_t v = 0;
      while (k < s.size() && k - j < 18 && s[k] >= '0' && s[k] <= '9') v = v * 10 + (s[k++] - '0');
      if (k == j) {
        ok = false;
        break;
      }
      shape.push_back(v);
      j = k;
      if (j < s.size() && s[j] == ',') ++j;
    }
    if (!ok || j >= s.size()) break;
    canonical += spec::shape_str(shape);
    out.push_back(static_cast<std::int64_t>(shape.size()));
    out.insert(out.end(), shape.begin(), shape.end());
    end = j + 1;
    if (end < s.size() && s[end] == 'x' && end + 1 < s.size() && s[end + 1] == '(') {
      canonical += 'x';
      i = end + 1;
    } else {
      break;
    }
  }
  if (out.empty() || s.substr(0, end) != canonical) {
    rest = s;
    return -1;
  }
  dims.insert(dims.end(), out.begin(), out.end());
  rest = s.substr(end);
  return static_cast<std::int64_t>(out.size());
}

}  // namespace

std::vector<Column> check_columns() {
  std::vector<Column> cols;
  for (const char* n : {"key", "op", "engine", "dtype", "device", "shapes_text"})
    cols.push_back({n, Kind::Id, {}, {}, {}});
  cols.push_back({"shapes_dims_offset", Kind::Int, {}, {}, {}});
  cols.push_back({"shapes_dims_count", Kind::Int, {}, {}, {}});
  for (const char* n : {"layout", "params", "mode", "reference", "status", "message"})
    cols.push_back({n, Kind::Id, {}, {}, {}});
  for (const CheckReal& f : kCheckReals) cols.push_back({f.name, Kind::Real, {}, {}, {}});
  return cols;
}

std::vector<Column> bench_columns() {
  std::vector<Column> cols;
  for (const char* n : {"key", "op", "engine", "dtype", "device", "shape_text"})
    cols.push_back({n, Kind::Id, {}, {}, {}});
  for (const char* n : {"shape_dims_offset", "shape_dims_count", "numel"})
    cols.push_back({n, Kind::Int, {}, {}, {}});
  cols.push_back({"timer", Kind::Id, {}, {}, {}});
  for (const char* n : {"bytes", "flops"}) cols.push_back({n, Kind::Real, {}, {}, {}});
  for (const char* n : {"sample_offset", "sample_count", "counter_offset", "counter_count"})
    cols.push_back({n, Kind::Int, {}, {}, {}});
  cols.push_back({"counter_source", Kind::Id, {}, {}, {}});
  return cols;
}

Image encode(const Report& r) {
  Image im;
  StringPool pool(im);
  im.checks = check_columns();
  for (Column& c : im.checks) c.resize(r.checks.size());
  for (const StringField& f : kCheckStrings) {
    Column& col = find(im.checks, f.name);
    const bool unique = std::string_view(f.name) == "key";  // write_report checked that
    for (std::size_t i = 0; i < r.checks.size(); ++i) {
      const std::string& v = r.checks[i].*f.check;
      col.ids[i] = unique ? pool.add_unique(v) : pool.id(v);
    }
  }
  for (const CheckReal& f : kCheckReals) {
    Column& col = find(im.checks, f.name);
    for (std::size_t i = 0; i < r.checks.size(); ++i) col.reals[i] = r.checks[i].*f.member;
  }
  {
    Column& text = find(im.checks, "shapes_text");
    Column& off = find(im.checks, "shapes_dims_offset");
    Column& cnt = find(im.checks, "shapes_dims_count");
    for (std::size_t i = 0; i < r.checks.size(); ++i) {
      std::string_view rest;
      off.ints[i] = static_cast<std::int64_t>(im.shape_dims.size());
      cnt.ints[i] = encode_shapes(r.checks[i].shapes, im.shape_dims, rest);
      text.ids[i] = pool.id(rest);
    }
  }

  im.benches = bench_columns();
  for (Column& c : im.benches) c.resize(r.benches.size());
  for (const StringField& f : kBenchStrings) {
    Column& col = find(im.benches, f.name);
    const bool unique = std::string_view(f.name) == "key";
    for (std::size_t i = 0; i < r.benches.size(); ++i) {
      const std::string& v = r.benches[i].*f.bench;
      col.ids[i] = unique ? pool.add_unique(v) : pool.id(v);
    }
  }
  Column &text = find(im.benches, "shape_text"), &doff = find(im.benches, "shape_dims_offset"),
         &dcnt = find(im.benches, "shape_dims_count"), &numel = find(im.benches, "numel"),
         &bytes = find(im.benches, "bytes"), &flops = find(im.benches, "flops"),
         &soff = find(im.benches, "sample_offset"), &scnt = find(im.benches, "sample_count"),
         &coff = find(im.benches, "counter_offset"), &ccnt = find(im.benches, "counter_count");
  for (std::size_t i = 0; i < r.benches.size(); ++i) {
    const BenchRecord& b = r.benches[i];
    std::string_view rest;
    doff.ints[i] = static_cast<std::int64_t>(im.shape_dims.size());
    dcnt.ints[i] = encode_shapes(b.shape, im.shape_dims, rest);
    text.ids[i] = pool.id(rest);
    numel.ints[i] = b.numel;
    bytes.reals[i] = b.bytes;
    flops.reals[i] = b.flops;
    soff.ints[i] = static_cast<std::int64_t>(im.bench_samples.size());
    scnt.ints[i] = static_cast<std::int64_t>(b.samples.size());
    im.bench_samples.insert(im.bench_samples.end(), b.samples.begin(), b.samples.end());
    coff.ints[i] = static_cast<std::int64_t>(im.bench_counter_values.size());
    ccnt.ints[i] = static_cast<std::int64_t>(b.counters.size());
    for (const auto& [name, value] : b.counters) {
      im.bench_counter_names.push_back(pool.id(name));
      im.bench_counter_values.push_back(value);
    }
  }
  return im;
}

void decode_shapes(std::string& out, const std::vector<std::int64_t>& dims, std::int64_t offset,
                   std::int64_t count, std::string_view rest) {
  out.clear();
  if (count < 0) {
    if (count != -1) throw Corrupt("a shape has a negative dims count");
    out.append(rest);
    return;
  }
  const auto n = static_cast<std::uint64_t>(dims.size());
  if (offset < 0 || static_cast<std::uint64_t>(offset) > n ||
      static_cast<std::uint64_t>(count) > n - static_cast<std::uint64_t>(offset)) {
    throw Corrupt("a shape points outside /parity/shape_dims");
  }
  // spec::shape_str's spelling, written in place: a 1M-case report has 2M operands to print.
  char num[24];
  std::size_t i = static_cast<std::size_t>(offset);
  const std::size_t last = i + static_cast<std::size_t>(count);
  while (i < last) {
    const std::int64_t rank = dims[i++];
    if (rank < 0 || static_cast<std::uint64_t>(rank) > last - i)
      throw Corrupt("a shape has an impossible rank");
    if (!out.empty()) out += 'x';
    out += '(';
    for (std::int64_t k = 0; k < rank; ++k, ++i) {
      if (dims[i] < 0) throw Corrupt("a shape has a negative dimension");
      if (k > 0) out += ',';
      out.append(num, std::to_chars(num, num + sizeof num, dims[i]).ptr);
    }
    if (rank == 1) out += ',';
    out += ')';
  }
  out.append(rest);
}

namespace {
std::uint32_t crc(std::uint32_t c, const void* data, std::size_t n) {
  // zlib returns the initial value for a null buffer (an empty vector's data()), not c.
  if (n == 0) return c;
  return static_cast<std::uint32_t>(crc32_z(c, static_cast<const Bytef*>(data), n));
}
template <typename T>
std::uint32_t crc(std::uint32_t c, const std::vector<T>& v) {
  return crc(c, v.data(), v.size() * sizeof(T));
}
}  // namespace

std::uint32_t checksum(const Metadata& meta, const Image& im) {
  std::uint32_t c = static_cast<std::uint32_t>(crc32_z(0, nullptr, 0));
  for (const auto& [k, v] : meta.entries) {
    c = crc(c, k.data(), k.size() + 1);  // with the terminator, so "ab"+"c" != "a"+"bc"
    c = crc(c, v.data(), v.size() + 1);
  }
  c = crc(c, im.strings.data(), im.strings.size());
  c = crc(c, im.string_offsets);
  c = crc(c, im.shape_dims);
  for (const std::vector<Column>* t : {&im.checks, &im.benches})
    for (const Column& col : *t) c = crc(c, col.data(), col.size() * col.element_size());
  c = crc(c, im.bench_samples);
  c = crc(c, im.bench_counter_names);
  c = crc(c, im.bench_counter_values);
  return c;
}

std::string duplicate_key(const std::vector<CheckRecord>& records) {
  return duplicate_key_of(records.size(),
                          [&](std::size_t i) -> const std::string& { return records[i].key; });
}
std::string duplicate_key(const std::vector<BenchRecord>& records) {
  return duplicate_key_of(records.size(),
                          [&](std::size_t i) -> const std::string& { return records[i].key; });
}

std::string check_kind(const Report& r) { return check_kind(r.meta, r.checks.size(), r.benches.size()); }

std::string check_kind(const Metadata& meta, std::size_t n_checks, std::size_t n_benches) {
  const std::string kind = meta.get("kind");
  if (kind == "check" && n_benches > 0)
    return "its kind is 'check' but it holds " + std::to_string(n_benches) + " bench records";
  if (kind == "bench" && n_checks > 0)
    return "its kind is 'bench' but it holds " + std::to_string(n_checks) + " check records";
  return "";
}

std::string check_status(std::string_view s) {
  if (s == "pass" || s == "fail" || s == "skip" || s == "divergent") return "";
  return "has status '" + std::string(s) + "' (expected pass, fail, skip or divergent)";
}

std::string check_sample(double v) {
  if (std::isfinite(v) && v >= 0) return "";
  return "has a sample that is not a time (" + std::to_string(v) + ")";
}

}  // namespace parity::reports::format
