// The load generator's response parser, fed whole and one byte at a time.
#include <boost/test/unit_test.hpp>

#include <string>

#include "bench/gwbench/response_parser.hpp"

using gw::bench::response_parser;

namespace {

// Feeds `data` in steps of `step` bytes the way a connection does: unconsumed
// bytes are presented again, with the next ones after them. Returns the bytes
// left over after the response ended (or everything unparsed on error).
std::string feed(response_parser& p, const std::string& data, std::size_t step, bool eof = false) {
    std::string pending;
    std::size_t i = 0;
    while (i < data.size() && !p.done() && !p.failed()) {
        pending.append(data, i, step);
        i += step;
        pending.erase(0, p.feed(pending.data(), pending.size()));
    }
    if (eof && !p.done()) p.on_eof();
    return pending + (i < data.size() ? data.substr(i) : "");
}

const std::size_t steps[] = {1, 2, 3, 7, 1000000};

} // namespace

BOOST_AUTO_TEST_SUITE(response_parser_suite)

BOOST_AUTO_TEST_CASE(content_length_response_in_any_split) {
    std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhelloNEXT";
    for (auto step : steps) {
        response_parser p;
        p.reset(false);
        auto rest = feed(p, r, step);
        BOOST_TEST(p.done());
        BOOST_TEST(p.status() == 200u);
        BOOST_TEST(p.keep_alive());
        BOOST_TEST(rest == "NEXT"); // the next response's bytes are left alone
    }
}

BOOST_AUTO_TEST_CASE(chunked_with_extensions_and_trailers_in_any_split) {
    std::string r = "HTTP/1.1 201 Created\r\ntransfer-encoding: gzip, Chunked\r\n\r\n"
                    "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n";
    for (auto step : steps) {
        response_parser p;
        p.reset(false);
        auto rest = feed(p, r, step);
        BOOST_TEST(p.done());
        BOOST_TEST(rest.empty());
        BOOST_TEST(p.status() == 201u);
        BOOST_TEST(p.keep_alive());
    }
}

BOOST_AUTO_TEST_CASE(close_delimited_body_ends_at_eof) {
    std::string r = "HTTP/1.1 200 OK\r\n\r\nbody until the end";
    response_parser p;
    p.reset(false);
    feed(p, r, 4);
    BOOST_TEST(!p.done());
    p.on_eof();
    BOOST_TEST(p.done());
    BOOST_TEST(!p.keep_alive());
}

BOOST_AUTO_TEST_CASE(no_body_for_head_204_and_304) {
    for (const char* r : {"HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
                          "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
        response_parser p;
        p.reset(false);
        feed(p, r, 1000);
        BOOST_TEST(p.done());
        BOOST_TEST(p.keep_alive());
    }
    response_parser p;
    p.reset(true);
    feed(p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 1000);
    BOOST_TEST(p.done());
}

BOOST_AUTO_TEST_CASE(interim_100_is_skipped) {
    std::string r = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    for (auto step : steps) {
        response_parser p;
        p.reset(false);
        feed(p, r, step);
        BOOST_TEST(p.done());
        BOOST_TEST(p.status() == 200u);
    }
}

BOOST_AUTO_TEST_CASE(keep_alive_rules_of_http10_and_11) {
    struct {
        const char* head;
        bool keep;
    } cases[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true},
        {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false},
        {"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false},
        {"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", true},
        {"HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n", false},
    };
    for (auto& c : cases) {
        response_parser p;
        p.reset(false);
        feed(p, c.head, 1000);
        BOOST_TEST(p.done());
        BOOST_TEST(p.keep_alive() == c.keep, c.head);
    }
}

BOOST_AUTO_TEST_CASE(malformed_responses_fail) {
    for (const char* r : {
             "garbage\r\n\r\n",
             "HTTP/2 200 OK\r\n\r\n",
             "HTTP/1.1 2x0 OK\r\n\r\n",
             "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
             "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
             "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",
             "HTTP/1.1 101 Switching Protocols\r\n\r\n",
         }) {
        for (auto step : {std::size_t{1}, std::size_t{1000}}) {
            response_parser p;
            p.reset(false);
            feed(p, r, step);
            BOOST_TEST(p.failed(), r);
            BOOST_TEST(!p.truncated());
        }
    }
}

BOOST_AUTO_TEST_CASE(eof_inside_a_response_is_truncation) {
    for (const char* r :
         {"", "HTTP/1.1 200 OK\r\nContent-Len", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"}) {
        response_parser p;
        p.reset(false);
        feed(p, r, 3, true);
        BOOST_TEST(p.truncated(), r);
        BOOST_TEST(p.failed());
    }
}

BOOST_AUTO_TEST_CASE(a_head_too_long_for_the_limit_fails) {
    std::string r = "HTTP/1.1 200 OK\r\nX: " + std::string(response_parser::max_line, 'a');
    response_parser p;
    p.reset(false);
    BOOST_TEST(p.feed(r.data(), r.size()) == 0u);
    BOOST_TEST(p.failed());
}

BOOST_AUTO_TEST_SUITE_END()
