#pragma once
// Long-lived work on a worker (a health check, an admin connection) that must
// stop when the worker drains, and what it registers with. Worker thread only.

#include <boost/intrusive/list.hpp>

namespace gw {

// Calls f on each element of an intrusive list, which f may unlink meanwhile.
template <class List, class F>
void for_each_unlinking(List& l, F f) {
    for (auto it = l.begin(); it != l.end();)
        f(*it++);
}

// (The registry keeps its listeners in a Boost.Intrusive list: no allocation.)
class drain_listener : public boost::intrusive::list_base_hook<> {
public:
    virtual ~drain_listener() = default;
    virtual void on_drain() noexcept = 0;
};

// Where drain listeners register: the worker, seen from below app/.
class drain_registry {
public:
    virtual void add(drain_listener& l) noexcept = 0;
    virtual void remove(drain_listener& l) noexcept = 0;
    virtual bool draining() const noexcept = 0;

protected:
    ~drain_registry() = default;
};

// A registry of its own: what registered is told once drain_all() runs (each
// may leave the set meanwhile), and draining() is true from then on.
class drain_set final : public drain_registry {
public:
    void add(drain_listener& l) noexcept override { list_.push_front(l); }
    void remove(drain_listener& l) noexcept override { list_.erase(list_.iterator_to(l)); }
    bool draining() const noexcept override { return drained_; }
    void drain_all() noexcept {
        drained_ = true;
        for_each_unlinking(list_, [](drain_listener& l) { l.on_drain(); });
    }

private:
    boost::intrusive::list<drain_listener, boost::intrusive::constant_time_size<false>> list_;
    bool drained_ = false;
};

} // namespace gw
