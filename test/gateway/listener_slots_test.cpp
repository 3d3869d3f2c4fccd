// Listener slots: a listener (name and address) keeps its slot in every
// generation, even when the file reorders the listeners; one that leaves and
// comes back gets its slot again, bound anew; the slots are bounded.
#include <boost/test/unit_test.hpp>

#include <string>

#include "config/load.hpp"
#include "gateway/app/listener_slots.hpp"

using namespace gw;

namespace {

std::shared_ptr<generation> generation_of(const std::vector<std::string>& names, std::uint64_t n) {
    std::string toml;
    for (const auto& name : names)
        toml += "[[listeners]]\nname = \"" + name + "\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n";
    toml += "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"127.0.0.1:9\"\n";
    auto r = config::load_string(toml, "gateway.toml");
    BOOST_REQUIRE(r.config);
    return std::make_shared<generation>(std::shared_ptr<const config::gateway_config>(std::move(r.config)), n);
}

std::size_t sockets_in(const listener_slots::bound& b) {
    std::size_t n = 0;
    for (const auto& per_worker : b)
        n += per_worker.size();
    return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(listener_slots_suite)

BOOST_AUTO_TEST_CASE(a_listener_keeps_its_slot_and_sockets_and_one_that_comes_back_its_slot) {
    listener_slots slots(2, 8);
    listener_slots::bound b;
    auto g1 = generation_of({"a", "b"}, 1);
    slots.assign(nullptr, *g1, b);
    BOOST_TEST((g1->slots == std::vector<std::size_t>{0, 1}));
    BOOST_TEST(sockets_in(b) == 4u); // two listeners, one socket per worker each
    BOOST_TEST(b[1][0].second.local() == g1->endpoints[0]); // (the workers share the port)

    auto g2 = generation_of({"c", "b"}, 2); // a leaves, c comes, b moves
    slots.assign(g1.get(), *g2, b);
    BOOST_TEST((g2->slots == std::vector<std::size_t>{2, 1}));
    BOOST_TEST((g2->listener_at == std::vector<std::size_t>{generation::no_listener, 1, 0}));
    BOOST_TEST(g2->endpoints[1] == g1->endpoints[1]); // b's sockets stay
    BOOST_TEST(sockets_in(b) == 2u);                  // c's only
    BOOST_TEST(b[0][0].first == 2u);

    auto g3 = generation_of({"a", "b", "c"}, 3); // a comes back
    slots.assign(g2.get(), *g3, b);
    BOOST_TEST((g3->slots == std::vector<std::size_t>{0, 1, 2}));
    BOOST_TEST(sockets_in(b) == 2u); // a's, bound anew
    BOOST_TEST(slots.count() == 3u);
}

BOOST_AUTO_TEST_CASE(more_listeners_than_slots_are_refused_with_nothing_registered) {
    listener_slots slots(1, 2);
    listener_slots::bound b;
    auto g1 = generation_of({"a", "b"}, 1);
    slots.assign(nullptr, *g1, b);
    auto g2 = generation_of({"a", "b", "c"}, 2);
    try {
        slots.assign(g1.get(), *g2, b);
        BOOST_FAIL("a third listener fitted in two slots");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "more than 2 different listeners (name and address) since the gateway started; restart to add more");
    }
    BOOST_TEST(slots.count() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
