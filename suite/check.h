#pragma once
// The conformance check: every case on the array engine (NumPy semantics, the reference)
// and on each tensor device (PyTorch semantics); results compared with the op's accuracy
// budget; gradients compared with central differences; refusals compared with each
// library's rule.
#include <functional>
#include <string>
#include <vector>

#include "engine/array/array.h"
#include "engine/core/device.h"
#include "engine/tensor/tensor.h"
#include "reports/report.h"
#include "suite/cases.h"

namespace parity::suite {

// Distance in units in the last place between two values of a float dtype (both given as
// doubles holding values of that dtype). 0 for equal values (and for two NaNs), infinity
// when exactly one is NaN or the signs of infinities differ.
double ulp_distance(double a, double b, spec::DType dtype);

// Elementwise comparison of a result against a reference of the same shape and dtype.
struct Agreement {
  double max_abs = 0, max_rel = 0, max_ulp = 0;
  // For reductions: the largest allowed error at the element where |err|/allowed is worst.
  double worst_allowed = 0;
  double worst_ratio = 0;  // max over elements of |err| / allowed (<= 1 passes)
  std::int64_t mismatches = 0;  // elements over budget
  std::int64_t first_bad = -1;  // flat index of the first element over budget
  // Mean signed distance in ULPs (got above want counts positive) over the elements where
  // both are finite, and how many those are. A kernel within budget everywhere can still be
  // biased: a result nudged up by one ULP everywhere stays within a 4-ULP budget but moves
  // this mean from about 0 to 1.
  double mean_signed_ulp = 0;
  std::int64_t finite = 0;
};
// The largest |mean signed ULP error| an inexact elementwise op may show over at least
// kMinBiasSample elements. Correctly rounded and faithful kernels err both ways about as often.
inline constexpr double kMaxUlpBias = 0.25;
inline constexpr std::int64_t kMinBiasSample = 64;
// `allowed` (optional, one per element): the absolute error each element may have
// (reductions); without it floats are judged by `max_ulp` and integers/bool exactly.
Agreement compare_values(const std::vector<double>& got, const std::vector<double>& want,
                         spec::DType dtype, double max_ulp,
                         const std::vector<double>* allowed = nullptr);

// The absolute error each element of a float reduction or matmul result may have (the
// op's budget: reduce_factor * eps * (ceil(log2 k) + 2 + sqrt k) * sum|terms|, plus the
// reference's rounding), from the inputs `views` and the reference values `want`.
std::vector<double> reduction_allowance(const Case& c, const std::vector<array::NdArray>& views,
                                        const std::vector<double>& want, spec::DType dtype);

// The ops by id, for each engine (the one place in the harness that maps ids to calls).
array::NdArray apply_array(const Case& c, const std::vector<array::NdArray>& in);
tensor::Tensor apply_tensor(const Case& c, const std::vector<tensor::Tensor>& in);

struct CheckOptions {
  std::vector<core::Device> devices;  // tensor devices; cuda is reported skipped when absent
  CaseFilter filter;
  std::function<void(const reports::CheckRecord&)> on_record;  // progress (may be empty)
};
std::vector<reports::CheckRecord> run_check(const CheckOptions& opts);

// One case on one device (exposed for tests).
reports::CheckRecord check_case(const Case& c, core::Device device);

}  // namespace parity::suite
