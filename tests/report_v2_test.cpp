// Tests of report schema version 2 and of what the writer guarantees: version 1 files still
// read; the case identity, engine, parameters and counters stored field by field; the content
// checksum (a zeroed chunk, an edited value); damage that only the structural checks can catch
// (files crafted with a valid checksum); the kind check; the output-path preflight; and failed
// writes (a full disk, a damaged temporary) that keep the old report and leave no temporary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "engine/spec/error.h"
#include "reports/report.h"
#include "reports/report_detail.h"
#include "reports/temporaries.h"

namespace {

namespace fs = std::filesystem;
using parity::reports::BenchRecord;
using parity::reports::CheckRecord;
using parity::reports::read_report;
using parity::reports::Report;
using parity::reports::write_report;

const std::string kData = PARITY_TEST_DATA;

class ReportV2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("parity_report_v2_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    parity::reports::detail::write_hook_for_testing() = nullptr;
    parity::reports::detail::written_hook_for_testing() = nullptr;
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    return names;
  }
  fs::path dir_;
};

// The message of the E that f() throws; a failure when it throws nothing, something else, or a
// message of more than one line.
template <class E, class F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const E& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    return msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

CheckRecord check(int i, const std::string& status = "pass") {
  CheckRecord c;
  c.op = "add";
  c.dtype = "float32";
  c.device = "cpu";
  c.shapes = "(" + std::to_string(i + 1) + ",3)x(3,)";
  c.layout = "contiguous";
  c.mode = "forward";
  c.key = c.op + "|" + c.dtype + "|" + c.device + "|" + c.shapes + "|" + c.layout + "|" + c.mode;
  c.reference = "array";
  c.status = status;
  c.max_abs_err = 1e-7 * i;
  c.max_rel_err = 2e-7;
  c.max_ulp = 0.5 * i;
  c.budget = 4;
  if (status != "pass") c.message = "case " + std::to_string(i) + " is off";
  return c;
}

BenchRecord bench(int i, std::size_t samples = 3) {
  BenchRecord b;
  b.op = "mul";
  b.dtype = "float64";
  b.device = "cpu";
  b.engine = "tensor";
  b.shape = "(" + std::to_string(1024 * (i + 1)) + ",)";
  b.numel = 1024 * (i + 1);
  b.key = b.op + "|" + b.dtype + "|" + b.device + "|" + std::to_string(b.numel);
  b.timer = "wall";
  b.bytes = 24.0 * b.numel;
  b.flops = b.numel;
  for (std::size_t s = 0; s < samples; ++s)
    b.samples.push_back(1e-5 * (i + 1) + 1e-9 * static_cast<double>(s));
  return b;
}

Report check_report(int n) {
  Report r;
  r.meta.set("kind", "check");
  r.meta.set("git_sha", "0123abc");
  for (int i = 0; i < n; ++i) r.checks.push_back(check(i, i % 7 == 3 ? "fail" : "pass"));
  return r;
}

Report bench_report(int n, std::size_t samples = 3) {
  Report r;
  r.meta.set("kind", "bench");
  for (int i = 0; i < n; ++i) r.benches.push_back(bench(i, samples));
  return r;
}

void expect_same(const Report& a, const Report& b) {
  EXPECT_EQ(a.meta.entries, b.meta.entries);
  EXPECT_EQ(a.key_format, b.key_format);
  ASSERT_EQ(a.checks.size(), b.checks.size());
  for (std::size_t i = 0; i < a.checks.size(); ++i) {
    const CheckRecord &x = a.checks[i], &y = b.checks[i];
    SCOPED_TRACE(x.key);
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.engine, y.engine);
    EXPECT_EQ(x.dtype, y.dtype);
    EXPECT_EQ(x.device, y.device);
    EXPECT_EQ(x.shapes, y.shapes);
    EXPECT_EQ(x.layout, y.layout);
    EXPECT_EQ(x.params, y.params);
    EXPECT_EQ(x.mode, y.mode);
    EXPECT_EQ(x.reference, y.reference);
    EXPECT_EQ(x.status, y.status);
    EXPECT_EQ(x.message, y.message);
    for (auto m : {&CheckRecord::max_abs_err, &CheckRecord::max_rel_err, &CheckRecord::max_ulp,
                   &CheckRecord::budget}) {
      if (std::isnan(x.*m)) {
        EXPECT_TRUE(std::isnan(y.*m));
      } else {
        EXPECT_EQ(x.*m, y.*m);
      }
    }
  }
  ASSERT_EQ(a.benches.size(), b.benches.size());
  for (std::size_t i = 0; i < a.benches.size(); ++i) {
    const BenchRecord &x = a.benches[i], &y = b.benches[i];
    SCOPED_TRACE(x.key);
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.engine, y.engine);
    EXPECT_EQ(x.dtype, y.dtype);
    EXPECT_EQ(x.device, y.device);
    EXPECT_EQ(x.shape, y.shape);
    EXPECT_EQ(x.numel, y.numel);
    EXPECT_EQ(x.timer, y.timer);
    EXPECT_EQ(x.bytes, y.bytes);
    EXPECT_EQ(x.flops, y.flops);
    EXPECT_EQ(x.samples, y.samples);
    EXPECT_EQ(x.counters, y.counters);
    EXPECT_EQ(x.counter_source, y.counter_source);
  }
}

// ---------------------------------------------------------------------------------------------
// HDF5 surgery, for damage the writer would never make

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Where chunk `index` of dataset `name` lies in the file, and its stored size.
std::pair<haddr_t, hsize_t> chunk_at(const std::string& path, const char* name, hsize_t index) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  const hid_t s = H5Dget_space(d);
  hsize_t offset[1] = {0}, size = 0;
  haddr_t addr = HADDR_UNDEF;
  unsigned mask = 0;
  EXPECT_GE(H5Dget_chunk_info(d, s, index, offset, &mask, &addr, &size), 0) << name;
  H5Sclose(s);
  H5Dclose(d);
  H5Fclose(f);
  return {addr, size};
}

// Replaces dataset `name` (a path inside the file) with `values`, stored plainly (no filters).
template <typename T>
void replace(const std::string& path, const char* name, hid_t file_type, hid_t mem_type,
             const std::vector<T>& values) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  EXPECT_GE(H5Ldelete(f, name, H5P_DEFAULT), 0) << name;
  const hsize_t dims[1] = {values.size()};
  const hid_t s = H5Screate_simple(1, dims, nullptr);
  const hid_t d = H5Dcreate2(f, name, file_type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(d, 0) << name;
  if (!values.empty()) {
    EXPECT_GE(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  }
  H5Dclose(d);
  H5Sclose(s);
  H5Fclose(f);
}

template <typename T>
std::vector<T> values_of(const std::string& path, const char* name, hid_t mem_type) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  const hid_t s = H5Dget_space(d);
  std::vector<T> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
  if (!v.empty()) {
    EXPECT_GE(H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << name;
  }
  H5Sclose(s);
  H5Dclose(d);
  H5Fclose(f);
  return v;
}

void set_meta(const std::string& path, const char* key, const std::string& value) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t g = H5Gopen2(f, "/parity/meta", H5P_DEFAULT);
  if (H5Aexists(g, key) > 0) H5Adelete(g, key);
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, value.size() + 1);
  const hid_t s = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(g, key, t, s, H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(H5Awrite(a, t, value.c_str()), 0);
  H5Aclose(a);
  H5Sclose(s);
  H5Tclose(t);
  H5Gclose(g);
  H5Fclose(f);
}

herr_t collect(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

// Recomputes /parity@content_checksum as reports/SCHEMA.md defines it (written here from the
// document, not from the writer), so that a test can make damage only the structural checks see.
void rewrite_checksum(const std::string& path) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  uLong crc = crc32(0, Z_NULL, 0);
  const hid_t g = H5Gopen2(f, "/parity/meta", H5P_DEFAULT);
  std::vector<std::string> keys;
  hsize_t idx = 0;
  H5Aiterate2(g, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect, &keys);
  for (const std::string& k : keys) {
    const hid_t a = H5Aopen(g, k.c_str(), H5P_DEFAULT);
    const hid_t t = H5Aget_type(a);
    std::string v(H5Tget_size(t), '\0');
    H5Aread(a, t, v.data());
    v.resize(std::strlen(v.c_str()));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(k.c_str()), static_cast<uInt>(k.size() + 1));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(v.c_str()), static_cast<uInt>(v.size() + 1));
    H5Tclose(t);
    H5Aclose(a);
  }
  H5Gclose(g);
  std::vector<std::string> names = {"strings", "string_offsets", "shape_dims"};
  for (const char* n : {"key", "op", "engine", "dtype", "device", "shapes_text", "shapes_dims_offset",
                        "shapes_dims_count", "layout", "params", "mode", "reference", "status", "message",
                        "max_abs_err", "max_rel_err", "max_ulp", "budget"})
    names.push_back(std::string("checks/") + n);
  for (const char* n : {"key", "op", "engine", "dtype", "device", "shape_text", "shape_dims_offset",
                        "shape_dims_count", "numel", "timer", "bytes", "flops", "sample_offset",
                        "sample_count", "counter_offset", "counter_count", "counter_source"})
    names.push_back(std::string("benches/") + n);
  for (const char* n : {"bench_samples", "bench_counter_names", "bench_counter_values"}) names.push_back(n);
  for (const std::string& n : names) {
    const hid_t d = H5Dopen2(f, ("/parity/" + n).c_str(), H5P_DEFAULT);
    ASSERT_GE(d, 0) << n;
    const hid_t ft = H5Dget_type(d);
    const hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);  // little-endian on this host
    const hid_t s = H5Dget_space(d);
    std::vector<unsigned char> buf(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)) *
                                   H5Tget_size(mt));
    if (!buf.empty()) H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    if (!buf.empty()) crc = crc32(crc, buf.data(), static_cast<uInt>(buf.size()));
    H5Sclose(s);
    H5Tclose(mt);
    H5Tclose(ft);
    H5Dclose(d);
  }
  const auto value = static_cast<std::uint32_t>(crc);
  // Replaced rather than rewritten in place (HDF5 1.10 cannot H5Awrite this one after the
  // reads above: "can't locate open attribute").
  EXPECT_GE(H5Adelete_by_name(f, "/parity", "content_checksum", H5P_DEFAULT), 0);
  const hid_t s = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate_by_name(f, "/parity", "content_checksum", H5T_STD_U32LE, s, H5P_DEFAULT,
                                    H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(H5Awrite(a, H5T_NATIVE_UINT32, &value), 0);
  H5Aclose(a);
  H5Sclose(s);
  H5Fclose(f);
}

std::string corrupt_message(const std::string& path) {
  return refusal<parity::ValueError>([&] { read_report(path); });
}

// ---------------------------------------------------------------------------------------------
// Version 1 files

// The committed fixtures were written by the version 1 writer (tests/data/make_v1_fixtures.cpp);
// the values below are the ones that program wrote.
TEST_F(ReportV2Test, ReadsVersion1CheckReport) {
  const Report r = read_report(kData + "/report_v1_check.h5");
  EXPECT_EQ(r.key_format, 1);
  EXPECT_EQ(r.meta.get("kind"), "check");
  EXPECT_EQ(r.meta.get("git_sha"), "da4ea61");
  ASSERT_EQ(r.checks.size(), 3u);
  EXPECT_TRUE(r.benches.empty());
  const CheckRecord& a = r.checks[0];
  EXPECT_EQ(a.key, "add|float32|cpu|(2,3)x(3,)|contiguous|forward");
  EXPECT_EQ(a.shapes, "(2,3)x(3,)");
  EXPECT_EQ(a.status, "pass");
  EXPECT_EQ(a.engine, "tensor");  // version 1 has no engine field: the default
  EXPECT_EQ(a.params, "");
  EXPECT_EQ(a.budget, 1);
  const CheckRecord& b = r.checks[1];
  EXPECT_EQ(b.op, "exp");
  EXPECT_EQ(b.layout, "transposed");
  EXPECT_EQ(b.status, "fail");
  EXPECT_EQ(b.max_abs_err, 1e-12);
  EXPECT_EQ(b.max_rel_err, 2.5e-13);
  EXPECT_EQ(b.max_ulp, 3);
  EXPECT_EQ(b.message, "max ULP 3 > budget 2 at index 4");
  const CheckRecord& c = r.checks[2];
  EXPECT_EQ(c.mode, "grad");
  EXPECT_EQ(c.reference, "finite-difference");
  EXPECT_EQ(c.status, "skip");
  EXPECT_TRUE(std::isnan(c.max_ulp));
  EXPECT_EQ(c.message, "not differentiable for integer dtypes");
}

TEST_F(ReportV2Test, ReadsVersion1BenchReport) {
  const Report r = read_report(kData + "/report_v1_bench.h5");
  EXPECT_EQ(r.meta.get("kind"), "bench");
  ASSERT_EQ(r.benches.size(), 2u);
  const BenchRecord& x = r.benches[0];
  EXPECT_EQ(x.key, "add|float32|cpu|1048576");
  EXPECT_EQ(x.shape, "(1048576,)");
  EXPECT_EQ(x.numel, 1048576);
  EXPECT_EQ(x.bytes, 12582912);
  EXPECT_EQ(x.samples, (std::vector<double>{1.5e-4, 1.25e-4, 1.75e-4}));
  EXPECT_TRUE(x.counters.empty());
  const BenchRecord& y = r.benches[1];
  EXPECT_EQ(y.shape, "(64,64)x(64,64)");
  EXPECT_EQ(y.timer, "wall-cold");
  EXPECT_EQ(y.flops, 524288);
  EXPECT_TRUE(y.samples.empty());
  // And a version 1 report written again comes out as version 2 with the same content.
  const std::string path = file("again.h5");
  write_report(r, path);
  expect_same(r, read_report(path));
}

// Damage to a version 1 file: every read returns the report unchanged or throws a one-line
// ValueError naming the file; never a crash, another exception or a leaked HDF5 id.
// std::mt19937's output is fixed by the standard, so the variants are the same everywhere.
TEST_F(ReportV2Test, DamagedVersion1FilesAreRefusedNeverACrash) {
  for (const char* name : {"report_v1_check.h5", "report_v1_bench.h5"}) {
    SCOPED_TRACE(name);
    const std::vector<char> bytes = read_bytes(kData + "/" + name);
    const Report original = read_report(kData + "/" + name);
    const std::string bad = file("bad.h5");
    int same = 0, refused = 0;
    const auto attempt = [&](const std::vector<char>& b, const std::string& what) {
      SCOPED_TRACE(what);
      write_bytes(bad, b);
      try {
        expect_same(original, read_report(bad));
        ++same;
      } catch (const parity::ValueError& e) {
        ++refused;
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
        EXPECT_TRUE(contains(e.what(), bad)) << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "not a ValueError: " << e.what();
      }
      EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0) << "an HDF5 id was left open";
    };
    for (unsigned seed = 0; seed < 100; ++seed) {
      std::mt19937 rng(seed);
      std::vector<char> b = bytes;
      for (unsigned i = 0, flips = 1 + rng() % 32; i < flips; ++i) {
        const std::size_t pos = rng() % b.size();
        b[pos] = static_cast<char>(b[pos] ^ static_cast<char>(1 + rng() % 255));
      }
      attempt(b, "seed " + std::to_string(seed));
    }
    for (std::size_t pos = 0; pos < bytes.size(); pos += 9) {
      std::vector<char> b = bytes;
      b[pos] = static_cast<char>(~b[pos]);
      attempt(b, "byte " + std::to_string(pos));
    }
    const int before_cuts = refused;
    for (std::size_t k = 0; k < 20; ++k)
      attempt(std::vector<char>(bytes.begin(),
                                bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() * k / 20)),
              "cut " + std::to_string(k));
    EXPECT_EQ(refused - before_cuts, 20) << "a truncated report cannot be whole";
    EXPECT_GT(refused, 0);
    std::cout << "[          ] " << name << ": " << same << " read back unchanged, " << refused
              << " refused\n";
  }
}

// Version 1 files have no content checksum, but the kind still has to agree with the records.
TEST_F(ReportV2Test, Version1KindMustAgreeWithContent) {
  const std::string path = file("v1.h5");
  fs::copy_file(kData + "/report_v1_bench.h5", path);
  set_meta(path, "kind", "check");
  EXPECT_EQ(corrupt_message(path),
            path + " is a corrupt Parity report: its kind is 'check' but it holds 2 bench records");
}

// ---------------------------------------------------------------------------------------------
// Version 2 content

TEST_F(ReportV2Test, IdentityEngineParamsAndCountersRoundTrip) {
  Report r;
  r.meta.set("kind", "check");
  r.key_format = 1;
  CheckRecord c = check(0);
  c.engine = "array";
  c.params = R"({"axis":1,"keepdims":true})";
  c.shapes = "(4,5) axes=(1,) keepdims";
  c.key = "sum|" + c.shapes;
  r.checks.push_back(c);
  CheckRecord odd = check(1, "divergent");
  odd.shapes = "(2, 3)";  // not the harness's spelling: kept as text
  odd.key = "odd";
  odd.message = std::string("a NUL \0 inside and UTF-8 \xc2\xb5", 27);
  odd.max_ulp = parity::reports::kNaN;
  r.checks.push_back(odd);
  CheckRecord scalar = check(2, "skip");
  scalar.shapes = "()x(0,)x(1,2,3,4,5,6,7,8)";
  scalar.key = "scalar";
  r.checks.push_back(scalar);
  CheckRecord none = check(3);
  none.shapes = "";
  none.key = "none";
  r.checks.push_back(none);
  const std::string path = file("c.h5");
  write_report(r, path);
  expect_same(r, read_report(path));

  Report b;
  b.meta.set("kind", "bench");
  BenchRecord x = bench(0);
  x.engine = "numpy";
  x.counters = {{"instructions", 123456789.0}, {"allocations", 3}, {"bytes_allocated", 8192}};
  x.counter_source = "perf_event";
  b.benches.push_back(x);
  BenchRecord y = bench(1, 0);
  y.counters = {{"kernel_launches", 2}};
  y.counter_source = "count";
  b.benches.push_back(y);
  b.benches.push_back(bench(2));
  const std::string bpath = file("b.h5");
  write_report(b, bpath);
  expect_same(b, read_report(bpath));
}

// Shapes in the harness's spelling are numbers in the file (rank, then dims, per operand), so a
// reader can match cases on them whatever the printing; the rest of the text stays text.
TEST_F(ReportV2Test, ShapesAreStoredAsNumbers) {
  Report r;
  CheckRecord c = check(0);
  c.shapes = "(2,3)x(3,) axes=(1,)";
  r.checks.push_back(c);
  CheckRecord d = check(1);
  d.shapes = "(2, 3)";
  r.checks.push_back(d);
  const std::string path = file("shapes.h5");
  write_report(r, path);
  EXPECT_EQ(values_of<std::int64_t>(path, "/parity/shape_dims", H5T_NATIVE_INT64),
            (std::vector<std::int64_t>{2, 2, 3, 1, 3}));
  EXPECT_EQ(values_of<std::int64_t>(path, "/parity/checks/shapes_dims_count", H5T_NATIVE_INT64),
            (std::vector<std::int64_t>{5, -1}));
  const auto text_ids = values_of<std::uint32_t>(path, "/parity/checks/shapes_text", H5T_NATIVE_UINT32);
  const auto blob = values_of<unsigned char>(path, "/parity/strings", H5T_NATIVE_UINT8);
  const auto off = values_of<std::int64_t>(path, "/parity/string_offsets", H5T_NATIVE_INT64);
  const auto text = [&](std::uint32_t id) {
    return std::string(blob.begin() + off[id], blob.begin() + off[id + 1]);
  };
  ASSERT_EQ(text_ids.size(), 2u);
  EXPECT_EQ(text(text_ids[0]), " axes=(1,)");
  EXPECT_EQ(text(text_ids[1]), "(2, 3)");
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  int key_format = 0;
  const hid_t a = H5Aopen_by_name(f, "/parity", "key_format", H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(H5Aread(a, H5T_NATIVE_INT, &key_format), 0);
  EXPECT_EQ(key_format, 1);
  H5Aclose(a);
  H5Fclose(f);
}

// ---------------------------------------------------------------------------------------------
// The content checksum

// A chunk zeroed on disk (what a full disk left behind) is refused. 40000 samples make two
// chunks of /parity/bench_samples.
TEST_F(ReportV2Test, ZeroedChunkIsRefused) {
  const std::string path = file("zeroed.h5");
  write_report(bench_report(2, 20000), path);
  for (const char* name : {"/parity/bench_samples", "/parity/strings", "/parity/benches/key"}) {
    SCOPED_TRACE(name);
    const std::string bad = file("bad.h5");
    std::vector<char> bytes = read_bytes(path);
    const auto [addr, size] = chunk_at(path, name, 0);
    ASSERT_NE(addr, HADDR_UNDEF);
    ASSERT_LE(addr + size, bytes.size());
    std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(addr),
              bytes.begin() + static_cast<std::ptrdiff_t>(addr + size), 0);
    write_bytes(bad, bytes);
    const std::string msg = corrupt_message(bad);
    EXPECT_TRUE(contains(msg, bad + " is a corrupt Parity report")) << msg;
  }
}

TEST_F(ReportV2Test, FlippedByteInTheStringTableIsRefused) {
  const std::string path = file("flip.h5");
  write_report(check_report(500), path);
  const auto [addr, size] = chunk_at(path, "/parity/strings", 0);
  ASSERT_GT(size, 16u);
  for (hsize_t at : {hsize_t{0}, size / 2, size - 1}) {
    std::vector<char> bytes = read_bytes(path);
    bytes[addr + at] = static_cast<char>(bytes[addr + at] ^ 0x10);
    const std::string bad = file("bad.h5");
    write_bytes(bad, bytes);
    EXPECT_TRUE(contains(corrupt_message(bad), "corrupt Parity report")) << at;
  }
}

// A value changed through HDF5 itself (an edit, or memory damage before the write) passes every
// chunk checksum, which HDF5 recomputes; only the content checksum sees it.
TEST_F(ReportV2Test, EditedValueFailsTheContentChecksum) {
  const std::string path = file("edited.h5");
  write_report(bench_report(3), path);
  auto samples = values_of<double>(path, "/parity/bench_samples", H5T_NATIVE_DOUBLE);
  samples[4] *= 2;
  replace(path, "/parity/bench_samples", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, samples);
  const std::string msg = corrupt_message(path);
  EXPECT_TRUE(contains(msg, "the content does not match its checksum")) << msg;
  // The metadata is covered too.
  write_report(bench_report(3), path);
  set_meta(path, "kind", "bench ");
  EXPECT_TRUE(contains(corrupt_message(path), "does not match its checksum"));
  // With the checksum recomputed the edit reads back: the test's checksum is SCHEMA.md's.
  write_report(bench_report(3), path);
  replace(path, "/parity/bench_samples", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, samples);
  rewrite_checksum(path);
  EXPECT_EQ(read_report(path).benches[1].samples[1], samples[4]);
}

// ---------------------------------------------------------------------------------------------
// Damage behind a valid checksum: the structural checks

TEST_F(ReportV2Test, TruncatedOrBrokenStringOffsetsAreRefused) {
  const std::string path = file("offsets.h5");
  const auto fresh = [&] {
    write_report(check_report(20), path);
    return values_of<std::int64_t>(path, "/parity/string_offsets", H5T_NATIVE_INT64);
  };
  auto off = fresh();
  off.pop_back();
  replace(path, "/parity/string_offsets", H5T_STD_I64LE, H5T_NATIVE_INT64, off);
  EXPECT_TRUE(contains(corrupt_message(path), "does not match its checksum"));
  rewrite_checksum(path);
  EXPECT_EQ(
      corrupt_message(path),
      path +
          " is a corrupt Parity report: /parity/string_offsets does not end at the size of /parity/strings");

  off = fresh();
  std::swap(off[3], off[4]);
  replace(path, "/parity/string_offsets", H5T_STD_I64LE, H5T_NATIVE_INT64, off);
  rewrite_checksum(path);
  EXPECT_TRUE(contains(corrupt_message(path), "/parity/string_offsets decreases at"));

  off = fresh();
  off.back() += 1000000;
  replace(path, "/parity/string_offsets", H5T_STD_I64LE, H5T_NATIVE_INT64, off);
  rewrite_checksum(path);
  EXPECT_TRUE(contains(corrupt_message(path), "does not end at the size"));

  fresh();
  replace(path, "/parity/string_offsets", H5T_STD_I64LE, H5T_NATIVE_INT64, std::vector<std::int64_t>{});
  rewrite_checksum(path);
  EXPECT_TRUE(contains(corrupt_message(path), "/parity/string_offsets does not start at 0"));
}

TEST_F(ReportV2Test, BadIdsStatusesRangesAndDuplicatesAreRefused) {
  const std::string path = file("ids.h5");
  const auto ids = [&](const char* name) { return values_of<std::uint32_t>(path, name, H5T_NATIVE_UINT32); };
  const auto put_ids = [&](const char* name, const std::vector<std::uint32_t>& v) {
    replace(path, name, H5T_STD_U32LE, H5T_NATIVE_UINT32, v);
    rewrite_checksum(path);
  };

  write_report(check_report(5), path);
  auto op = ids("/parity/checks/op");
  op[2] = 1000000;
  put_ids("/parity/checks/op", op);
  EXPECT_TRUE(contains(corrupt_message(path), "column op names string 1000000 of")) << corrupt_message(path);

  write_report(check_report(5), path);
  put_ids("/parity/checks/status", ids("/parity/checks/key"));  // statuses that are keys
  EXPECT_TRUE(contains(
      corrupt_message(path),
      "has status 'add|float32|cpu|(1,3)x(3,)|contiguous|forward' (expected pass, fail, skip or divergent)"));

  write_report(check_report(5), path);
  auto key = ids("/parity/checks/key");
  key[4] = key[1];
  put_ids("/parity/checks/key", key);
  EXPECT_TRUE(contains(corrupt_message(path),
                       "check key 'add|float32|cpu|(2,3)x(3,)|contiguous|forward' appears twice"));

  write_report(check_report(5), path);
  put_ids("/parity/checks/layout", {0, 0, 0});  // a short column
  EXPECT_TRUE(contains(corrupt_message(path), "the columns of /parity/checks differ in length (layout)"));

  write_report(check_report(2), path);
  replace(path, "/parity/shape_dims", H5T_STD_I64LE, H5T_NATIVE_INT64,
          std::vector<std::int64_t>{2, -1, 3, 1, 3, 2, 2, 3, 1, 3});
  rewrite_checksum(path);
  EXPECT_TRUE(contains(corrupt_message(path), "a shape has a negative dimension"));
  replace(path, "/parity/shape_dims", H5T_STD_I64LE, H5T_NATIVE_INT64,
          std::vector<std::int64_t>{9, 1, 3, 1, 3, 2, 2, 3, 1, 3});
  rewrite_checksum(path);
  EXPECT_TRUE(contains(corrupt_message(path), "a shape has an impossible rank"));
  replace(path, "/parity/shape_dims", H5T_STD_I64LE, H5T_NATIVE_INT64, std::vector<std::int64_t>{2, 1, 3});
  rewrite_checksum(path);
  EXPECT_TRUE(contains(corrupt_message(path), "a shape points outside /parity/shape_dims"));

  write_report(bench_report(3), path);
  replace(path, "/parity/benches/sample_count", H5T_STD_I64LE, H5T_NATIVE_INT64,
          std::vector<std::int64_t>{3, 3, 4});
  rewrite_checksum(path);
  EXPECT_TRUE(
      contains(corrupt_message(path), "bench 'mul|float64|cpu|3072' points outside /parity/bench_samples"));

  for (double v : {std::nan(""), -1.0, HUGE_VAL}) {
    write_report(bench_report(3), path);
    auto s = values_of<double>(path, "/parity/bench_samples", H5T_NATIVE_DOUBLE);
    s[7] = v;
    replace(path, "/parity/bench_samples", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s);
    rewrite_checksum(path);
    EXPECT_TRUE(
        contains(corrupt_message(path), "bench 'mul|float64|cpu|3072' has a sample that is not a time"))
        << v;
  }

  Report counted = bench_report(2);
  counted.benches[0].counters = {{"instructions", 100}};
  write_report(counted, path);
  replace(path, "/parity/bench_counter_values", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, std::vector<double>{1, 2});
  rewrite_checksum(path);
  EXPECT_TRUE(contains(corrupt_message(path),
                       "bench_counter_names and /parity/bench_counter_values differ in length"));
}

// ---------------------------------------------------------------------------------------------
// The kind attribute

TEST_F(ReportV2Test, KindMustAgreeWithContent) {
  Report mixed = check_report(2);
  mixed.benches.push_back(bench(0));
  EXPECT_EQ(refusal<parity::ValueError>([&] { write_report(mixed, file("m.h5")); }),
            "cannot write the report: its kind is 'check' but it holds 1 bench records");
  Report flipped = bench_report(1);
  flipped.checks.push_back(check(0));
  EXPECT_TRUE(contains(refusal<parity::ValueError>([&] { write_report(flipped, file("m.h5")); }),
                       "its kind is 'bench' but it holds 1 check records"));
  EXPECT_TRUE(listing().empty());

  const std::string path = file("k.h5");
  write_report(bench_report(3), path);
  set_meta(path, "kind", "check");
  rewrite_checksum(path);
  EXPECT_EQ(corrupt_message(path),
            path + " is a corrupt Parity report: its kind is 'check' but it holds 3 bench records");
  write_report(check_report(4), path);
  set_meta(path, "kind", "bench");
  rewrite_checksum(path);
  EXPECT_EQ(corrupt_message(path),
            path + " is a corrupt Parity report: its kind is 'bench' but it holds 4 check records");
}

// ---------------------------------------------------------------------------------------------
// The output path, before a run

TEST_F(ReportV2Test, PreflightRefusesWhatCannotBeAReport) {
  using parity::reports::check_output_path;
  const auto why = [](const std::string& p) {
    return refusal<parity::ValueError>([&] { check_output_path(p); });
  };
  EXPECT_EQ(why(""), "cannot write report '': the output path is empty");
  EXPECT_EQ(why("/dev/null"), "cannot write report '/dev/null': it is a device");
  EXPECT_EQ(why("/dev/full"), "cannot write report '/dev/full': it is a device");
  const std::string fifo = file("fifo.h5");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(why(fifo), "cannot write report '" + fifo + "': it is a FIFO");
  const std::string sock = file("sock.h5");
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(why(sock), "cannot write report '" + sock + "': it is a socket");
  ::close(fd);
  EXPECT_EQ(why(dir_.string()), "cannot write report '" + dir_.string() + "': it is a folder");
  EXPECT_EQ(why(file("sub/")), "cannot write report '" + file("sub/") + "': it names a folder, not a file");
  EXPECT_EQ(why(file("missing/r.h5")), "cannot write report '" + file("missing/r.h5") + "': folder '" +
                                           file("missing") + "' does not exist");
  std::ofstream(file("plain")) << "x";
  EXPECT_EQ(why(file("plain/r.h5")),
            "cannot write report '" + file("plain/r.h5") + "': '" + file("plain") + "' is not a folder");
  const std::string too_long = file(std::string(256, 'n'));
  EXPECT_TRUE(contains(why(too_long), "the file name is 256 bytes, more than the folder allows (255)"));
  // And what is fine: a new file, an existing report.
  EXPECT_NO_THROW(check_output_path(file("new.h5")));
  std::ofstream(file("old.h5")) << "x";
  EXPECT_NO_THROW(check_output_path(file("old.h5")));
  if (::geteuid() != 0) {
    fs::permissions(dir_, fs::perms::owner_write, fs::perm_options::remove);
    EXPECT_TRUE(contains(why(file("r.h5")), "is not writable"));
    fs::permissions(dir_, fs::perms::owner_write, fs::perm_options::add);
  }
}

// write_report() itself refuses the same paths, so a device is never replaced by a file (as
// root, renaming over /dev/null would do exactly that).
TEST_F(ReportV2Test, WriteNeverReplacesADeviceOrFifo) {
  for (const char* dev : {"/dev/null", "/dev/full"}) {
    EXPECT_TRUE(
        contains(refusal<parity::ValueError>([&] { write_report(check_report(1), dev); }), "it is a device"));
    EXPECT_TRUE(fs::is_character_file(dev)) << dev;
  }
  const std::string fifo = file("fifo.h5");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(
      contains(refusal<parity::ValueError>([&] { write_report(check_report(1), fifo); }), "it is a FIFO"));
  EXPECT_TRUE(fs::is_fifo(fifo));
  EXPECT_EQ(listing(), std::vector<std::string>{"fifo.h5"});
}

// The temporary's name is ".NAME.tmp-PID-N"; a name near the folder's limit still works (the
// temporary's copy of it is shortened), and nothing is left beside it.
TEST_F(ReportV2Test, NamesUpToTheLimitAreWritten) {
  for (std::size_t n : {std::size_t{254}, std::size_t{255}}) {
    const std::string name(n, 'r');
    const std::string path = file(name);
    write_report(check_report(3), path);
    expect_same(check_report(3), read_report(path));
    EXPECT_EQ(listing(), std::vector<std::string>{name});
    fs::remove(path);
  }
}

// ---------------------------------------------------------------------------------------------
// Failed writes

// A full disk, as a file size limit in a child process (no root, no mount): the write fails with
// one line, the old report is intact, no temporary is left, and the child exits normally (HDF5's
// teardown at exit crashed after a failed flush). Limits from 0 to one byte short of the file.
TEST_F(ReportV2Test, FullDiskKeepsTheOldReport) {
  const std::string path = file("r.h5");
  const Report old = check_report(3);
  const Report big = check_report(20000);
  write_report(big, file("size.h5"));
  const auto full_size = static_cast<rlim_t>(fs::file_size(file("size.h5")));
  fs::remove(file("size.h5"));
  write_report(old, path);
  for (rlim_t limit : {rlim_t{0}, rlim_t{4096}, full_size / 2, full_size - 1}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
      rlimit rl{limit, limit};
      ::setrlimit(RLIMIT_FSIZE, &rl);
      int code = 0;
      std::string msg = "written";
      try {
        write_report(big, path);
      } catch (const parity::RuntimeError& e) {
        msg = e.what();
        code = 3;
      } catch (const std::exception& e) {
        msg = std::string("other exception: ") + e.what();
        code = 4;
      }
      (void)!::write(fds[1], msg.data(), msg.size());
      ::close(fds[1]);
      std::exit(code);  // runs the exit handlers, HDF5's among them
    }
    ::close(fds[1]);
    std::string msg;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 3) << msg;
    EXPECT_TRUE(contains(msg, "cannot write report '" + path + "'")) << msg;
    EXPECT_TRUE(contains(msg, "File too large")) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    expect_same(old, read_report(path));
    EXPECT_EQ(listing(), std::vector<std::string>{"r.h5"});
  }
}

// A temporary damaged between the write and the rename (a chunk zeroed on its way to the disk)
// is caught by the read-back: the old report stays and the temporary goes.
TEST_F(ReportV2Test, DamagedTemporaryNeverReplacesTheReport) {
  const std::string path = file("r.h5");
  const Report old = check_report(3);
  write_report(old, path);
  std::string seen;
  parity::reports::detail::written_hook_for_testing() = [&](const std::string& temp) {
    seen = temp;
    std::vector<char> bytes = read_bytes(temp);
    const auto [addr, size] = chunk_at(temp, "/parity/strings", 0);
    std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(addr),
              bytes.begin() + static_cast<std::ptrdiff_t>(addr + size), 0);
    write_bytes(temp, bytes);
  };
  const std::string msg = refusal<parity::RuntimeError>([&] { write_report(check_report(500), path); });
  EXPECT_TRUE(contains(msg, "cannot write report '" + path + "': the file written does not read back"))
      << msg;
  EXPECT_FALSE(seen.empty());
  expect_same(old, read_report(path));
  EXPECT_EQ(listing(), std::vector<std::string>{"r.h5"});
}

// While the temporary exists it is registered, so the CLI's signal handlers can remove it.
TEST_F(ReportV2Test, TheTemporaryIsRegisteredWhileItExists) {
  const std::string path = file("r.h5");
  bool existed = false, removed = false;
  parity::reports::detail::write_hook_for_testing() = [&](const std::string& temp) {
    existed = fs::exists(temp);
    parity::reports::remove_temporaries();  // what a SIGINT handler does
    removed = !fs::exists(temp);
    throw parity::RuntimeError("interrupted");
  };
  EXPECT_THROW(write_report(check_report(3), path), parity::RuntimeError);
  EXPECT_TRUE(existed);
  EXPECT_TRUE(removed);
  EXPECT_TRUE(listing().empty());
  parity::reports::detail::write_hook_for_testing() = nullptr;
  parity::reports::remove_temporaries();  // nothing registered any more: removes nothing
  write_report(check_report(3), path);
  parity::reports::remove_temporaries();
  EXPECT_EQ(listing(), std::vector<std::string>{"r.h5"});
}

}  // namespace
