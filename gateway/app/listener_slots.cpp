#include "gateway/app/listener_slots.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include "config/units.hpp"
#include <boost/system/system_error.hpp>

namespace gw {

namespace net = boost::asio;
using tcp = net::ip::tcp;

tcp::endpoint listen_endpoint(const config::host_port& hp) {
    if (hp.kind == config::host_kind::any)
        return {tcp::v6(), hp.port}; // dual-stack "all interfaces"
    if (hp.kind != config::host_kind::hostname)
        return {net::ip::make_address(hp.host), hp.port};
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    boost::system::error_code ec;
    auto results = resolver.resolve(hp.host, std::to_string(hp.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
        std::string why = "cannot resolve ";
        why += config::to_string(hp);
        why += ": ";
        why += ec.message();
        throw std::runtime_error(why);
    }
    return results.begin()->endpoint();
}

std::size_t listener_slots::find(const key& k) const noexcept {
    return static_cast<std::size_t>(std::find(keys_.begin(), keys_.end(), k) - keys_.begin());
}

std::vector<listening_socket> listener_slots::bind(const config::listener_config& l) const {
    auto fail = [&](const std::string& reason) {
        std::string why = "listener '";
        why += l.name;
        why += "': ";
        why += reason;
        throw std::runtime_error(why);
    };
    tcp::endpoint ep;
    try {
        ep = listen_endpoint(l.listen);
    } catch (const std::runtime_error& e) {
        fail(e.what());
    }
    try {
        return bind_listening(ep, workers_);
    } catch (const boost::system::system_error& e) {
        std::string why = "cannot listen on ";
        why += config::to_string(l.listen);
        why += ": ";
        why += e.code().message();
        fail(why);
    }
    return {};
}

void listener_slots::assign(const generation* now, generation& gen, bound& out) {
    const auto& listeners = gen.config->listeners;
    std::vector<key> added; // slots given by this call (registered at the end)
    out.clear();
    out.resize(workers_);
    for (const auto& l : listeners) {
        key k{l.name, l.listen};
        std::size_t slot = find(k);
        if (slot == count()) { // (names are unique in a config: not in `added` either)
            slot = count() + added.size();
            added.push_back(std::move(k));
            if (slot >= max_slots_) {
                std::string why = "more than ";
                why += std::to_string(max_slots_);
                why += " different listeners (name and address) since the gateway started; restart to add more";
                throw std::runtime_error(why);
            }
        }
        const std::size_t running = now != nullptr ? now->listener_of(slot) : generation::no_listener;
        gen.slots.push_back(slot);
        if (running != generation::no_listener) {
            gen.endpoints.push_back(now->endpoints[running]);
            continue;
        }
        auto sockets = bind(l);
        gen.endpoints.push_back(sockets.front().local());
        for (std::size_t w = 0; w < workers_; ++w)
            out[w].emplace_back(slot, std::move(sockets[w]));
    }
    keys_.insert(keys_.end(), added.begin(), added.end());
    gen.listener_at.assign(count(), generation::no_listener);
    for (std::size_t l = 0; l < gen.slots.size(); ++l)
        gen.listener_at[gen.slots[l]] = l;
}

} // namespace gw
