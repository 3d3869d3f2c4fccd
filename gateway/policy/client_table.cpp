#include "gateway/policy/client_table.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

namespace gw::policy {

namespace {

std::int64_t ns(client_table::clock_type::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// 64-bit mix (splitmix64's finalizer): spreads addresses that differ in a few
// bits over the buckets; the per-process seed keeps the layout unpredictable.
std::uint64_t mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

} // namespace

// A bucket's spin lock: held for a few loads and stores, never across a wait.
class client_table::bucket_lock {
public:
    explicit bucket_lock(std::atomic<bool>& l) noexcept : l_(l) {
        while (l_.exchange(true, std::memory_order_acquire))
            while (l_.load(std::memory_order_relaxed)) {
            }
    }
    ~bucket_lock() { l_.store(false, std::memory_order_release); }
    bucket_lock(const bucket_lock&) = delete;
    bucket_lock& operator=(const bucket_lock&) = delete;

private:
    std::atomic<bool>& l_;
};

void client_table::free_memory::operator()(void* p) const noexcept {
    std::free(p);
}

client_table::client_table(std::size_t entries) {
    std::size_t buckets = 1;
    while (buckets * bucket_size < entries)
        buckets *= 2;
    entries_ = buckets * bucket_size;
    bucket_mask_ = buckets - 1;
    table_.reset(static_cast<entry*>(std::calloc(entries_, sizeof(entry)))); // all unused
    if (!table_)
        throw std::bad_alloc();
    locks_ = std::make_unique<std::atomic<bool>[]>(buckets);
    seed_ = std::random_device{}();
    seed_ = (seed_ << 32) ^ std::random_device{}();
}

std::size_t client_table::memory_bytes() const noexcept {
    return entries_ * sizeof(entry) + (bucket_mask_ + 1) * sizeof(std::atomic<bool>);
}

std::size_t client_table::bucket_of(std::size_t listener, const client_address& a) const noexcept {
    std::uint64_t w[2];
    std::memcpy(w, a.bytes, sizeof w);
    const std::uint64_t h = mix(seed_ ^ mix(w[0] ^ (listener << 1) ^ (a.v6 ? 1 : 0)) ^ w[1]);
    return static_cast<std::size_t>(h) & bucket_mask_;
}

client_table::admission client_table::open(std::size_t listener, const client_address& a,
                                            std::size_t limit, clock_type::time_point now) noexcept {
    const std::size_t b = bucket_of(listener, a);
    entry* first = &table_[b * bucket_size];
    entry* last = first + bucket_size;
    const std::int64_t t = ns(now);
    bucket_lock lock(locks_[b]);
    entry* e = std::find_if(first, last, [&](const entry& x) {
        return x.used && x.listener == listener && x.v6 == a.v6 &&
               std::memcmp(x.bytes, a.bytes, sizeof x.bytes) == 0;
    });
    if (e == last) {
        e = std::find_if(first, last, [](const entry& x) { return !x.used; });
        if (e == last) {
            // The least recently used entry without connections goes.
            entry* victim = nullptr;
            for (entry* x = first; x != last; ++x)
                if (x->connections == 0 && (victim == nullptr || x->last_used < victim->last_used))
                    victim = x;
            if (victim == nullptr) {
                untracked_.fetch_add(1, std::memory_order_relaxed);
                return {true, no_ticket};
            }
            evicted_.fetch_add(1, std::memory_order_relaxed);
            e = victim;
        } else {
            used_.fetch_add(1, std::memory_order_relaxed);
        }
        std::memcpy(e->bytes, a.bytes, sizeof e->bytes);
        e->v6 = a.v6;
        e->listener = static_cast<std::uint32_t>(listener);
        e->connections = 0;
        e->tat = 0;
        e->used = true;
    }
    e->last_used = t;
    if (limit != 0 && e->connections >= limit)
        return {false, no_ticket};
    ++e->connections;
    return {true, static_cast<std::uint32_t>(e - table_.get())};
}

void client_table::close(std::uint32_t ticket) noexcept {
    if (ticket == no_ticket || ticket >= entries_)
        return;
    bucket_lock lock(locks_[ticket / bucket_size]);
    entry& e = table_[ticket];
    if (e.connections != 0)
        --e.connections;
}

unsigned client_table::take(std::uint32_t ticket, unsigned rate, unsigned burst,
                            clock_type::time_point now) noexcept {
    if (ticket == no_ticket || ticket >= entries_ || rate == 0)
        return 0;
    // GCRA: each request moves the theoretical arrival time one interval on;
    // a request is early (refused) when that time runs more than `burst`
    // intervals ahead of now.
    const std::int64_t interval = 1'000'000'000 / rate;
    const std::int64_t tolerance = interval * std::max(burst, 1u);
    const std::int64_t t = ns(now);
    bucket_lock lock(locks_[ticket / bucket_size]);
    entry& e = table_[ticket];
    e.last_used = t;
    const std::int64_t tat = std::max(e.tat, t);
    const std::int64_t ahead = tat + interval - t;
    if (ahead > tolerance) {
        const std::int64_t wait = ahead - tolerance;
        return static_cast<unsigned>(std::max<std::int64_t>(1, (wait + 999'999'999) / 1'000'000'000));
    }
    e.tat = tat + interval;
    return 0;
}

client_address client_table::address_of(std::uint32_t ticket) const noexcept {
    client_address a;
    if (ticket == no_ticket || ticket >= entries_)
        return a;
    bucket_lock lock(locks_[ticket / bucket_size]);
    const entry& e = table_[ticket];
    std::memcpy(a.bytes, e.bytes, sizeof a.bytes);
    a.v6 = e.v6;
    return a;
}

} // namespace gw::policy
