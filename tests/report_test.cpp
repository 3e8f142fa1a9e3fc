// Tests of the HDF5 report: round trips, error handling of the reader and the writer,
// compare() verdicts, the Mann-Whitney U test against hand-computed values, rendering, and
// interoperability with h5py and h5dump when they are installed.
#include "reports/report.h"

#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/spec/error.h"
#include "reports/compare.h"
#include "reports/render.h"
#include "reports/report_detail.h"

namespace {

namespace fs = std::filesystem;
using parity::reports::BenchRecord;
using parity::reports::CheckRecord;
using parity::reports::CompareOptions;
using parity::reports::Comparison;
using parity::reports::Format;
using parity::reports::kNaN;
using parity::reports::Report;
using parity::reports::Verdict;

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
    for (const auto& e : fs::directory_iterator(dir_))
      names.push_back(e.path().filename().string());
    return names;
  }
  fs::path dir_;
};

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

Report sample_report() {
  Report r;
  r.meta.set("kind", "check");
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
  const std::string msg =
      error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
}

TEST_F(ReportTest, ReadNonHdf5FileIsValueError) {
  const std::string path = file("text.h5");
  std::ofstream(path) << "not an hdf5 file\n";
  const std::string msg =
      error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
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
  const std::string msg =
      error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
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
  const std::string msg =
      error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("schema version 2"), std::string::npos) << msg;
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
  const std::string msg =
      error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("corrupt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/parity/checks"), std::string::npos) << msg;
}

// A file with the right groups but a table whose "key" field is an integer.
TEST_F(ReportTest, ReadWithMistypedFieldIsCorrupt) {
  const std::string path = file("mistyped.h5");
  parity::reports::write_report(Report{}, path);
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
  const std::string msg =
      error_message<parity::ValueError>([&] { parity::reports::read_report(path); });
  EXPECT_NE(msg.find("field 'key' of /parity/checks has the wrong type"), std::string::npos) << msg;
}

// ---------------------------------------------------------------------------------------------
// Writer errors

TEST_F(ReportTest, WriteToMissingDirectoryThrowsAndLeavesNoFile) {
  const std::string path = file("missing_dir/r.h5");
  const std::string msg = error_message<parity::RuntimeError>(
      [&] { parity::reports::write_report(sample_report(), path); });
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
  EXPECT_THROW(parity::reports::write_report(sample_report(), path), parity::RuntimeError);
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
      error_message<parity::RuntimeError>([&] { parity::reports::write_report(Report{}, path); });
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
  std::ofstream(script) << R"(import sys, h5py
def s(v):
    return v.decode() if isinstance(v, bytes) else v
with h5py.File(sys.argv[1], 'r') as f:
    g = f['parity']
    print(int(g.attrs['schema_version']))
    print(s(g['meta'].attrs['git_sha']))
    print(s(g['checks']['key'][1]))
    print(repr(float(g['checks']['max_ulp'][0])))
    row = g['benches'][0]
    off, cnt = int(row['sample_offset']), int(row['sample_count'])
    for x in g['bench_samples'][off:off + cnt]:
        print(repr(float(x)))
)";
  const auto [rc, out] = run("/usr/bin/python3 " + script + " " + path + " 2>&1");
  ASSERT_EQ(rc, 0) << out;
  std::istringstream lines(out);
  std::string schema, sha, key, ulp, s0, s1, s2;
  std::getline(lines, schema);
  std::getline(lines, sha);
  std::getline(lines, key);
  std::getline(lines, ulp);
  std::getline(lines, s0);
  std::getline(lines, s1);
  std::getline(lines, s2);
  EXPECT_EQ(schema, "1");
  EXPECT_EQ(sha, "abc123");
  EXPECT_EQ(key, "sum|int64|cpu|(5,)|contiguous|forward");
  EXPECT_EQ(std::stod(ulp), 0.5);
  EXPECT_EQ(std::stod(s0), 1.0e-3);
  EXPECT_EQ(std::stod(s1), 1.2e-3);
  EXPECT_EQ(std::stod(s2), 1.1e-3);
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

// ---------------------------------------------------------------------------------------------
// Mann-Whitney U, against hand-computed values

TEST(MannWhitney, ExactNoTies) {
  // x = {4,5,6}, y = {1,2,3}: every x beats every y, U_x = 9. Under H0 all C(6,3) = 20 rank
  // subsets are equally likely and only {4,5,6} reaches 9, so p = 1/20.
  const std::vector<double> x{4, 5, 6}, y{1, 2, 3};
  EXPECT_DOUBLE_EQ(parity::reports::mann_whitney_u(x, y), 9.0);
  EXPECT_NEAR(parity::reports::mann_whitney_greater(x, y), 1.0 / 20, 1e-15);
  // Reverse direction: U = 0, and every subset has U >= 0, so p = 1.
  EXPECT_NEAR(parity::reports::mann_whitney_greater(y, x), 1.0, 1e-15);

  // x = {3,5,6}, y = {1,2,4}: U_x = 2 + 3 + 3 = 8; rank sums >= 14 come only from {3,5,6}
  // (14) and {4,5,6} (15), so p = 2/20.
  const std::vector<double> x2{3, 5, 6}, y2{1, 2, 4};
  EXPECT_DOUBLE_EQ(parity::reports::mann_whitney_u(x2, y2), 8.0);
  EXPECT_NEAR(parity::reports::mann_whitney_greater(x2, y2), 2.0 / 20, 1e-15);
}

TEST(MannWhitney, ExactWithTies) {
  // x = {2,3}, y = {1,2}. Pooled ranks: 1 -> 1, the two 2s -> 2.5, 3 -> 4. W_x = 6.5, so
  // U_x = 6.5 - 3 = 3.5 (pairs: 2>1, 2=2 counts 1/2, 3>1, 3>2). The six 2-subsets of the
  // ranks {1, 2.5, 2.5, 4} give U = 0.5, 0.5, 2, 2, 3.5, 3.5; two reach 3.5: p = 1/3.
  const std::vector<double> x{2, 3}, y{1, 2};
  EXPECT_DOUBLE_EQ(parity::reports::mann_whitney_u(x, y), 3.5);
  EXPECT_NEAR(parity::reports::mann_whitney_greater(x, y), 1.0 / 3, 1e-15);
  // All values equal: U always equals nm/2, so p = 1.
  const std::vector<double> same{1, 1, 1};
  EXPECT_NEAR(parity::reports::mann_whitney_greater(same, same), 1.0, 1e-15);
}

TEST(MannWhitney, NormalApproximationForLargeSamples) {
  // n = m = 25 (pooled 50, above the exact limit). x = 26..50, y = 1..25: U_x = 625,
  // mean nm/2 = 312.5, variance nm(N+1)/12 = 625 * 51 / 12 = 2656.25 (no ties), and with the
  // continuity correction z = (625 - 312.5 - 0.5) / sqrt(2656.25); p = 1 - Phi(z).
  std::vector<double> x, y;
  for (int i = 1; i <= 25; ++i) {
    y.push_back(i);
    x.push_back(25 + i);
  }
  const double z = (625 - 312.5 - 0.5) / std::sqrt(2656.25);
  EXPECT_DOUBLE_EQ(parity::reports::mann_whitney_u(x, y), 625.0);
  EXPECT_NEAR(parity::reports::mann_whitney_greater(x, y), 0.5 * std::erfc(z / std::sqrt(2.0)),
              1e-15);

  // Interleaved: x = 1,3,..,49 and y = 2,4,..,50. The k-th x beats k-1 y's: U_x = 0+1+..+24
  // = 300, z = (300 - 312.5 - 0.5) / sqrt(2656.25) (negative), p a little above 1/2.
  std::vector<double> odd, even;
  for (int i = 1; i <= 25; ++i) {
    odd.push_back(2 * i - 1);
    even.push_back(2 * i);
  }
  const double z2 = (300 - 312.5 - 0.5) / std::sqrt(2656.25);
  EXPECT_DOUBLE_EQ(parity::reports::mann_whitney_u(odd, even), 300.0);
  const double p2 = parity::reports::mann_whitney_greater(odd, even);
  EXPECT_NEAR(p2, 0.5 * std::erfc(z2 / std::sqrt(2.0)), 1e-12);
  EXPECT_GT(p2, 0.5);
}

TEST(MannWhitney, EmptySideIsNaN) {
  const std::vector<double> x{1, 2}, none;
  EXPECT_TRUE(std::isnan(parity::reports::mann_whitney_greater(x, none)));
  EXPECT_TRUE(std::isnan(parity::reports::mann_whitney_greater(none, x)));
}

// ---------------------------------------------------------------------------------------------
// compare()

Report bench_report(std::vector<double> samples) {
  Report r;
  r.meta.set("kind", "bench");
  r.benches.push_back(make_bench("add|float32|cpu|1048576", std::move(samples)));
  return r;
}

const parity::reports::CaseChange& only_change(const Comparison& c) {
  EXPECT_EQ(c.changes.size(), 1u);
  return c.changes.front();
}

TEST(Compare, IdenticalReportsHaveNoRegression) {
  Report r = sample_report();
  r.benches[0].samples = samples_around(1e-3, 10);
  const Comparison c = parity::reports::compare(r, r);
  EXPECT_FALSE(c.regressed());
  EXPECT_EQ(c.count(Verdict::Unchanged), static_cast<int>(r.checks.size() + r.benches.size()));
  EXPECT_TRUE(c.notes.empty());
}

TEST(Compare, TwiceAsSlowIsRegressedAndSignificant) {
  const std::vector<double> base = samples_around(1e-3, 10);
  std::vector<double> next;
  for (double s : base) next.push_back(2 * s);
  const Comparison c = parity::reports::compare(bench_report(base), bench_report(next));
  const auto& ch = only_change(c);
  EXPECT_EQ(ch.verdict, Verdict::Regressed);
  EXPECT_TRUE(c.regressed());
  EXPECT_NEAR(ch.ratio, 2.0, 1e-12);
  // Completely separated 10 vs 10: only one of C(20,10) = 184756 rank subsets is as extreme.
  EXPECT_NEAR(ch.p_value, 1.0 / 184756, 1e-15);
  EXPECT_LT(ch.p_value, CompareOptions{}.alpha);
  EXPECT_NE(ch.detail.find("+100.0%"), std::string::npos) << ch.detail;
}

TEST(Compare, TwiceAsFastIsImproved) {
  const std::vector<double> base = samples_around(1e-3, 10);
  std::vector<double> next;
  for (double s : base) next.push_back(0.5 * s);
  const Comparison c = parity::reports::compare(bench_report(base), bench_report(next));
  const auto& ch = only_change(c);
  EXPECT_EQ(ch.verdict, Verdict::Improved);
  EXPECT_NEAR(ch.p_value_faster, 1.0 / 184756, 1e-15);
  EXPECT_NEAR(ch.p_value, 1.0, 1e-12);
}

TEST(Compare, OnePercentChangeIsUnchanged) {
  const std::vector<double> base = samples_around(1e-3, 10);
  std::vector<double> next;
  for (double s : base) next.push_back(1.01 * s);
  const Comparison c = parity::reports::compare(bench_report(base), bench_report(next));
  const auto& ch = only_change(c);
  EXPECT_EQ(ch.verdict, Verdict::Unchanged);  // below the 10% threshold, however significant
  EXPECT_NEAR(ch.ratio, 1.01, 1e-12);
}

TEST(Compare, LargeButInsignificantChangeIsUnchanged) {
  // base = 1..10 ms, next = 2..11 ms: median +18%, but the sets overlap almost entirely
  // (U = 59.5 of 100), far from significant.
  std::vector<double> base, next;
  for (int i = 1; i <= 10; ++i) {
    base.push_back(i * 1e-3);
    next.push_back((i + 1) * 1e-3);
  }
  const Comparison c = parity::reports::compare(bench_report(base), bench_report(next));
  const auto& ch = only_change(c);
  EXPECT_EQ(ch.verdict, Verdict::Unchanged);
  EXPECT_GT(ch.p_value, 0.01);
  EXPECT_NE(ch.detail.find("not significant"), std::string::npos) << ch.detail;
}

TEST(Compare, FewSamplesLetTheThresholdDecide) {
  const std::vector<double> base{1e-3, 1.01e-3, 0.99e-3}, next{2e-3, 2.02e-3, 1.98e-3};
  const Comparison c = parity::reports::compare(bench_report(base), bench_report(next));
  const auto& ch = only_change(c);
  EXPECT_EQ(ch.verdict, Verdict::Regressed);
  EXPECT_NEAR(ch.p_value, 1.0 / 20, 1e-15);  // the best 3 vs 3 can do, above alpha
  EXPECT_NE(ch.detail.find("too few samples"), std::string::npos) << ch.detail;
}

TEST(Compare, CheckStatusTransitions) {
  Report base, next;
  base.checks = {make_check("a", "pass"), make_check("b", "fail", 9, "off by 9 ulp"),
                 make_check("c", "divergent"), make_check("d", "skip"), make_check("e", "pass")};
  next.checks = {make_check("a", "fail", 4, "off by 4 ulp"), make_check("b", "pass"),
                 make_check("c", "fail"), make_check("d", "fail"), make_check("e", "pass")};
  const Comparison c = parity::reports::compare(base, next);
  ASSERT_EQ(c.changes.size(), 5u);
  EXPECT_EQ(c.changes[0].verdict, Verdict::Regressed);
  EXPECT_EQ(c.changes[0].detail, "pass -> fail: off by 4 ulp");
  EXPECT_EQ(c.changes[0].base, 0.5);
  EXPECT_EQ(c.changes[0].next, 4.0);
  EXPECT_EQ(c.changes[1].verdict, Verdict::Improved);
  EXPECT_EQ(c.changes[1].detail, "fail -> pass");
  EXPECT_EQ(c.changes[2].verdict, Verdict::Regressed);  // divergent -> fail
  EXPECT_EQ(c.changes[3].verdict, Verdict::Unchanged);  // skip on one side
  EXPECT_EQ(c.changes[3].detail, "skip -> fail");
  EXPECT_EQ(c.changes[4].verdict, Verdict::Unchanged);
  EXPECT_TRUE(c.regressed());
  EXPECT_EQ(c.count(Verdict::Regressed), 2);
  EXPECT_EQ(c.count(Verdict::Improved), 1);
}

TEST(Compare, AddedAndRemovedCases) {
  Report base, next;
  base.checks = {make_check("kept", "pass"), make_check("gone", "pass")};
  next.checks = {make_check("kept", "pass"), make_check("new", "pass")};
  base.benches = {make_bench("old_bench", samples_around(1e-3, 5))};
  next.benches = {make_bench("new_bench", samples_around(1e-3, 5))};
  const Comparison c = parity::reports::compare(base, next);
  EXPECT_EQ(c.count(Verdict::Added), 2);
  EXPECT_EQ(c.count(Verdict::Removed), 2);
  EXPECT_EQ(c.count(Verdict::Unchanged), 1);
  EXPECT_FALSE(c.regressed());
  bool saw_new = false;
  for (const auto& ch : c.changes) {
    if (ch.key == "new") {
      saw_new = true;
      EXPECT_EQ(ch.verdict, Verdict::Added);
      EXPECT_EQ(ch.kind, "check");
    }
  }
  EXPECT_TRUE(saw_new);
}

TEST(Compare, MetadataDifferencesBecomeNotes) {
  Report base, next;
  base.meta.set("cpu_model", "CPU A");
  base.meta.set("date_utc", "2024-01-01T00:00:00Z");
  next.meta.set("cpu_model", "CPU B");
  next.meta.set("date_utc", "2024-01-02T00:00:00Z");
  next.meta.set("gpu", "H100");
  const Comparison c = parity::reports::compare(base, next);
  const auto has = [&](const std::string& s) {
    for (const auto& n : c.notes) {
      if (n == s) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("cpu_model: CPU A -> CPU B"));
  EXPECT_TRUE(has("gpu: (absent) -> H100"));
  for (const auto& n : c.notes) EXPECT_EQ(n.find("date_utc"), std::string::npos) << n;
}

TEST(Compare, DuplicateKeysThrow) {
  Report r;
  r.benches = {make_bench("k", {1.0}), make_bench("k", {2.0})};
  EXPECT_THROW(parity::reports::compare(r, Report{}), parity::ValueError);
}

// ---------------------------------------------------------------------------------------------
// Rendering

TEST(Render, FormatSeconds) {
  EXPECT_EQ(parity::reports::format_seconds(850e-9), "850 ns");
  EXPECT_EQ(parity::reports::format_seconds(12.3e-6), "12.3 us");
  EXPECT_EQ(parity::reports::format_seconds(1.2e-3), "1.20 ms");
  EXPECT_EQ(parity::reports::format_seconds(2.5), "2.50 s");
  EXPECT_EQ(parity::reports::format_seconds(999.96e-6), "1.00 ms");  // rounds up into ms
  EXPECT_EQ(parity::reports::format_seconds(kNaN), "n/a");
}

TEST(Render, SummaryListsProblemsAndCountsPasses) {
  Report r = sample_report();
  r.checks.push_back(
      make_check("mul|float64|cpu|(4,)|strided|forward", "fail", 7, "7 ulp > budget 1"));
  const std::string text = parity::reports::render_summary(r, Format::Text);
  EXPECT_NE(text.find("abc123"), std::string::npos) << text;
  EXPECT_NE(text.find("Checks: 4 (1 pass, 1 fail, 1 divergent, 1 skip)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("7 ulp > budget 1"), std::string::npos) << text;
  EXPECT_EQ(text.find("add|float32|cpu|(2,3)x(3,)|contiguous|forward"), std::string::npos)
      << "pass rows are counted, not listed\n"
      << text;
  // fail rows come before divergent and skip rows.
  EXPECT_LT(text.find("mul|float64"), text.find("sum|int64")) << text;
  // add bench: median of {1.0, 1.2, 1.1} ms = 1.10 ms; 12 MiB / 1.1 ms = 11.4 GB/s.
  EXPECT_NE(text.find("1.10 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("11.4"), std::string::npos) << text;

  const std::string md = parity::reports::render_summary(r, Format::Markdown);
  EXPECT_NE(md.find("| op | dtype | device | shape | median | GB/s | GFLOP/s | samples |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("sum\\|int64"), std::string::npos) << "pipes in cells are escaped\n" << md;
}

TEST(Render, ComparisonPutsRegressionsFirst) {
  Report base, next;
  base.checks = {make_check("stays", "pass"), make_check("fixed", "fail"),
                 make_check("breaks", "pass")};
  next.checks = {make_check("stays", "pass"), make_check("fixed", "pass"),
                 make_check("breaks", "fail", 3, "boom")};
  const Comparison c = parity::reports::compare(base, next);
  for (Format f : {Format::Text, Format::Markdown}) {
    const std::string s = parity::reports::render_comparison(c, f);
    EXPECT_NE(s.find("1 regressed, 1 improved, 1 unchanged, 0 added, 0 removed"), std::string::npos)
        << s;
    const auto reg = s.find("breaks"), imp = s.find("fixed");
    ASSERT_NE(reg, std::string::npos) << s;
    ASSERT_NE(imp, std::string::npos) << s;
    EXPECT_LT(reg, imp) << s;
    EXPECT_NE(s.find("pass -> fail: boom"), std::string::npos) << s;
    EXPECT_EQ(s.find("stays"), std::string::npos)
        << "a plain pass that stays a pass is only counted\n"
        << s;
  }
}

}  // namespace
