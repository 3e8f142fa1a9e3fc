// Made tests/data/report_v1_check.h5 and report_v1_bench.h5 with the schema-version-1 writer
// (commit da4ea61, before schema version 2). Kept for provenance only: it is not built, since
// today's writer writes version 2. tests/report_v2_test.cpp reads the files back and checks the
// values written here.
#include <cmath>

#include "reports/report.h"

int main() {
  using namespace parity::reports;
  Report c;
  c.meta.set("kind", "check");
  c.meta.set("tool_version", "0.1.0");
  c.meta.set("git_sha", "da4ea61");
  CheckRecord a;
  a.key = "add|float32|cpu|(2,3)x(3,)|contiguous|forward";
  a.op = "add", a.dtype = "float32", a.device = "cpu", a.shapes = "(2,3)x(3,)";
  a.layout = "contiguous", a.mode = "forward", a.reference = "array", a.status = "pass";
  a.max_abs_err = 0, a.max_rel_err = 0, a.max_ulp = 0, a.budget = 1;
  CheckRecord b = a;
  b.key = "exp|float64|cpu|(7,)|transposed|forward";
  b.op = "exp", b.dtype = "float64", b.shapes = "(7,)", b.layout = "transposed";
  b.status = "fail", b.max_abs_err = 1e-12, b.max_rel_err = 2.5e-13, b.max_ulp = 3, b.budget = 2;
  b.message = "max ULP 3 > budget 2 at index 4";
  CheckRecord d = a;
  d.key = "sum|int32|cpu|(3,4)|contiguous|grad";
  d.op = "sum", d.dtype = "int32", d.shapes = "(3,4)", d.mode = "grad";
  d.reference = "finite-difference", d.status = "skip";
  d.max_abs_err = d.max_rel_err = d.max_ulp = d.budget = NAN;
  d.message = "not differentiable for integer dtypes";
  c.checks = {a, b, d};
  write_report(c, "report_v1_check.h5");

  Report r;
  r.meta.set("kind", "bench");
  r.meta.set("tool_version", "0.1.0");
  BenchRecord x;
  x.key = "add|float32|cpu|1048576";
  x.op = "add", x.dtype = "float32", x.device = "cpu", x.shape = "(1048576,)";
  x.numel = 1048576, x.timer = "wall", x.bytes = 12582912, x.flops = 1048576;
  x.samples = {1.5e-4, 1.25e-4, 1.75e-4};
  BenchRecord y = x;
  y.key = "matmul|float64|cpu|4096";
  y.op = "matmul", y.dtype = "float64", y.shape = "(64,64)x(64,64)", y.numel = 4096;
  y.timer = "wall-cold", y.bytes = 98304, y.flops = 524288;
  y.samples = {};
  r.benches = {x, y};
  write_report(r, "report_v1_bench.h5");
}
