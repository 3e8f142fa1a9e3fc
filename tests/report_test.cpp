// Tests of the HDF5 report: round trips, error handling of the reader and the writer, and
// interoperability with h5py and h5dump when they are installed. compare() and rendering are
// tested in compare_test.cpp.
#include "reports/report.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/spec/error.h"
#include "reports/report_detail.h"

namespace {

namespace fs = std::filesystem;
using parity::reports::BenchRecord;
using parity::reports::CheckRecord;
using parity::reports::kNaN;
using parity::reports::Report;

// A fresh directory per test, removed afterwards.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("parity_report_test_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    parity::reports::detail::write_hook_for_testing() = nullptr;
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

// A copy of the committed schema-version-1 check report (tests/data, written by the version 1
// writer) at `path`, for tests of how the reader takes version 1 files.
void copy_v1_fixture(const std::string& path) {
  fs::copy_file(std::string(PARITY_TEST_DATA) + "/report_v1_check.h5", path,
                fs::copy_options::overwrite_existing);
}

CheckRecord make_check(const std::string& key, const std::string& status, double ulp = 0.5,
                       const std::string& message = "") {
  CheckRecord c;
  c.key = key;
  c.op = "add";
  c.dtype = "float32";
  c.device = "cpu";
  c.shapes = "(2,3)x(3,)";
  c.layout = "contiguous";
  c.mode = "forward";
  c.reference = "array";
  c.status = status;
  c.max_abs_err = 1.5e-7;
  c.max_rel_err = 2.5e-7;
  c.max_ulp = ulp;
  c.budget = 1.0;
  c.message = message;
  return c;
}

// n samples around `center` seconds with a small deterministic spread (within +-1%), so no
// two samples tie and a 2x change separates the two sets completely.
std::vector<double> samples_around(double center, int n) {
  std::vector<double> s;
  for (int i = 0; i < n; ++i) s.push_back(center * (0.99 + 0.02 * ((i * 7) % n) / n));
  return s;
}

BenchRecord make_bench(const std::string& key, std::vector<double> samples) {
  BenchRecord b;
  b.key = key;
  b.op = "add";
  b.dtype = "float32";
  b.device = "cpu";
  b.shape = "(1048576,)";
  b.numel = 1048576;
  b.timer = "wall";
  b.bytes = 3.0 * 4 * 1048576;
  b.flops = 1048576;
  b.samples = std::move(samples);
  return b;
}

// Checks and benches in one report, so its kind is neither "check" nor "bench" (either would
// contradict half the records, which the writer refuses).
Report sample_report() {
  Report r;
  r.meta.set("kind", "test");
  r.meta.set("git_sha", "abc123");
  r.meta.set("cpu_model", "Test CPU \xc2\xb5-arch");  // UTF-8 survives
  r.meta.set("gpu", "none");
  r.meta.set("empty_value", "");
  r.checks.push_back(make_check("add|float32|cpu|(2,3)x(3,)|contiguous|forward", "pass"));
  CheckRecord nan_check = make_check("sum|int64|cpu|(5,)|contiguous|forward", "divergent", kNaN,
                                     "NumPy sums int8 as int64; PyTorch too | by design");
  nan_check.max_abs_err = kNaN;
  nan_check.max_rel_err = kNaN;
  nan_check.budget = kNaN;
  r.checks.push_back(nan_check);
  r.checks.push_back(make_check("exp|float16|cuda|(3,)|contiguous|grad", "skip", kNaN, "no GPU"));
  r.benches.push_back(make_bench("add|float32|cpu|1048576", {1.0e-3, 1.2e-3, 1.1e-3}));
  r.benches.push_back(make_bench("mul|float32|cpu|1048576", {}));  // empty sample list
  r.benches.push_back(make_bench("neg|float32|cpu|16", {5e-7, 4e-7}));
  return r;
}

void expect_same_double(double a, double b, const char* what) {
  if (std::isnan(a)) {
    EXPECT_TRUE(std::isnan(b)) << what;
  } else {
    EXPECT_EQ(a, b) << what;  // bit-exact: HDF5 stores IEEE doubles unchanged
  }
}

void expect_same(const Report& a, const Report& b) {
  EXPECT_EQ(a.meta.entries, b.meta.entries);
  ASSERT_EQ(a.checks.size(), b.checks.size());
  for (std::size_t i = 0; i < a.checks.size(); ++i) {
    const CheckRecord &x = a.checks[i], &y = b.checks[i];
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.dtype, y.dtype);
    EXPECT_EQ(x.device, y.device);
    EXPECT_EQ(x.shapes, y.shapes);
    EXPECT_EQ(x.layout, y.layout);
    EXPECT_EQ(x.mode, y.mode);
    EXPECT_EQ(x.reference, y.reference);
    EXPECT_EQ(x.status, y.status);
    EXPECT_EQ(x.message, y.message);
    expect_same_double(x.max_abs_err, y.max_abs_err, "max_abs_err");
    expect_same_double(x.max_rel_err, y.max_rel_err, "max_rel_err");
    expect_same_double(x.max_ulp, y.max_ulp, "max_ulp");
    expect_same_double(x.budget, y.budget, "budget");
  }
  ASSERT_EQ(a.benches.size(), b.benches.size());
  for (std::size_t i = 0; i < a.benches.size(); ++i) {
    const BenchRecord &x = a.benches[i], &y = b.benches[i];
    EXPECT_EQ(x.key, y.key);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.dtype, y.dtype);
    EXPECT_EQ(x.device, y.device);
    EXPECT_EQ(x.shape, y.shape);
    EXPECT_EQ(x.numel, y.numel);
    EXPECT_EQ(x.timer, y.timer);
    EXPECT_EQ(x.bytes, y.bytes);
    EXPECT_EQ(x.flops, y.flops);
    EXPECT_EQ(x.samples, y.samples);
  }
}

// Runs a shell command and returns its exit status and output.
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {-1, out};
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

template <class Error, class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception type: ") + e.what();
  }
  return "no exception";
}

// ---------------------------------------------------------------------------------------------
// Data model

TEST(Metadata, SetReplacesAndKeepsOrder) {
  parity::reports::Metadata m;
  m.set("b", "1");
  m.set("a", "2");
  m.set("b", "3");
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].first, "b");
  EXPECT_EQ(m.get("b"), "3");
  EXPECT_EQ(m.get("a"), "2");
  EXPECT_EQ(m.get("missing"), "");
  EXPECT_TRUE(m.has("a"));
  EXPECT_FALSE(m.has("missing"));
}

TEST(BenchRecord, DerivedStatistics) {
  BenchRecord b = make_bench("k", {3.0, 1.0, 2.0, 4.0});
  b.bytes = 5e9;
  b.flops = 10e9;
  EXPECT_DOUBLE_EQ(b.median(), 2.5);  // even count: mean of the middle two, np.median
  EXPECT_DOUBLE_EQ(b.mean(), 2.5);
  EXPECT_DOUBLE_EQ(b.min(), 1.0);
  // Sample standard deviation, np.std(x, ddof=1): sqrt((2.25+0.25+0.25+2.25)/3) = sqrt(5/3).
  EXPECT_DOUBLE_EQ(b.stddev(), std::sqrt(5.0 / 3.0));
  EXPECT_DOUBLE_EQ(b.gbps(), 2.0);    // 5e9 B / 2.5 s / 1e9
  EXPECT_DOUBLE_EQ(b.gflops(), 4.0);  // 10e9 / 2.5 s / 1e9
  b.samples = {5.0, 1.0, 3.0};
  EXPECT_DOUBLE_EQ(b.median(), 3.0);
  b.samples = {};
  EXPECT_TRUE(std::isnan(b.median()));
  EXPECT_TRUE(std::isnan(b.mean()));
  EXPECT_TRUE(std::isnan(b.min()));
  EXPECT_TRUE(std::isnan(b.stddev()));
  EXPECT_TRUE(std::isnan(b.gbps()));
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST_F(ReportTest, RoundTripChecksBenchesMetadata) {
  const Report r = sample_report();
  const std::string path = file("r.h5");
  parity::reports::write_report(r, path);
  const Report back = parity::reports::read_report(path);
  expect_same(r, back);
  EXPECT_EQ(back.meta.entries.front().first, "kind");  // order kept, not sorted by name
  EXPECT_EQ(back.meta.get("cpu_model"), "Test CPU \xc2\xb5-arch");
  EXPECT_TRUE(std::isnan(back.checks[1].max_ulp));
  EXPECT_DOUBLE_EQ(back.benches[0].median(), 1.1e-3);
  EXPECT_EQ(listing(), std::vector<std::string>{"r.h5"});  // no temporary left behind
}

TEST_F(ReportTest, EmptyReportRoundTrips) {
  const std::string path = file("empty.h5");
  parity::reports::write_report(Report{}, path);
  const Report back = parity::reports::read_report(path);
  EXPECT_TRUE(back.meta.entries.empty());
  EXPECT_TRUE(back.checks.empty());
  EXPECT_TRUE(back.benches.empty());
}

TEST_F(ReportTest, OnlyEmptySampleListsRoundTrip) {
  Report r;
  r.benches.push_back(make_bench("a", {}));
  r.benches.push_back(make_bench("b", {}));
  const std::string path = file("r.h5");
  parity::reports::write_report(r, path);
  expect_same(r, parity::reports::read_report(path));
}

TEST_F(ReportTest, WriteReplacesAnExistingReport) {
  const std::string path = file("r.h5");
  parity::reports::write_report(sample_report(), path);
  Report second;
  second.meta.set("kind", "bench");
  parity::reports::write_report(second, path);
  const Report back = parity::reports::read_report(path);
  EXPECT_EQ(back.meta.get("kind"), "bench");
  EXPECT_TRUE(back.checks.empty());
}

// ---------------------------------------------------------------------------------------------
// Reader errors

TEST_F(ReportTest, ReadMissingFileIsValueError) {
  const std::string path = file("nope.h5");
  const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
}

TEST_F(ReportTest, ReadNonHdf5FileIsValueError) {
  const std::string path = file("text.h5");
  std::ofstream(path) << "not an hdf5 file\n";
  const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_EQ(msg, path + " is not an HDF5 file");
}

TEST_F(ReportTest, ReadHdf5WithoutParityGroupIsValueError) {
  const std::string path = file("other.h5");
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t g = H5Gcreate2(f, "something_else", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(g, 0);
  H5Gclose(g);
  H5Fclose(f);
  const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_EQ(msg, path + " is not a Parity report (no /parity group)");
}

TEST_F(ReportTest, ReadNewerSchemaVersionIsValueError) {
  const std::string path = file("future.h5");
  parity::reports::write_report(sample_report(), path);
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const hid_t g = H5Gopen2(f, "parity", H5P_DEFAULT);
    ASSERT_GE(g, 0);
    const hid_t a = H5Aopen(g, "schema_version", H5P_DEFAULT);
    ASSERT_GE(a, 0);
    const int v = parity::reports::kSchemaVersion + 1;
    EXPECT_GE(H5Awrite(a, H5T_NATIVE_INT, &v), 0);
    H5Aclose(a);
    H5Gclose(g);
    H5Fclose(f);
  }
  const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("schema version 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
}

TEST_F(ReportTest, ReadWithMissingDatasetIsCorrupt) {
  const std::string path = file("corrupt.h5");
  parity::reports::write_report(sample_report(), path);
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    EXPECT_GE(H5Ldelete(f, "/parity/checks", H5P_DEFAULT), 0);
    H5Fclose(f);
  }
  const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("corrupt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/parity/checks"), std::string::npos) << msg;
}

// A file with the right groups but a table whose "key" field is an integer.
TEST_F(ReportTest, ReadWithMistypedFieldIsCorrupt) {
  const std::string path = file("mistyped.h5");
  copy_v1_fixture(path);
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    EXPECT_GE(H5Ldelete(f, "/parity/checks", H5P_DEFAULT), 0);
    const hid_t t = H5Tcreate(H5T_COMPOUND, 8);
    H5Tinsert(t, "key", 0, H5T_STD_I64LE);
    const hsize_t dims[1] = {0};
    const hid_t s = H5Screate_simple(1, dims, nullptr);
    const hid_t d = H5Dcreate2(f, "/parity/checks", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(d, 0);
    H5Dclose(d);
    H5Sclose(s);
    H5Tclose(t);
    H5Fclose(f);
  }
  const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("field 'key' of /parity/checks has the wrong type"), std::string::npos) << msg;

  // Version 2: the key column holds float64 instead of string ids.
  parity::reports::write_report(sample_report(), path);
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    EXPECT_GE(H5Ldelete(f, "/parity/checks/key", H5P_DEFAULT), 0);
    const hsize_t dims[1] = {3};
    const hid_t s = H5Screate_simple(1, dims, nullptr);
    const double zeros[3] = {0, 0, 0};
    const hid_t d =
        H5Dcreate2(f, "/parity/checks/key", H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros), 0);
    H5Dclose(d);
    H5Sclose(s);
    H5Fclose(f);
  }
  const std::string msg2 = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_EQ(msg2, path + " is a corrupt Parity report: /parity/checks/key has the wrong type");
}

// ---------------------------------------------------------------------------------------------
// Damaged, foreign and unusual files

// A report like the harness writes: full metadata, a few dozen checks with messages (some
// long, some UTF-8), benches with raw samples (one without).
Report realistic_report() {
  Report r;
  r.meta.set("kind", "test");
  r.meta.set("tool_version", "0.1.0");
  r.meta.set("git_sha", "221fad4c4a502d4efae4b53e0116cd7bb48c0295");
  r.meta.set("date_utc", "2024-05-01T12:00:00Z");
  r.meta.set("command_line", "parity check --devices cpu --ops add,mul,neg,exp,sum,matmul -o r.h5");
  r.meta.set("compiler", "GNU 12.2.0");
  r.meta.set("cxx_flags", " -O3 -DNDEBUG");
  r.meta.set("build_type", "Release");
  r.meta.set("cpu_model", "Test CPU \xc2\xb5-arch");
  r.meta.set("cpu_isa", "sse4_2 avx avx2 fma avx512f");
  r.meta.set("cpu_cores", "16");
  r.meta.set("os", "Linux 6.1 x86_64");
  r.meta.set("gpu", "none");
  r.meta.set("gpu_driver", "");
  r.meta.set("cuda_runtime", "");
  r.meta.set("cuda_built", "no");
  const char* ops[] = {"add", "mul", "neg", "exp", "sum", "matmul"};
  const char* statuses[] = {"pass", "pass", "pass", "fail", "divergent", "skip"};
  for (int i = 0; i < 40; ++i) {
    const std::string status = statuses[i % 6];
    std::string message;
    if (status == "fail") message = std::to_string(i) + " ulp > budget 1 at index " + std::to_string(i * 7);
    if (status == "divergent") message = "NumPy promotes int64 + float32 to float64; PyTorch keeps float32";
    if (status == "skip")
      message = "no GPU: CUDA support was not built \xe2\x80\x94 rebuild with -DPARITY_CUDA=ON";
    CheckRecord c = make_check(
        std::string(ops[i % 6]) + "|float32|cpu|(" + std::to_string(i + 1) + ",3)|contiguous|forward", status,
        0.25 * i, message);
    c.op = ops[i % 6];
    if (i % 5 == 0) c.max_ulp = kNaN;
    r.checks.push_back(c);
  }
  for (int i = 0; i < 12; ++i) {
    BenchRecord b = make_bench(std::string(ops[i % 6]) + "|float32|cpu|" + std::to_string(1 << (10 + i)),
                               i == 11 ? std::vector<double>{} : samples_around(1e-5 * (i + 1), 5 + i));
    b.op = ops[i % 6];
    r.benches.push_back(b);
  }
  return r;
}

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::vector<char>& bytes, std::size_t n) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(n));
}

// How many HDF5 files, groups, datasets, attributes and named types are open: a reader that
// leaks one on an error path shows here. (HDF5 offers no public count of its other ids.)
ssize_t open_hdf5_objects() { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); }

// Every 7th byte keeps the sweep near 2 s; with a stride of 1 (every byte of the file, 12 s)
// it passes too.
constexpr std::size_t kByteSweepStride = 7;

// Flipped bytes anywhere in the file and truncated files: every read either returns the report
// that was written (everything HDF5 reads is checksummed, so damage cannot pass unnoticed) or
// throws parity::ValueError with a one-line message. Anything else, or a crash, fails.
// std::mt19937's output is fixed by the standard (its distributions are not), so the variants
// are the same everywhere. The damage comes in five tests (random flips, the byte sweep in
// three interleaved parts, truncations) so that they run side by side: under the sanitizers,
// with the slow unwinding the HDF5 leak suppression needs, the sweep takes minutes.
class CorruptReportTest : public ReportTest {
 protected:
  void SetUp() override {
    ReportTest::SetUp();
    original_ = realistic_report();
    good_ = file("good.h5");
    bad_ = file("bad.h5");
    parity::reports::write_report(original_, good_);
    bytes_ = read_bytes(good_);
    ASSERT_GT(bytes_.size(), 4096u);
    expect_same(original_, parity::reports::read_report(good_));
    ASSERT_EQ(open_hdf5_objects(), 0);
  }
  // Reads the first n bytes of b as a report: counts a read that gives the original back or a
  // one-line ValueError naming the file; anything else fails the test.
  void attempt(const std::vector<char>& b, std::size_t n, const std::string& what) {
    SCOPED_TRACE(what);
    write_bytes(bad_, b, n);
    try {
      const Report back = parity::reports::read_report(bad_);
      ++read_ok_;
      expect_same(original_, back);
    } catch (const parity::ValueError& e) {
      ++value_error_;
      const std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
      EXPECT_NE(msg.find(bad_), std::string::npos) << msg;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a ValueError: " << e.what();
    } catch (...) {
      ADD_FAILURE() << "unknown exception";
    }
    EXPECT_EQ(open_hdf5_objects(), 0) << "an HDF5 id was left open";
  }
  // One byte inverted at every kByteSweepStride-th position whose index is `part` modulo 3.
  void sweep(std::size_t part) {
    std::size_t k = 0;
    for (std::size_t pos = 0; pos < bytes_.size(); pos += kByteSweepStride, ++k) {
      if (k % 3 != part) continue;
      std::vector<char> b = bytes_;
      b[pos] = static_cast<char>(~b[pos]);
      attempt(b, b.size(), "byte " + std::to_string(pos) + " inverted");
    }
    EXPECT_GT(read_ok_ + value_error_, 0);
    std::cout << "[          ] " << bytes_.size() << "-byte report, sweep part " << part << ": " << read_ok_
              << " with one inverted byte read back unchanged, " << value_error_ << " ValueError\n";
  }
  Report original_;
  std::string good_, bad_;
  std::vector<char> bytes_;
  int read_ok_ = 0, value_error_ = 0;
};

TEST_F(CorruptReportTest, FlippedBytesGiveValueErrorOrTheSameReport) {
  for (unsigned seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    std::vector<char> b = bytes_;
    const unsigned flips = 1 + rng() % 64;
    for (unsigned i = 0; i < flips; ++i) {
      const std::size_t pos = rng() % b.size();
      b[pos] = static_cast<char>(b[pos] ^ static_cast<char>(1 + rng() % 255));
    }
    attempt(b, b.size(), "seed " + std::to_string(seed) + ", " + std::to_string(flips) + " bytes");
  }
  EXPECT_EQ(read_ok_ + value_error_, 300);
  std::cout << "[          ] " << bytes_.size() << "-byte report. 300 with 1-64 flipped bytes: " << read_ok_
            << " read back unchanged, " << value_error_ << " ValueError\n";
}

// Most single bytes land in space no structure uses or in one checksum, so the sweep
// exercises both outcomes.
TEST_F(CorruptReportTest, InvertedByteSweepPart0) { sweep(0); }
TEST_F(CorruptReportTest, InvertedByteSweepPart1) { sweep(1); }
TEST_F(CorruptReportTest, InvertedByteSweepPart2) { sweep(2); }

TEST_F(CorruptReportTest, TruncatedFilesGiveValueError) {
  for (std::size_t k = 0; k < 25; ++k) {
    const std::size_t cut = bytes_.size() * k / 25;
    attempt(bytes_, cut, "cut at " + std::to_string(cut) + " of " + std::to_string(bytes_.size()));
  }
  EXPECT_EQ(read_ok_, 0) << "a truncated report cannot be whole";
  EXPECT_EQ(value_error_, 25);
}

// Anything but a regular file is refused before HDF5 sees it: opening a FIFO would block.
TEST_F(ReportTest, ReadFifoIsValueErrorWithoutBlocking) {
  const std::string path = file("pipe.h5");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] {
    return error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  });
  if (result.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "read_report blocked on a FIFO";
    const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);  // releases a blocked reader
    if (fd >= 0) ::close(fd);
  }
  EXPECT_EQ(result.get(), path + " is not a regular file");
}

TEST_F(ReportTest, ReadDirectoryIsValueError) {
  const std::string path = file("reports.h5");
  fs::create_directory(path);
  const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_EQ(msg, path + " is not a regular file");
}

// Links are not followed: an external one would make HDF5 open another file (a FIFO, a device,
// a file that is not there), which read_report() checks only for the path it was given.
TEST_F(ReportTest, ReadSoftOrExternalLinkIsValueError) {
  const std::string other = file("other.h5"), path = file("linked.h5");
  parity::reports::write_report(sample_report(), other);
  for (const bool external : {true, false}) {
    parity::reports::write_report(sample_report(), path);
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    EXPECT_GE(H5Ldelete(f, "/parity/checks", H5P_DEFAULT), 0);
    if (external) {
      EXPECT_GE(
          H5Lcreate_external(other.c_str(), "/parity/checks", f, "/parity/checks", H5P_DEFAULT, H5P_DEFAULT),
          0);
    } else {
      EXPECT_GE(H5Lcreate_soft("/parity/benches", f, "/parity/checks", H5P_DEFAULT, H5P_DEFAULT), 0);
    }
    H5Fclose(f);
    const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
    EXPECT_EQ(msg, path + " is a corrupt Parity report: /parity/checks is a soft or external link");
  }
}

// Replaces /parity/NAME with a chunked dataset of `type` and `rows` rows (none written: HDF5
// allocates chunks lazily, so the claim costs no space).
void replace_dataset(const std::string& path, const char* name, hid_t type, hsize_t rows,
                     const void* data = nullptr) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t g = H5Gopen2(f, "parity", H5P_DEFAULT);
  ASSERT_GE(g, 0);
  EXPECT_GE(H5Ldelete(g, name, H5P_DEFAULT), 0);
  const hsize_t dims[1] = {rows}, max_dims[1] = {H5S_UNLIMITED}, chunk[1] = {16};
  const hid_t s = H5Screate_simple(1, dims, max_dims);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(dcpl, 1, chunk);
  const hid_t d = H5Dcreate2(g, name, type, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  EXPECT_GE(d, 0);
  if (data) {
    EXPECT_GE(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
  }
  H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(s);
  H5Gclose(g);
  H5Fclose(f);
}

hid_t string_type(std::size_t size, H5T_str_t pad, H5T_cset_t cset = H5T_CSET_ASCII) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, size);
  H5Tset_strpad(t, pad);
  H5Tset_cset(t, cset);
  return t;
}

// A dataspace that claims far more rows than the file can hold is refused before anything is
// allocated (10^15 rows would otherwise end in std::bad_alloc or the OOM killer).
TEST_F(ReportTest, ReadHugeRowCountIsValueError) {
  const std::string path = file("huge.h5");
  for (const char* name : {"checks/max_ulp", "bench_samples"}) {
    parity::reports::write_report(sample_report(), path);
    replace_dataset(path, name, H5T_IEEE_F64LE, 1000000000000000ULL);
    const std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
    EXPECT_NE(msg.find("claims 1000000000000000 elements"), std::string::npos) << msg;
    EXPECT_NE(msg.find("more than the file holds"), std::string::npos) << msg;
  }
}

// Other writers (h5py with numpy bytes, Fortran codes) store fixed-length strings of any width
// and padding; the reader takes each field at the file's width and trims the padding.
TEST_F(ReportTest, ReadsFixedLengthStringsOfAnyWidthAndPadding) {
  const std::string path = file("foreign_widths.h5");
  copy_v1_fixture(path);
  const std::string full_key(64, 'k');  // fills its NULLPAD field: no terminator at all
  const hid_t key_t = string_type(64, H5T_STR_NULLPAD), op_t = string_type(8, H5T_STR_SPACEPAD),
              msg_t = string_type(40, H5T_STR_NULLTERM, H5T_CSET_UTF8),
              short_t = string_type(12, H5T_STR_NULLTERM);
  struct Row {
    char key[64];
    char op[8];
    char other[7][12];  // dtype, device, shapes, layout, mode, reference, status
    float max_abs_err;
    std::int32_t max_rel_err;  // an integer field read as a double
    double max_ulp, budget;
    std::int8_t extra;  // unknown to the reader: ignored
    char message[40];
  };
  const char* other_names[7] = {"dtype", "device", "shapes", "layout", "mode", "reference", "status"};
  const hid_t row_t = H5Tcreate(H5T_COMPOUND, sizeof(Row));
  H5Tinsert(row_t, "key", HOFFSET(Row, key), key_t);
  H5Tinsert(row_t, "op", HOFFSET(Row, op), op_t);
  for (int i = 0; i < 7; ++i) H5Tinsert(row_t, other_names[i], HOFFSET(Row, other) + 12 * i, short_t);
  H5Tinsert(row_t, "max_abs_err", HOFFSET(Row, max_abs_err), H5T_NATIVE_FLOAT);
  H5Tinsert(row_t, "max_rel_err", HOFFSET(Row, max_rel_err), H5T_NATIVE_INT32);
  H5Tinsert(row_t, "max_ulp", HOFFSET(Row, max_ulp), H5T_NATIVE_DOUBLE);
  H5Tinsert(row_t, "budget", HOFFSET(Row, budget), H5T_NATIVE_DOUBLE);
  H5Tinsert(row_t, "extra", HOFFSET(Row, extra), H5T_NATIVE_INT8);
  H5Tinsert(row_t, "message", HOFFSET(Row, message), msg_t);
  Row rows[2];
  std::memset(static_cast<void*>(rows), 0, sizeof rows);
  std::memcpy(rows[0].key, full_key.data(), 64);
  std::memcpy(rows[0].op, "neg     ", 8);
  std::memcpy(rows[1].key, "short", 5);
  std::memcpy(rows[1].op, "add     ", 8);
  for (Row& r : rows) {
    for (auto& s : r.other) std::memcpy(s, "float32", 7);
    std::memset(r.other[6], 0, 12);
    std::memcpy(r.other[6], "pass", 4);  // status
    r.max_abs_err = 0.5f;
    r.max_rel_err = 3;
    r.max_ulp = 1.5;
    r.budget = 2;
  }
  std::strcpy(rows[1].message, "too \xc2\xb5 much");
  replace_dataset(path, "checks", row_t, 2, rows);
  for (hid_t t : {key_t, op_t, msg_t, short_t, row_t}) H5Tclose(t);

  const Report back = parity::reports::read_report(path);
  ASSERT_EQ(back.checks.size(), 2u);
  EXPECT_EQ(back.checks[0].key, full_key);
  EXPECT_EQ(back.checks[0].op, "neg");  // space padding trimmed
  EXPECT_EQ(back.checks[0].message, "");
  EXPECT_EQ(back.checks[1].key, "short");
  EXPECT_EQ(back.checks[1].op, "add");
  EXPECT_EQ(back.checks[1].status, "pass");
  EXPECT_EQ(back.checks[1].dtype, "float32");
  EXPECT_EQ(back.checks[1].message, "too \xc2\xb5 much");
  EXPECT_EQ(back.checks[1].max_abs_err, 0.5);
  EXPECT_EQ(back.checks[1].max_rel_err, 3.0);
  EXPECT_EQ(back.checks[1].max_ulp, 1.5);
}

// Variable-length strings live in HDF5's global heap, which has no checksum; HDF5 1.10 reads a
// damaged heap entry out of bounds, so they are refused, not read.
TEST_F(ReportTest, ReadVariableLengthStringsIsValueError) {
  const std::string path = file("vlen.h5");
  const hid_t vlen = H5Tcopy(H5T_C_S1);
  H5Tset_size(vlen, H5T_VARIABLE);

  parity::reports::write_report(sample_report(), path);
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const hid_t g = H5Gopen2(f, "/parity/meta", H5P_DEFAULT);
    EXPECT_GE(H5Adelete(g, "git_sha"), 0);
    const hid_t s = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate2(g, "git_sha", vlen, s, H5P_DEFAULT, H5P_DEFAULT);
    const char* value = "abc123";
    EXPECT_GE(H5Awrite(a, vlen, &value), 0);
    H5Aclose(a);
    H5Sclose(s);
    H5Gclose(g);
    H5Fclose(f);
  }
  std::string msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("/parity/meta attribute 'git_sha' is a variable-length string"), std::string::npos)
      << msg;

  copy_v1_fixture(path);  // version 1 tables are compound rows with string fields
  const hid_t row_t = H5Tcreate(H5T_COMPOUND, H5Tget_size(vlen));
  H5Tinsert(row_t, "key", 0, vlen);
  replace_dataset(path, "benches", row_t, 0);
  H5Tclose(row_t);
  H5Tclose(vlen);
  msg = error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("field 'key' of /parity/benches is a variable-length string"), std::string::npos) << msg;
}

// Values far beyond what the harness writes still round-trip: a 100 KiB attribute (too big for
// the object header, so HDF5 stores it densely) and a 20 KiB message.
TEST_F(ReportTest, LongValuesRoundTrip) {
  Report r = sample_report();
  r.meta.set("command_line", std::string(100 * 1024, 'c'));
  r.checks[0].message = std::string(20 * 1024, 'm');
  const std::string path = file("long.h5");
  parity::reports::write_report(r, path);
  expect_same(r, parity::reports::read_report(path));
}

// The layout SCHEMA.md promises: 1.10 file format (checksummed metadata); every dataset chunked,
// shuffled, deflated and Fletcher32-checksummed, in that order; no string datatype in any dataset
// (text lives in one uint8 string table); metadata as fixed-length UTF-8 attributes.
TEST_F(ReportTest, FileLayoutIsColumnsCompressedAndChecksummed) {
  const std::string path = file("layout.h5");
  const Report r = sample_report();
  parity::reports::write_report(r, path);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  H5F_info2_t info;
  ASSERT_GE(H5Fget_info2(f, &info), 0);
  EXPECT_GE(info.super.version, 2u);  // superblock v2+ and v2 object headers carry checksums
  for (const char* name :
       {"/parity/strings", "/parity/string_offsets", "/parity/shape_dims", "/parity/checks/key",
        "/parity/checks/message", "/parity/checks/max_ulp", "/parity/benches/sample_offset",
        "/parity/bench_samples", "/parity/bench_counter_names", "/parity/bench_counter_values"}) {
    SCOPED_TRACE(name);
    const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    ASSERT_GE(d, 0);
    const hid_t dcpl = H5Dget_create_plist(d);
    EXPECT_EQ(H5Pget_layout(dcpl), H5D_CHUNKED);
    ASSERT_EQ(H5Pget_nfilters(dcpl), 3);
    const H5Z_filter_t expected[3] = {H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE, H5Z_FILTER_FLETCHER32};
    for (unsigned i = 0; i < 3; ++i) {
      unsigned flags = 0, config = 0, values[4] = {};
      std::size_t nelmts = 4;
      EXPECT_EQ(H5Pget_filter2(dcpl, i, &flags, &nelmts, values, 0, nullptr, &config), expected[i]);
    }
    const hid_t t = H5Dget_type(d);
    EXPECT_NE(H5Tget_class(t), H5T_STRING);
    H5Tclose(t);
    H5Pclose(dcpl);
    H5Dclose(d);
  }
  const hid_t a = H5Aopen_by_name(f, "/parity/meta", "cpu_model", H5P_DEFAULT, H5P_DEFAULT);
  const hid_t at = H5Aget_type(a);
  EXPECT_EQ(H5Tis_variable_str(at), 0);
  EXPECT_EQ(H5Tget_size(at), r.meta.get("cpu_model").size() + 1);
  EXPECT_EQ(H5Tget_cset(at), H5T_CSET_UTF8);
  H5Tclose(at);
  H5Aclose(a);
  H5Fclose(f);
}

// Text costs its length, not the longest value's in every row: one 20 KiB message among 2000
// passing checks keeps the file small (version 1 made every row 20 KiB wide: 40 MB).
TEST_F(ReportTest, OneLongMessageDoesNotWidenEveryRow) {
  Report r;
  for (int i = 0; i < 2000; ++i)
    r.checks.push_back(make_check("add|float32|cpu|(" + std::to_string(i) + ",)|contiguous|forward", "pass"));
  r.checks[7].status = "fail";
  r.checks[7].message = std::string(20 * 1024, 'm');
  const std::string path = file("long_message.h5");
  parity::reports::write_report(r, path);
  EXPECT_LT(fs::file_size(path), 200u * 1024);
  expect_same(r, parity::reports::read_report(path));
}

// ---------------------------------------------------------------------------------------------
// Writer errors

TEST_F(ReportTest, WriteToMissingDirectoryThrowsAndLeavesNoFile) {
  const std::string path = file("missing_dir/r.h5");
  const std::string msg =
      error_message<parity::ValueError>([&] { parity::reports::write_report(sample_report(), path); });
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(listing().empty());
}

// A failure after the temporary file is complete (injected just before the rename) must leave
// the previous report untouched and remove the temporary.
TEST_F(ReportTest, FailedWriteKeepsExistingFileAndRemovesTemporary) {
  const std::string path = file("r.h5");
  parity::reports::write_report(sample_report(), path);
  std::string seen_temp;
  parity::reports::detail::write_hook_for_testing() = [&](const std::string& temp) {
    seen_temp = temp;
    EXPECT_TRUE(fs::exists(temp));
    EXPECT_EQ(fs::path(temp).parent_path(), dir_);  // beside the target: rename stays atomic
    throw parity::RuntimeError("injected failure");
  };
  EXPECT_THROW(parity::reports::write_report(Report{}, path), parity::RuntimeError);
  parity::reports::detail::write_hook_for_testing() = nullptr;
  EXPECT_FALSE(seen_temp.empty());
  EXPECT_FALSE(fs::exists(seen_temp));
  EXPECT_EQ(listing(), std::vector<std::string>{"r.h5"});
  expect_same(sample_report(), parity::reports::read_report(path));
}

// Renaming a file over a directory fails: the directory stays and nothing else is left.
TEST_F(ReportTest, WriteOverADirectoryThrows) {
  const std::string path = file("a_dir");
  fs::create_directory(path);
  EXPECT_THROW(parity::reports::write_report(sample_report(), path), parity::ValueError);
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_EQ(listing(), std::vector<std::string>{"a_dir"});
}

TEST_F(ReportTest, WriteToReadOnlyDirectoryKeepsExistingFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: directory permissions do not stop writes";
  const std::string path = file("r.h5");
  parity::reports::write_report(sample_report(), path);
  fs::permissions(dir_, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  const std::string msg =
      error_message<parity::ValueError>([&] { parity::reports::write_report(Report{}, path); });
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
  EXPECT_NE(msg.find("not writable"), std::string::npos) << msg;
  expect_same(sample_report(), parity::reports::read_report(path));
  EXPECT_EQ(listing(), std::vector<std::string>{"r.h5"});
}

TEST_F(ReportTest, DuplicateKeysAreRejectedBeforeWriting) {
  Report r;
  r.checks.push_back(make_check("same", "pass"));
  r.checks.push_back(make_check("same", "fail"));
  const std::string path = file("r.h5");
  EXPECT_THROW(parity::reports::write_report(r, path), parity::ValueError);
  EXPECT_FALSE(fs::exists(path));
  Report m;
  m.meta.entries = {{"k", "1"}, {"k", "2"}};
  EXPECT_THROW(parity::reports::write_report(m, path), parity::ValueError);
  EXPECT_TRUE(listing().empty());
}

// ---------------------------------------------------------------------------------------------
// Readable by other tools

TEST_F(ReportTest, H5pyReadsChecksAndSamples) {
  if (run("/usr/bin/python3 -c 'import h5py' 2>/dev/null").first != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with h5py is not available";
  }
  const std::string path = file("r.h5");
  parity::reports::write_report(sample_report(), path);
  const std::string script = file("read.py");
  // Written from SCHEMA.md alone: the string table, the structured shapes, the samples and the
  // content checksum recomputed with Python's zlib.crc32.
  std::ofstream(script) << R"(import sys, zlib, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    g = f['parity']
    blob = g['strings'][:].tobytes()
    off = g['string_offsets'][:]
    def text(i):
        return blob[off[i]:off[i + 1]].decode()
    def shapes(t, i, prefix):
        o, n = int(t[prefix + '_dims_offset'][i]), int(t[prefix + '_dims_count'][i])
        rest = text(t[prefix + '_text'][i])
        if n < 0:
            return rest
        d, parts, k = g['shape_dims'][o:o + n], [], 0
        while k < n:
            rank = int(d[k]); dims = [str(int(x)) for x in d[k + 1:k + 1 + rank]]; k += 1 + rank
            parts.append('(' + ','.join(dims) + (',' if rank == 1 else '') + ')')
        return 'x'.join(parts) + rest
    c, b = g['checks'], g['benches']
    print(int(g.attrs['schema_version']))
    print(g['meta'].attrs['git_sha'].decode())
    print(text(c['key'][1]))
    print(shapes(c, 0, 'shapes'))
    print(repr(float(c['max_ulp'][0])))
    o, n = int(b['sample_offset'][0]), int(b['sample_count'][0])
    for x in g['bench_samples'][o:o + n]:
        print(repr(float(x)))
    crc = 0
    for k, v in g['meta'].attrs.items():
        crc = zlib.crc32(k.encode() + b'\0' + bytes(v) + b'\0', crc)
    names = ['strings', 'string_offsets', 'shape_dims']
    names += ['checks/' + n for n in ['key', 'op', 'engine', 'dtype', 'device', 'shapes_text',
              'shapes_dims_offset', 'shapes_dims_count', 'layout', 'params', 'mode', 'reference',
              'status', 'message', 'max_abs_err', 'max_rel_err', 'max_ulp', 'budget']]
    names += ['benches/' + n for n in ['key', 'op', 'engine', 'dtype', 'device', 'shape_text',
              'shape_dims_offset', 'shape_dims_count', 'numel', 'timer', 'bytes', 'flops',
              'sample_offset', 'sample_count', 'counter_offset', 'counter_count', 'counter_source']]
    names += ['bench_samples', 'bench_counter_names', 'bench_counter_values']
    for n in names:
        a = g[n][:]
        crc = zlib.crc32(a.astype(a.dtype.newbyteorder('<')).tobytes(), crc)
    print('checksum ok' if crc == int(g.attrs['content_checksum']) else 'checksum BAD')
)";
  const auto [rc, out] = run("/usr/bin/python3 " + script + " " + path + " 2>&1");
  ASSERT_EQ(rc, 0) << out;
  std::istringstream lines(out);
  std::string schema, sha, key, shapes, ulp, s0, s1, s2, sum;
  for (std::string* l : {&schema, &sha, &key, &shapes, &ulp, &s0, &s1, &s2, &sum}) std::getline(lines, *l);
  EXPECT_EQ(schema, "2");
  EXPECT_EQ(sha, "abc123");
  EXPECT_EQ(key, "sum|int64|cpu|(5,)|contiguous|forward");
  EXPECT_EQ(shapes, "(2,3)x(3,)");
  EXPECT_EQ(std::stod(ulp), 0.5);
  EXPECT_EQ(std::stod(s0), 1.0e-3);
  EXPECT_EQ(std::stod(s1), 1.2e-3);
  EXPECT_EQ(std::stod(s2), 1.1e-3);
  EXPECT_EQ(sum, "checksum ok") << out;
}

TEST_F(ReportTest, H5dumpReadsTheFile) {
  if (!fs::exists("/usr/bin/h5dump")) GTEST_SKIP() << "h5dump is not installed";
  const std::string path = file("r.h5");
  parity::reports::write_report(sample_report(), path);
  const auto [rc, out] = run("/usr/bin/h5dump -H " + path + " 2>&1");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("schema_version"), std::string::npos) << out;
  EXPECT_NE(out.find("bench_samples"), std::string::npos) << out;
}

}  // namespace

// A status outside the schema, or a sample that is not a time, makes a report the gate could
// misjudge: the reader refuses it.
// (The reader's side, on files crafted with a valid checksum, is in report_v2_test.cpp.)
TEST_F(ReportTest, WriteRefusesUnknownStatusAndNonTimeSamples) {
  Report bad_status = sample_report();
  ASSERT_FALSE(bad_status.checks.empty());
  bad_status.checks[0].status = "bogus";
  EXPECT_THROW(parity::reports::write_report(bad_status, file("status.h5")), parity::ValueError);
  for (double v : {std::nan(""), -1.0, HUGE_VAL}) {
    Report bad_sample = sample_report();
    ASSERT_FALSE(bad_sample.benches.empty());
    bad_sample.benches[0].samples = {1e-3, v};
    EXPECT_THROW(parity::reports::write_report(bad_sample, file("sample.h5")), parity::ValueError) << v;
  }
  EXPECT_TRUE(listing().empty());
}
