#include "bench/corpus/judge.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gw::corpus {

const char* to_string(verdict v) noexcept {
    switch (v) {
    case verdict::pass:
        return "pass";
    case verdict::lenient:
        return "lenient";
    case verdict::unsafe:
        return "unsafe";
    }
    return "?";
}

namespace {

using clock_type = std::chrono::steady_clock;

// One blocking client connection to the proxy on 127.0.0.1.
class connection {
public:
    explicit connection(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
        const int one = 1;
        if (fd_ >= 0)
            ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~connection() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    bool ok() const noexcept { return fd_ >= 0; }

    // Sends `data`, in pieces of `piece` bytes with `pause_ms` between them
    // when piece > 0. False when the proxy closed or reset meanwhile.
    bool send(std::string_view data, std::size_t piece = 0, int pause_ms = 0) {
        while (!data.empty()) {
            const std::size_t n = piece == 0 ? data.size() : std::min(piece, data.size());
            std::string_view part = data.substr(0, n);
            while (!part.empty()) {
                const ssize_t k = ::send(fd_, part.data(), part.size(), MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                    continue;
                if (k <= 0)
                    return false;
                part.remove_prefix(static_cast<std::size_t>(k));
            }
            data.remove_prefix(n);
            if (!data.empty() && pause_ms > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
        }
        return true;
    }

    // Reads into bytes_ until the peer closes, or nothing more arrives for
    // quiet_ms once `enough` holds (or at all when it is empty), or max_ms
    // pass. Returns true at end of stream (close or reset).
    bool read(const std::function<bool(const std::string&)>& enough, int quiet_ms, int max_ms) {
        const auto deadline = clock_type::now() + std::chrono::milliseconds(max_ms);
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - clock_type::now()).count();
            if (left <= 0)
                return false;
            const bool have = enough && enough(bytes_);
            // Until enough arrived, wait the whole time left; after it, a quiet period.
            const int wait = static_cast<int>(std::min<long>(left, have || !enough ? quiet_ms : left));
            pollfd p{fd_, POLLIN, 0};
            const int r = ::poll(&p, 1, wait);
            if (r == 0) {
                if (have || !enough)
                    return false;
                continue;
            }
            if (r < 0 && errno == EINTR)
                continue;
            char buf[16384];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0)
                return true;
            bytes_.append(buf, static_cast<std::size_t>(n));
        }
    }
    const std::string& bytes() const noexcept { return bytes_; }

private:
    int fd_ = -1;
    std::string bytes_;
};

std::string_view origin_form(std::string_view target) {
    const auto scheme = target.find("://");
    if (scheme == std::string_view::npos || target.front() == '/')
        return target;
    const auto slash = target.find_first_of("/?", scheme + 3);
    return slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x | 0x20) == (y | 0x20) || x == y;
           });
}

bool same(const observed_request& s, const intended& i) {
    const auto t = origin_form(s.target);
    // A bare "?query" target stands for "/?query".
    const bool slashless = t.front() == '?' && i.target.size() == t.size() + 1 &&
                           i.target.front() == '/' && std::string_view(i.target).substr(1) == t;
    return s.method == i.method && (t == i.target || slashless) &&
           (i.host == "*" || iequal(s.host, i.host)) && s.body == i.body;
}

bool prefix_of(const std::vector<observed_request>& seen, const reading& r) {
    if (seen.size() > r.size())
        return false;
    for (std::size_t i = 0; i < seen.size(); ++i)
        if (!same(seen[i], r[i]))
            return false;
    return true;
}

std::string describe(const std::vector<observed_request>& seen) {
    std::string s = "[";
    for (const auto& r : seen) {
        if (s.size() > 1)
            s += ", ";
        s += r.method + " " + r.target + " host=" + r.host + " body=" + std::to_string(r.body.size()) + "B";
    }
    return s + "]";
}

// Final responses (1xx other than 101 dropped) from a strict read of `bytes`.
std::vector<message> finals(const parse_result& p) {
    std::vector<message> out;
    for (const auto& m : p.messages)
        if (m.status >= 200 || m.status == 101)
            out.push_back(m);
    return out;
}

std::optional<std::uint64_t> seq_of(const message& m) {
    const auto v = m.get("x-observer-seq");
    if (!v)
        return std::nullopt;
    std::uint64_t n = 0;
    for (char c : *v) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

std::string first_token(std::string_view bytes) {
    while (!bytes.empty() && (bytes.front() == '\r' || bytes.front() == '\n'))
        bytes.remove_prefix(1);
    const auto end = bytes.find_first_of(" \t\r\n");
    return std::string(bytes.substr(0, std::min(end, std::size_t{16})));
}

// Lets a response the proxy is still relaying, or a request it forwards
// late, reach the observer before the record is read.
void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

} // namespace

vector_result run_request_vector(const request_vector& v, observer& origin, const judge_options& o) {
    vector_result res{v.category, v.name, verdict::unsafe, {}};
    const auto mark = origin.mark();
    connection c(o.proxy_port);
    if (!c.ok()) {
        res.detail = "cannot connect to the proxy";
        return res;
    }
    c.send(v.bytes, v.piece, v.pause_ms);
    // The methods a strict read of the responses needs: the requests the
    // server saw, then the vector's own for anything after them.
    const auto methods_for = [&v](const std::vector<observed_request>& seen) {
        std::vector<std::string> methods;
        for (const auto& s : seen)
            methods.push_back(s.method);
        for (int i = 0; i < 4; ++i)
            methods.push_back(first_token(v.bytes));
        return methods;
    };
    // Waiting only for a quiet period judged a slow proxy (a sanitizer build on
    // a busy machine) too early: a request it forwarded after the quiet period
    // then counted against the next vector. So the client waits, up to max_ms,
    // until every request the server saw is answered and the preferred
    // reading's responses are in (a close ends the wait too), then a quiet
    // period for anything extra, a refusal included: a proxy that holds a
    // request it cannot end (a bare LF head, a body that never comes) looks
    // the same as a slow one, and holding is a safe outcome.
    const std::size_t wanted = v.expect.size();
    const auto answered = [&](const std::string& bytes) {
        const auto seen = origin.requests_since(mark);
        const auto n = finals(parse_responses(bytes, methods_for(seen), false)).size();
        return n >= seen.size() && n >= wanted;
    };
    const bool eof = c.read(answered, o.quiet_ms, o.max_ms);
    settle();
    const auto seen = origin.requests_since(mark);
    const auto odd = origin.oddities_since(mark);
    const auto methods = methods_for(seen);
    const auto got = parse_responses(c.bytes(), methods, eof);
    const auto fin = finals(got);

    std::string client = "[";
    for (const auto& m : fin) {
        if (client.size() > 1)
            client += ", ";
        client += std::to_string(m.status);
        if (const auto s = seq_of(m))
            client.append("#").append(std::to_string(*s));
    }
    client += "]";
    res.detail = "server saw " + describe(seen) + "; client got " + client + (eof ? " then close" : "");

    const auto unsafe = [&](const std::string& why) {
        res.outcome = verdict::unsafe;
        res.detail = why + "; " + res.detail;
        return res;
    };
    if (!odd.empty())
        return unsafe("the server saw an oddity: " + odd.front().what);
    if (!got.oddities.empty())
        return unsafe("the client got a response it cannot read strictly: " + got.oddities.front());
    // One origin response per forwarded request, in order, then at most one
    // refusal of the proxy's own.
    std::size_t k = 0;
    while (k < fin.size() && seq_of(fin[k]))
        ++k;
    if (k != seen.size())
        return unsafe("responses and forwarded requests do not match one for one");
    for (std::size_t i = 0; i < k; ++i)
        if (*seq_of(fin[i]) != seen[i].seq)
            return unsafe("a response answers another request");
    if (fin.size() > k + 1)
        return unsafe("more responses than requests");
    const bool refused_by_reply = fin.size() == k + 1 && fin[k].status >= 400;
    if (fin.size() == k + 1 && !refused_by_reply)
        return unsafe("the proxy answered " + std::to_string(fin[k].status) + " itself");
    bool safe = prefix_of(seen, v.expect);
    for (const auto& r : v.also_safe)
        safe = safe || prefix_of(seen, r);
    if (!safe)
        return unsafe("the server saw requests the client did not mean");

    const bool exact = seen.size() == v.expect.size() && prefix_of(seen, v.expect);
    const bool refused = refused_by_reply || eof;
    res.outcome = exact && (!v.then_reject || refused) ? verdict::pass : verdict::lenient;
    return res;
}

vector_result run_response_vector(std::size_t index, observer& origin, const judge_options& o) {
    const auto& v = response_vectors().at(index);
    vector_result res{v.category, v.name, verdict::unsafe, {}};
    const auto mark = origin.mark();
    const std::string request = v.method + " /r/" + std::to_string(index) +
                                " HTTP/1.1\r\nHost: " + std::string(default_host) + "\r\n\r\n";
    const std::vector<std::string> methods{v.method, "GET", "GET"};
    const auto one_final = [&methods](const std::string& b) {
        return !finals(parse_responses(b, methods, false)).empty();
    };
    connection c(o.proxy_port);
    if (!c.ok()) {
        res.detail = "cannot connect to the proxy";
        return res;
    }
    c.send(request);
    bool eof = c.read(one_final, o.quiet_ms, o.max_ms);
    const auto got = parse_responses(c.bytes(), methods, eof);
    const auto fin = finals(got);
    const auto unsafe = [&](const std::string& why) {
        res.outcome = verdict::unsafe;
        res.detail = why;
        return res;
    };
    enum class seen_as { relayed, refused } what = seen_as::refused;
    if (!fin.empty()) {
        const auto& m = fin.front();
        if (v.relay_status != 0 && m.status == v.relay_status && m.body == v.relay_body)
            what = seen_as::relayed;
        else if (m.status >= 500 && m.status <= 599 && !seq_of(m))
            what = seen_as::refused;
        else
            return unsafe("the client got " + std::to_string(m.status) + " with " +
                          std::to_string(m.body.size()) + " body bytes");
        if (fin.size() > 1)
            return unsafe("the client got two responses to one request");
    } // (nothing whole: the proxy closed, or still holds it: refused)
    if (!got.oddities.empty() && !fin.empty())
        return unsafe("the client got a response it cannot read strictly: " + got.oddities.front());
    res.detail = what == seen_as::relayed ? "relayed" : fin.empty() ? "closed" : "refused with " + std::to_string(fin.front().status);

    // The probes: on the same connection (if it is still open) and on a new
    // one, each must get the observer's plain answer: nothing left over from
    // the vector on the client connection or on a pooled server connection.
    const std::string probe = "GET /probe HTTP/1.1\r\nHost: " + std::string(default_host) + "\r\n\r\n";
    enum class probe_answer { right, refused, wrong };
    const auto probe_on = [&](connection& p, std::size_t skip) {
        if (!p.send(probe))
            return probe_answer::refused;
        const std::vector<std::string> get{"GET", "GET", "GET"};
        const auto skip_then_one = [&](const std::string& b) {
            return !finals(parse_responses(std::string_view(b).substr(skip), get, false)).empty();
        };
        const bool closed = p.read(skip_then_one, 50, o.max_ms);
        const auto r = finals(parse_responses(std::string_view(p.bytes()).substr(skip), get, closed));
        if (r.size() == 1 && r.front().status == 200 && r.front().body == observer::probe_body)
            return probe_answer::right;
        // A close or an error of the proxy's own is no desynchronization.
        if (r.empty() || (r.size() == 1 && r.front().status >= 500 && !seq_of(r.front())))
            return probe_answer::refused;
        return probe_answer::wrong;
    };
    bool probe_refused = false;
    if (!eof && !fin.empty()) {
        const auto a = probe_on(c, got.consumed);
        if (a == probe_answer::wrong)
            return unsafe("a probe on the same connection got another answer (" + res.detail + ")");
    }
    connection fresh(o.proxy_port);
    const auto a = fresh.ok() ? probe_on(fresh, 0) : probe_answer::refused;
    if (a == probe_answer::wrong)
        return unsafe("a probe on a new connection got another answer (" + res.detail + ")");
    if (a == probe_answer::refused) {
        probe_refused = true;
        res.detail += "; a probe on a new connection was refused";
    }
    settle();
    const auto odd = origin.oddities_since(mark);
    if (!odd.empty())
        return unsafe("the server saw an oddity: " + odd.front().what);
    const bool preferred = v.valid ? what == seen_as::relayed : what != seen_as::relayed;
    res.outcome = preferred && !probe_refused ? verdict::pass : verdict::lenient;
    return res;
}

std::vector<vector_result> run_corpus(observer& origin, const judge_options& o) {
    std::vector<vector_result> out;
    for (const auto& v : request_vectors())
        out.push_back(run_request_vector(v, origin, o));
    for (std::size_t i = 0; i < response_vectors().size(); ++i)
        out.push_back(run_response_vector(i, origin, o));
    return out;
}

} // namespace gw::corpus
