// The single translation unit that compiles Asio's and Beast's non-template code
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION). Keeping it
// alone means a change anywhere else never recompiles these ~10 s of headers.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
