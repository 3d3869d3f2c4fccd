// A worker's hold on configuration generations: an exchange's lease keeps the
// generation it started with; the worker lets an old one go when its last
// lease ends, and never the current one.
#include <boost/test/unit_test.hpp>

#include "config/load.hpp"
#include "gateway/proxy/generation.hpp"

using namespace gw;

namespace {

std::shared_ptr<const config::gateway_config> a_config() {
    auto r = config::load_string("[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\n"
                                 "default_backend = \"app\"\n[[backends]]\nname = \"app\"\n"
                                 "[[backends.servers]]\naddress = \"127.0.0.1:9\"\n",
                                 "gateway.toml");
    BOOST_REQUIRE(r.config);
    return std::shared_ptr<const config::gateway_config>(std::move(r.config));
}

} // namespace

BOOST_AUTO_TEST_SUITE(generation_suite)

BOOST_AUTO_TEST_CASE(a_lease_keeps_its_generation_until_it_ends) {
    auto g1 = std::make_shared<const generation>(a_config(), 1);
    std::weak_ptr<const generation> w1 = g1;
    generation_holder h(std::move(g1));
    auto lease = h.take();
    BOOST_TEST(lease->number == 1u);
    h.adopt(std::make_shared<const generation>(a_config(), 2));
    BOOST_TEST(h.current().number == 2u); // new exchanges take the new one
    BOOST_TEST(lease->number == 1u);      // the one in progress keeps its own
    BOOST_TEST(h.held() == 2u);
    BOOST_TEST(!w1.expired());
    auto moved = std::move(lease);
    BOOST_TEST(!lease);
    BOOST_TEST(h.held() == 2u);
    moved.reset(); // its last user ends: let go
    BOOST_TEST(h.held() == 1u);
    BOOST_TEST(w1.expired());
}

BOOST_AUTO_TEST_CASE(an_unused_generation_goes_at_once_and_the_current_one_never) {
    auto g1 = std::make_shared<const generation>(a_config(), 1);
    std::weak_ptr<const generation> w1 = g1;
    generation_holder h(std::move(g1));
    {
        auto l = h.take(); // taken and given back while current: kept
    }
    BOOST_TEST(h.held() == 1u);
    BOOST_TEST(!w1.expired());
    auto g2 = std::make_shared<const generation>(a_config(), 2);
    std::weak_ptr<const generation> w2 = g2;
    h.adopt(std::move(g2));
    BOOST_TEST(w1.expired()); // nobody used it any more
    // Leases on several generations end in any order.
    auto on2 = h.take();
    h.adopt(std::make_shared<const generation>(a_config(), 3));
    auto on3 = h.take();
    h.adopt(std::make_shared<const generation>(a_config(), 4));
    BOOST_TEST(h.held() == 3u);
    on3.reset();
    BOOST_TEST(h.held() == 2u);
    BOOST_TEST(!w2.expired());
    on2.reset();
    BOOST_TEST(h.held() == 1u);
    BOOST_TEST(w2.expired());
    BOOST_TEST(h.current().number == 4u);
}

BOOST_AUTO_TEST_SUITE_END()
