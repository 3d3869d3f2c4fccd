#pragma once
// Long-lived work on a worker (a health check, an admin connection) that must
// stop when the worker drains, and what it registers with. Worker thread only.

namespace gw {

class drain_listener {
public:
    virtual ~drain_listener() = default;
    virtual void on_drain() noexcept = 0;

private:
    friend class worker; // (links the listeners into its intrusive list)
    drain_listener* prev_ = nullptr;
    drain_listener* next_ = nullptr;
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

} // namespace gw
