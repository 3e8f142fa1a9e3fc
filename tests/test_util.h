#pragma once
// Small helpers shared by the test files.
#include <gtest/gtest.h>

#include <string>

namespace parity::testing {

// Expects f() to throw E with a message containing `needle`.
template <class E, class F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one containing: " << needle;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
  }
}

}  // namespace parity::testing
