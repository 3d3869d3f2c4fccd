#include "alloc/pool_waiter.hpp"

#include <cassert>

namespace gw::alloc {

void waiter_list::push_back(pool_waiter& w) noexcept {
    w.prev_ = tail_;
    w.next_ = nullptr;
    if (tail_ != nullptr)
        tail_->next_ = &w;
    else
        head_ = &w;
    tail_ = &w;
    ++size_;
}

void waiter_list::insert_by_ticket(pool_waiter& w) noexcept {
    pool_waiter* pos = head_;
    while (pos != nullptr && pos->ticket_ < w.ticket_)
        pos = pos->next_;
    if (pos == nullptr)
        return push_back(w);
    w.next_ = pos;
    w.prev_ = pos->prev_;
    if (pos->prev_ != nullptr)
        pos->prev_->next_ = &w;
    else
        head_ = &w;
    pos->prev_ = &w;
    ++size_;
}

pool_waiter& waiter_list::pop_front() noexcept {
    assert(head_ != nullptr);
    pool_waiter& w = *head_;
    erase(w);
    return w;
}

void waiter_list::erase(pool_waiter& w) noexcept {
    assert(size_ > 0);
    if (w.prev_ != nullptr)
        w.prev_->next_ = w.next_;
    else
        head_ = w.next_;
    if (w.next_ != nullptr)
        w.next_->prev_ = w.prev_;
    else
        tail_ = w.prev_;
    w.prev_ = w.next_ = nullptr;
    --size_;
}

} // namespace gw::alloc
