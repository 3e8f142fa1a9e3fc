// Statistics for compare. Written here rather than taken from a library: Debian's GSL or Boost
// would be a new dependency for four short functions (see stats.h).
#include "reports/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace parity::reports::stats {

double median_inplace(std::vector<double>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t n = v.size(), mid = n / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double hi = v[mid];
  if (n % 2 == 1) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lo + hi);
}

namespace {

// P(Bin(n, p) >= r), summed directly from the probability mass function (n is small here).
double binomial_upper_tail(int n, double p, int r) {
  if (p <= 0) return r <= 0 ? 1.0 : 0.0;
  if (p >= 1) return r <= n ? 1.0 : 0.0;
  double tail = 0;
  const double lp = std::log(p), lq = std::log1p(-p);
  for (int k = r; k <= n; ++k) {
    const double lchoose = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
    tail += std::exp(lchoose + k * lp + (n - k) * lq);
  }
  return std::min(tail, 1.0);
}

// P(the bootstrap r-th order statistic is the k-th value), k = 1..n.
std::vector<double> order_stat_weights(int n, int r) {
  std::vector<double> w(static_cast<std::size_t>(n));
  double prev = 0;
  for (int k = 1; k <= n; ++k) {
    const double cum = binomial_upper_tail(n, static_cast<double>(k) / n, r);
    w[static_cast<std::size_t>(k - 1)] = std::max(0.0, cum - prev);
    prev = cum;
  }
  return w;
}

}  // namespace

std::vector<double> bootstrap_median_weights(std::size_t n) {
  const int ni = static_cast<int>(n);
  if (n == 0) return {};
  if (ni % 2 == 1) return order_stat_weights(ni, (ni + 1) / 2);
  std::vector<double> lo = order_stat_weights(ni, ni / 2), hi = order_stat_weights(ni, ni / 2 + 1);
  for (std::size_t i = 0; i < n; ++i) lo[i] = 0.5 * (lo[i] + hi[i]);
  return lo;
}

double bootstrap_median_variance(std::span<const double> x, std::span<const double> w) {
  const std::size_t n = x.size();
  if (n < 2) return 0;
  if (w.size() != n) {
    std::vector<double> v(x.begin(), x.end());
    const double med = median_inplace(v);
    for (double& d : v) d = std::fabs(d - med);
    const double sigma = 1.4826 * median_inplace(v);
    return M_PI / 2 * sigma * sigma / static_cast<double>(n);
  }
  // Centre on the median before squaring so that large values (log seconds are near -10)
  // do not cancel.
  const double c = x[n / 2];
  double mean = 0, sq = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const double d = x[k] - c;
    mean += w[k] * d;
    sq += w[k] * d * d;
  }
  return std::max(0.0, sq - mean * mean);
}

double MedianVariance::operator()(std::span<const double> sorted) {
  const std::size_t n = sorted.size();
  if (n < 2) return 0;
  if (n > 64) return bootstrap_median_variance(sorted, {});
  if (by_n_.size() <= n) by_n_.resize(n + 1);
  if (by_n_[n].empty()) by_n_[n] = bootstrap_median_weights(n);
  return bootstrap_median_variance(sorted, by_n_[n]);
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

namespace {

// Bisection on a distribution function: a few hundred halvings reach double resolution, and
// compare needs one quantile per run, so speed does not matter.
template <class Cdf>
double invert(const Cdf& cdf, double p, double bound) {
  if (!(p > 0 && p < 1)) {
    if (p == 0) return -std::numeric_limits<double>::infinity();
    if (p == 1) return std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();
  }
  double lo = -bound, hi = bound;
  for (int i = 0; i < 400 && hi - lo > 1e-12 * std::max(1.0, std::fabs(lo)); ++i) {
    const double mid = 0.5 * (lo + hi);
    (cdf(mid) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

double normal_quantile(double p) {
  return invert([](double z) { return normal_cdf(z); }, p, 40);
}

double student_t_cdf(double t, int nu) {
  if (std::isnan(t)) return t;
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double theta = std::atan(t / std::sqrt(static_cast<double>(nu)));
  const double c2 = std::cos(theta) * std::cos(theta);
  double term = 1, sum = 1;
  for (int k = 2; k < nu; k += 2) {
    term *= c2 * (k - 1) / k;
    sum += term;
  }
  return 0.5 + 0.5 * std::sin(theta) * sum;
}

double student_t_quantile(double p, int nu) {
  return invert([nu](double t) { return student_t_cdf(t, nu); }, p, 1e8);
}

std::vector<double> bh_adjust(std::span<const double> p) {
  std::vector<double> q(p.size(), std::numeric_limits<double>::quiet_NaN());
  std::vector<std::size_t> idx;
  idx.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!std::isnan(p[i])) idx.push_back(i);
  }
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  const double m = static_cast<double>(idx.size());
  // q_(i) = min over j >= i of p_(j) * m / j, walking down from the largest p.
  double running = 1.0;
  for (std::size_t r = idx.size(); r-- > 0;) {
    running = std::min(running, p[idx[r]] * m / static_cast<double>(r + 1));
    q[idx[r]] = running;
  }
  return q;
}

}  // namespace parity::reports::stats
