#pragma once
// Small helpers shared by the test files.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

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

// Expects f() to throw E with exactly this message and this Python class (the library's).
template <class E, class F>
void expect_library_error(F&& f, std::string_view py_class, const std::string& message) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected " << py_class << ": " << message;
  } catch (const E& e) {
    EXPECT_EQ(e.py_class(), py_class) << "message: " << e.what();
    EXPECT_EQ(std::string(e.what()), message);
  }
}

}  // namespace parity::testing
