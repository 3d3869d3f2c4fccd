// The one translation unit per test program that defines Boost.Test's main().
#define BOOST_TEST_MODULE gateway_tests
#include <boost/test/unit_test.hpp>
