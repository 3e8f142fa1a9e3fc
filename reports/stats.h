#pragma once
// Small statistics for compare: the standard error of a sample median (exact bootstrap),
// the normal distribution, and Benjamini-Hochberg adjusted p-values.
#include <span>
#include <vector>

namespace parity::reports::stats {

// Median of the values (the mean of the two middle ones for an even count); NaN when empty.
// `v` is reordered (partial sort).
double median_inplace(std::vector<double>& v);

// The distribution of the sample median under resampling with replacement (Efron's
// bootstrap), exactly rather than by drawing resamples: the resampled r-th order statistic is
// the k-th smallest value with probability P(Bin(n, k/n) >= r) - P(Bin(n, (k-1)/n) >= r).
// Returns those n probabilities for r = (n+1)/2; for an even n, the equal mixture of the two
// middle order statistics (its variance is at least their mean's: conservative). The
// weights depend only on n, so callers cache them per n.
std::vector<double> bootstrap_median_weights(std::size_t n);

// Variance of the bootstrap median of `sorted` (ascending), given its weights; 0 for fewer
// than 2 values. Above 64 values the asymptotic (pi/2) sigma^2 / n, sigma from the median
// absolute deviation, replaces the exact form (whose weights cost n^2 to make).
double bootstrap_median_variance(std::span<const double> sorted, std::span<const double> weights);

// Caches bootstrap_median_weights per n.
class MedianVariance {
 public:
  double operator()(std::span<const double> sorted);

 private:
  std::vector<std::vector<double>> by_n_;
};

// Standard normal distribution function and its inverse (|error| < 1e-9 on (1e-300, 1)).
double normal_cdf(double z);
double normal_quantile(double p);

// Student's t distribution function for an even number of degrees of freedom `nu` (2, 4,
// ...), in closed form: with theta = atan(t / sqrt(nu)),
// F = 1/2 + sin(theta)/2 * (1 + cos^2/2 + (1*3)/(2*4) cos^4 + ... up to cos^(nu-2)).
double student_t_cdf(double t, int nu);
double student_t_quantile(double p, int nu);

// Benjamini-Hochberg step-up adjusted p-values ("q-values") in the input's order: a case
// is a discovery at false discovery rate alpha when its q <= alpha. NaN p-values are left
// out of the family and come back NaN.
std::vector<double> bh_adjust(std::span<const double> p);

}  // namespace parity::reports::stats
