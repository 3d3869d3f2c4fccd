// Boost.JSON, compiled once here (header-only mode: Debian's libboost1.81-dev has
// its headers; the admin API's small JSON is its only user).
#include <boost/json/src.hpp>
