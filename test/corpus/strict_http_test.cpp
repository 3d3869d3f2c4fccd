// The strict RFC 9112 reader: every rule both ways (a valid message reads with no
// oddity, each violation is reported), framing, pipelining, response body rules,
// and a deterministic mutation loop that must never crash (run it under ASan/UBSan).
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/corpus/strict_http.hpp"

using gw::corpus::parse_requests;
using gw::corpus::parse_responses;
using gw::corpus::parse_result;
using gw::corpus::valid_host;

namespace {

// True when some oddity mentions `what` (the wording is for humans, tests match a part).
bool has_oddity(const parse_result& r, const std::string& what) {
    for (const auto& o : r.oddities)
        if (o.find(what) != std::string::npos) return true;
    return false;
}

std::string dump(const parse_result& r) {
    std::string s;
    for (const auto& o : r.oddities)
        s += "[" + o + "] ";
    return s;
}

// A request with one oddity-free head around `fields` (each line CRLF-terminated).
std::string get_with(const std::string& fields) {
    return "GET / HTTP/1.1\r\nHost: a.b\r\n" + fields + "\r\n";
}

parse_result responses(const std::string& bytes, std::vector<std::string> methods = {},
                       bool eof = false) {
    return parse_responses(bytes, methods, eof);
}

// The request reads as one message with no oddity.
void expect_clean_request(const std::string& bytes) {
    const auto r = parse_requests(bytes);
    BOOST_TEST(r.oddities.empty(), bytes << " -> " << dump(r));
    BOOST_TEST(r.messages.size() == 1u, bytes);
    BOOST_TEST(!r.incomplete, bytes);
    BOOST_TEST(r.consumed == bytes.size(), bytes);
}

// The request yields an oddity mentioning `what`; `stops`: nothing was read.
void expect_odd_request(const std::string& bytes, const std::string& what, bool stops) {
    const auto r = parse_requests(bytes);
    BOOST_TEST(has_oddity(r, what), bytes << " wanted '" << what << "' got " << dump(r));
    if (stops) {
        BOOST_TEST(r.messages.empty(), bytes);
        BOOST_TEST(r.incomplete, bytes);
        BOOST_TEST(r.consumed == 0u, bytes);
    } else {
        BOOST_TEST(r.messages.size() == 1u, bytes << " " << dump(r));
        BOOST_TEST(!r.incomplete, bytes);
    }
}

const std::string chunked_post =
    "POST /u HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;name=value;q=\"a \\\"b\\\" c\" ; flag\r\nhello\r\n"
    "A\r\n0123456789\r\n0\r\nX-Checksum: 42\r\n\r\n";

} // namespace

BOOST_AUTO_TEST_SUITE(strict_http_suite)

BOOST_AUTO_TEST_CASE(simple_get_reads_cleanly) {
    const std::string req = "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    const auto r = parse_requests(req);
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST(!r.incomplete);
    BOOST_TEST(r.consumed == req.size());
    const auto& m = r.messages[0];
    BOOST_TEST(m.method == "GET");
    BOOST_TEST(m.target == "/path?q=1");
    BOOST_TEST(m.version == 11);
    BOOST_TEST(m.fields.size() == 2u);
    BOOST_TEST(m.body.empty());
    BOOST_TEST(!m.chunked);
    BOOST_TEST(!m.content_length.has_value());
    BOOST_TEST(m.head == req);
}

BOOST_AUTO_TEST_CASE(field_lookup_is_case_insensitive_and_values_lose_ows) {
    const auto r = parse_requests(get_with("X-Multi: \t one two \t\r\nx-multi:two\r\n"));
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    const auto& m = r.messages[0];
    BOOST_TEST(m.count("X-MULTI") == 2u);
    BOOST_TEST(m.count("absent") == 0u);
    BOOST_TEST(*m.get("x-Multi") == "one two"); // inner whitespace kept, OWS gone
    BOOST_TEST(m.fields[1].name == "X-Multi");  // names as sent
    BOOST_TEST(m.fields[2].name == "x-multi");
    BOOST_TEST(!m.get("absent").has_value());
    BOOST_TEST(*m.get("HOST") == "a.b");
}

BOOST_AUTO_TEST_CASE(obs_text_and_inner_htab_in_values_are_valid) {
    expect_clean_request(get_with("X-Latin: caf\xc3\xa9\tau lait\r\n"));
}

BOOST_AUTO_TEST_CASE(content_length_body_is_read) {
    const std::string req = "POST /f HTTP/1.1\r\nHost: a.b\r\nContent-Length: 5\r\n\r\nhello";
    const auto r = parse_requests(req);
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    BOOST_TEST(r.oddities.empty());
    BOOST_TEST(r.messages[0].body == "hello");
    BOOST_TEST(*r.messages[0].content_length == 5u);
    BOOST_TEST(r.consumed == req.size());
}

BOOST_AUTO_TEST_CASE(pipelined_requests_read_in_order) {
    const std::string a = "GET /1 HTTP/1.1\r\nHost: a.b\r\n\r\n";
    const std::string b = "POST /2 HTTP/1.1\r\nHost: a.b\r\nContent-Length: 3\r\n\r\nxyz";
    const std::string c = "GET /3 HTTP/1.0\r\n\r\n";
    const auto r = parse_requests(a + b + chunked_post + c);
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 4u);
    BOOST_TEST(r.messages[0].target == "/1");
    BOOST_TEST(r.messages[1].body == "xyz");
    BOOST_TEST(r.messages[2].body == "hello0123456789");
    BOOST_TEST(r.messages[3].version == 10);
    BOOST_TEST(r.consumed == (a + b + chunked_post + c).size());
    BOOST_TEST(!r.incomplete);
}

BOOST_AUTO_TEST_CASE(every_prefix_of_a_pipeline_is_incomplete_not_odd) {
    const std::string a = "GET /1 HTTP/1.1\r\nHost: a.b\r\n\r\n";
    const std::string all = a + chunked_post;
    for (std::size_t n = 1; n < all.size(); ++n) {
        const auto r = parse_requests(all.substr(0, n));
        BOOST_TEST(r.oddities.empty(), n << " " << dump(r));
        BOOST_TEST(r.incomplete == (n != a.size()), n);
        BOOST_TEST(r.messages.size() == (n >= a.size() ? 1u : 0u), n);
        BOOST_TEST(r.consumed == (n >= a.size() ? a.size() : 0u), n);
    }
}

BOOST_AUTO_TEST_CASE(incomplete_body_is_not_an_oddity) {
    const auto r =
        parse_requests("POST / HTTP/1.1\r\nHost: a.b\r\nContent-Length: 10\r\n\r\nhello");
    BOOST_TEST(r.oddities.empty());
    BOOST_TEST(r.messages.empty());
    BOOST_TEST(r.incomplete);
    BOOST_TEST(r.consumed == 0u);
}

BOOST_AUTO_TEST_CASE(bare_lf_and_bare_cr_stop_reading) {
    expect_odd_request("GET / HTTP/1.1\nHost: a.b\r\n\r\n", "bare LF in head of message 1", true);
    expect_odd_request("GET / HTTP/1.1\r\nHost: a.b\n\r\n", "bare LF in head", true);
    expect_odd_request("GET / HTTP/1.1\r\nHost: a.b\r\nX: a\rb\r\n\r\n", "bare CR in head", true);
    expect_odd_request("GET / HTTP/1.1\r\nHost: a.b\r\n\n", "bare LF", true);
}

BOOST_AUTO_TEST_CASE(oddity_after_a_good_message_names_the_second) {
    const std::string good = "GET / HTTP/1.1\r\nHost: a.b\r\n\r\n";
    const auto r = parse_requests(good + "GET / HTTP/1.1\nHost: a.b\r\n\r\n");
    BOOST_TEST(r.messages.size() == 1u);
    BOOST_TEST(has_oddity(r, "bare LF in head of message 2"), dump(r));
    BOOST_TEST(r.incomplete);
    BOOST_TEST(r.consumed == good.size());
}

BOOST_AUTO_TEST_CASE(obs_fold_stops) {
    expect_odd_request(get_with("X-A: one\r\n two\r\n"), "obs-fold", true);
    expect_odd_request("GET / HTTP/1.1\r\n Host: a.b\r\n\r\n", "obs-fold", true);
    expect_odd_request(get_with("X-A: one\r\n\ttwo\r\n"), "obs-fold", true);
}

BOOST_AUTO_TEST_CASE(bad_field_names_stop) {
    expect_odd_request(get_with("Content-Length : 0\r\n"), "whitespace before the colon", true);
    expect_odd_request(get_with("X-A\t: 0\r\n"), "whitespace before the colon", true);
    expect_odd_request(get_with("no colon here\r\n"), "without a colon", true);
    expect_odd_request(get_with(": empty name\r\n"), "not a token", true);
    expect_odd_request(get_with("X(A): 1\r\n"), "not a token", true);
}

BOOST_AUTO_TEST_CASE(ctl_nul_and_del_in_values_are_odd_but_reading_goes_on) {
    expect_odd_request(get_with(std::string("X-A: a\0b\r\n", 10)), "byte 0x00", false);
    expect_odd_request(get_with("X-A: a\x01"
                                "b\r\n"),
                       "byte 0x01", false);
    expect_odd_request(get_with("X-A: a\x7f\r\n"), "byte 0x7f", false);
    expect_odd_request(get_with("X-A: a\x1b[0m\r\n"), "in the value of X-A", false);
}

BOOST_AUTO_TEST_CASE(request_line_needs_single_spaces_and_a_token_method) {
    expect_odd_request("GET  / HTTP/1.1\r\nHost: a.b\r\n\r\n", "more than single SPs", true);
    expect_odd_request("GET /  HTTP/1.1\r\nHost: a.b\r\n\r\n", "more than single SPs", true);
    expect_odd_request("GET / HTTP/1.1 \r\nHost: a.b\r\n\r\n", "more than single SPs", true);
    expect_odd_request("GET\t/ HTTP/1.1\r\nHost: a.b\r\n\r\n", "two SPs", true);
    expect_odd_request("GET /\r\nHost: a.b\r\n\r\n", "two SPs", true);
    expect_odd_request("G(T / HTTP/1.1\r\nHost: a.b\r\n\r\n", "method", true);
    expect_odd_request(" GET / HTTP/1.1\r\nHost: a.b\r\n\r\n", "method", true);
}

BOOST_AUTO_TEST_CASE(request_target_has_no_ctl_del_or_non_ascii) {
    expect_odd_request("GET /a\tb HTTP/1.1\r\nHost: a.b\r\n\r\n", "request-target", true);
    expect_odd_request("GET /a\x01 HTTP/1.1\r\nHost: a.b\r\n\r\n", "request-target", true);
    expect_odd_request("GET /a\x7f HTTP/1.1\r\nHost: a.b\r\n\r\n", "request-target", true);
    expect_odd_request("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a.b\r\n\r\n", "request-target", true);
}

BOOST_AUTO_TEST_CASE(only_http_1_0_and_1_1) {
    expect_clean_request("GET / HTTP/1.0\r\n\r\n");
    for (const char* v : {"HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.10", "HTTP/1", "HTTP/01.1"})
        expect_odd_request(std::string("GET / ") + v + "\r\nHost: a.b\r\n\r\n", "HTTP-version",
                           true);
}

BOOST_AUTO_TEST_CASE(target_forms_by_method) {
    expect_clean_request("OPTIONS * HTTP/1.1\r\nHost: a.b\r\n\r\n");
    expect_clean_request("CONNECT a.b:443 HTTP/1.1\r\nHost: a.b:443\r\n\r\n");
    expect_clean_request("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");
    expect_odd_request("GET * HTTP/1.1\r\nHost: a.b\r\n\r\n", "asterisk-form", false);
    expect_odd_request("GET a.b:443 HTTP/1.1\r\nHost: a.b\r\n\r\n", "no form allowed", false);
    expect_odd_request("GET a.b HTTP/1.1\r\nHost: a.b\r\n\r\n", "no form allowed", false);
    expect_odd_request("CONNECT / HTTP/1.1\r\nHost: a.b\r\n\r\n", "authority-form", false);
    expect_odd_request("CONNECT a.b HTTP/1.1\r\nHost: a.b\r\n\r\n", "authority-form", false);
    expect_odd_request("CONNECT http://a.b:80/ HTTP/1.1\r\nHost: a.b\r\n\r\n", "authority-form",
                       false);
}

BOOST_AUTO_TEST_CASE(absolute_form_authority_must_match_host) {
    expect_clean_request("GET http://a.b/x?y HTTP/1.1\r\nHost: a.b\r\n\r\n");
    expect_clean_request("GET HTTP://A.B:8080 HTTP/1.1\r\nHost: a.b:8080\r\n\r\n");
    expect_odd_request("GET http://evil.example/x HTTP/1.1\r\nHost: a.b\r\n\r\n", "Host differs",
                       false);
    expect_odd_request("GET http://a.b:81/ HTTP/1.1\r\nHost: a.b\r\n\r\n", "Host differs", false);
    expect_odd_request("GET http://u@a.b/ HTTP/1.1\r\nHost: a.b\r\n\r\n", "invalid authority",
                       false);
}

BOOST_AUTO_TEST_CASE(empty_lines_before_a_request_line_are_noted) {
    const std::string req = "\r\n\r\nGET / HTTP/1.1\r\nHost: a.b\r\n\r\n";
    const auto r = parse_requests(req);
    BOOST_TEST(has_oddity(r, "empty line before the request-line of message 1"), dump(r));
    BOOST_TEST(r.oddities.size() == 1u);
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    BOOST_TEST(r.consumed == req.size());
    BOOST_TEST(r.messages[0].head.substr(0, 3) == "GET"); // head starts at the request-line
    // The CRLF some clients add after a body counts against the next request.
    const auto t = parse_requests("POST / HTTP/1.1\r\nHost: a.b\r\nContent-Length: 1\r\n\r\nx\r\n");
    BOOST_TEST(t.messages.size() == 1u);
    BOOST_TEST(has_oddity(t, "empty line before the request-line of message 2"));
    BOOST_TEST(t.incomplete);
}

BOOST_AUTO_TEST_CASE(host_rules) {
    expect_odd_request("GET / HTTP/1.1\r\n\r\n", "without Host", false);
    expect_clean_request("GET / HTTP/1.0\r\n\r\n");
    expect_clean_request("GET / HTTP/1.0\r\nHost: a.b\r\n\r\n");
    expect_odd_request(get_with("Host: a.b\r\n"), "more than one Host", false);
    expect_odd_request(get_with("HOST: c.d\r\n"), "more than one Host", false);
    expect_odd_request("GET / HTTP/1.1\r\nHost: u@a.b\r\n\r\n", "invalid Host", false);
    expect_odd_request("GET / HTTP/1.1\r\nHost:\r\n\r\n", "invalid Host", false);
    expect_odd_request("GET / HTTP/1.1\r\nHost: a.b:99999\r\n\r\n", "invalid Host", false);
    expect_odd_request("GET / HTTP/1.0\r\nHost: a b\r\n\r\n", "invalid Host", false);
}

BOOST_AUTO_TEST_CASE(content_length_must_be_one_plain_number) {
    expect_clean_request("POST / HTTP/1.1\r\nHost: a.b\r\nContent-Length: \t 0 \r\n\r\n");
    expect_clean_request("POST / HTTP/1.1\r\nHost: a.b\r\nContent-Length: 003\r\n\r\nabc");
    const std::string pre = "POST / HTTP/1.1\r\nHost: a.b\r\n";
    expect_odd_request(pre + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                       "more than one Content-Length", true);
    for (const char* v : {"3, 3", "+3", "-3", "3 3", "0x3", "", "3;", "12345678901234567890"})
        expect_odd_request(pre + "Content-Length: " + v + "\r\n\r\nabc", "invalid Content-Length",
                           true);
}

BOOST_AUTO_TEST_CASE(nineteen_digit_content_length_is_valid_and_incomplete) {
    const auto r = parse_requests(
        "POST / HTTP/1.1\r\nHost: a.b\r\nContent-Length: 9999999999999999999\r\n\r\nabc");
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST(r.incomplete);
    BOOST_TEST(r.messages.empty());
}

BOOST_AUTO_TEST_CASE(transfer_encoding_only_a_single_chunked) {
    expect_clean_request(
        "POST / HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: ChUnKeD \r\n\r\n0\r\n\r\n");
    const std::string pre = "POST / HTTP/1.1\r\nHost: a.b\r\n";
    const std::string body = "\r\n0\r\n\r\n";
    for (const char* v : {"gzip, chunked", "chunked, chunked", "gzip", "", "chunked;q=1",
                          "\"chunked\"", "xchunked", "chunked,"})
        expect_odd_request(pre + "Transfer-Encoding: " + v + "\r\n" + body,
                           "Transfer-Encoding other than exactly chunked", true);
    expect_odd_request(pre + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n" + body,
                       "more than one Transfer-Encoding", true);
    expect_odd_request(pre + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n" + body,
                       "together with Content-Length", true);
    expect_odd_request("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n" + body, "HTTP/1.0",
                       true);
}

BOOST_AUTO_TEST_CASE(connection_naming_framing_fields_is_odd) {
    expect_clean_request(get_with("Connection: keep-alive, Upgrade ,, close\r\n"));
    expect_odd_request(get_with("Connection: close, Content-Length\r\n"),
                       "Connection naming Content-Length", false);
    expect_odd_request(get_with("Connection: transfer-encoding\r\n"), "Connection naming", false);
    expect_odd_request(get_with("Connection: HOST\r\n"), "Connection naming HOST", false);
    expect_odd_request(get_with("Connection: a b\r\n"), "not a token", false);
}

BOOST_AUTO_TEST_CASE(chunked_with_extensions_and_trailers) {
    const auto r = parse_requests(chunked_post);
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    const auto& m = r.messages[0];
    BOOST_TEST(m.chunked);
    BOOST_TEST(m.body == "hello0123456789");
    BOOST_TEST_REQUIRE(m.trailers.size() == 1u);
    BOOST_TEST(m.trailers[0].name == "X-Checksum");
    BOOST_TEST(m.trailers[0].value == "42");
    BOOST_TEST(r.consumed == chunked_post.size());
}

BOOST_AUTO_TEST_CASE(chunk_sizes_in_hex_with_leading_zeros) {
    const std::string req = "POST / HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "000a\r\n0123456789\r\n1\r\nx\r\n00\r\n\r\n";
    const auto r = parse_requests(req);
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    BOOST_TEST(r.messages[0].body == "0123456789x");
    BOOST_TEST(r.messages[0].trailers.empty());
}

BOOST_AUTO_TEST_CASE(bad_chunk_lines_stop) {
    const std::string pre = "POST / HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n";
    expect_odd_request(pre + "\r\nhello\r\n0\r\n\r\n", "chunk-size missing", true);
    expect_odd_request(pre + "g\r\nhello\r\n0\r\n\r\n", "chunk-size missing", true);
    expect_odd_request(pre + "-5\r\nhello\r\n0\r\n\r\n", "chunk-size missing", true);
    expect_odd_request(pre + "00000000000000005\r\nhello\r\n0\r\n\r\n", "more than 16 hex", true);
    expect_odd_request(pre + "10000000000000000\r\n", "more than 16 hex", true);
    for (const char* ext : {" ", ";", "; ", ";a=", ";a=\"x", ";a=b c", ";a b", "x", ";a=\"\x01\"",
                            ";\x01", ",a", ";a=b;", ";a==b"})
        expect_odd_request(pre + "5" + ext + "\r\nhello\r\n0\r\n\r\n", "invalid chunk extension",
                           true);
    expect_odd_request(pre + "5\nhello\r\n0\r\n\r\n", "bare LF in chunk-size line", true);
    expect_odd_request(pre + "5;a\rb\r\nhello\r\n0\r\n\r\n", "bare CR in chunk-size line", true);
}

BOOST_AUTO_TEST_CASE(valid_chunk_extension_shapes) {
    const std::string pre = "POST / HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const char* ext : {";a", ";a=b", " ;a", "\t; a = b", ";a=\"\"", ";a=\"x\\\"y\"",
                            ";a=\"caf\xc3\xa9\"", ";a;b=c;d=\"e\""})
        expect_clean_request(pre + "5" + ext + "\r\nhello\r\n0" + ext + "\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(sixteen_hex_digit_chunk_is_incomplete_not_odd) {
    const auto r = parse_requests("POST / HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n"
                                  "\r\nffffffffffffffff\r\nabc");
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST(r.incomplete);
}

BOOST_AUTO_TEST_CASE(chunk_data_must_end_in_crlf) {
    const std::string pre = "POST / HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n";
    expect_odd_request(pre + "3\r\nhello\r\n0\r\n\r\n", "not followed by CRLF", true);
    expect_odd_request(pre + "5\r\nhello\n0\r\n\r\n", "not followed by CRLF", true);
    expect_odd_request(pre + "5\r\nhello\rX0\r\n\r\n", "not followed by CRLF", true);
    expect_odd_request(pre + "5\r\nhellox", "not followed by CRLF", true);
    const auto r = parse_requests(pre + "5\r\nhello\r");
    BOOST_TEST(r.oddities.empty());
    BOOST_TEST(r.incomplete);
}

BOOST_AUTO_TEST_CASE(forbidden_trailer_fields_are_odd_but_read) {
    const std::string pre = "POST / HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "1\r\nx\r\n0\r\n";
    for (const char* f :
         {"Content-Length", "transfer-encoding", "Host", "Trailer", "Connection", "Keep-Alive",
          "TE", "Upgrade", "Content-Type", "Content-Encoding", "Content-Range", "Cache-Control",
          "Expect", "Authorization", "Set-Cookie", "Cookie", "Max-Forwards", "Range"})
        expect_odd_request(pre + f + ": 1\r\n\r\n", std::string(f) + " in the trailer section",
                           false);
    expect_clean_request(pre + "X-Digest: abc\r\nServer-Timing: db;dur=5\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(trailer_syntax_is_the_head_syntax) {
    const std::string pre = "POST / HTTP/1.1\r\nHost: a.b\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "0\r\n";
    expect_odd_request(pre + "X-A: 1\n\r\n", "bare LF in trailer section", true);
    expect_odd_request(pre + "X-A : 1\r\n\r\n", "whitespace before the colon in trailer", true);
    expect_odd_request(pre + "X-A: 1\r\n 2\r\n\r\n", "obs-fold", true);
    expect_odd_request(pre + "X-A: \x01\r\n\r\n", "byte 0x01", false);
}

BOOST_AUTO_TEST_CASE(head_larger_than_64_kib_is_odd) {
    const std::string start = "GET / HTTP/1.1\r\nHost: a.b\r\n";
    // A head of exactly 64 KiB, CRLFs included, is fine.
    const std::size_t room = 64 * 1024 - start.size() - 2;
    const std::string exact = start + "X: " + std::string(room - 5, 'v') + "\r\n\r\n";
    BOOST_TEST_REQUIRE(exact.size() == 64u * 1024u);
    expect_clean_request(exact);
    const std::string over = start + "X: " + std::string(room - 4, 'v') + "\r\n\r\n";
    expect_odd_request(over, "head larger than 64 KiB", true);
    // Also while the head is still arriving.
    expect_odd_request(start + std::string(70000, 'x'), "head larger than 64 KiB", true);
    // Many small lines count too.
    std::string many = start;
    while (many.size() < 70000)
        many += "X-Line: 0123456789\r\n";
    expect_odd_request(many + "\r\n", "head larger than 64 KiB", true);
}

BOOST_AUTO_TEST_CASE(response_with_content_length_and_pipeline) {
    const std::string a = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    const std::string b = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    const auto r = responses(a + b, {"GET", "GET"});
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 2u);
    BOOST_TEST(r.messages[0].status == 200u);
    BOOST_TEST(r.messages[0].reason == "OK");
    BOOST_TEST(r.messages[0].body == "hello");
    BOOST_TEST(r.messages[1].status == 404u);
    BOOST_TEST(r.messages[1].reason == "Not Found");
    BOOST_TEST(r.consumed == (a + b).size());
    BOOST_TEST(!r.incomplete);
}

BOOST_AUTO_TEST_CASE(status_line_syntax) {
    const auto empty_reason = responses("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n");
    BOOST_TEST(empty_reason.oddities.empty());
    BOOST_TEST_REQUIRE(empty_reason.messages.size() == 1u);
    BOOST_TEST(empty_reason.messages[0].reason.empty());
    const auto odd_reason = responses("HTTP/1.0 200 It's \xe2\x9c\x93\tfine\r\n\r\n", {}, true);
    BOOST_TEST(odd_reason.oddities.empty());
    BOOST_TEST(odd_reason.messages.size() == 1u);
    for (const char* line :
         {"HTTP/1.1 200", "HTTP/1.1 200OK", "HTTP/1.1  200 OK", "HTTP/1.1 20 OK",
          "HTTP/1.1 2000 OK", "HTTP/1.1 099 Low", "HTTP/1.1 600 High", "HTTP/1.1 200 a\x01",
          "HTTP/2 200 OK", "http/1.1 200 OK", "", "HTTP/1.1 2x0 OK"}) {
        const auto r = responses(std::string(line) + "\r\nContent-Length: 0\r\n\r\n");
        BOOST_TEST(!r.oddities.empty(), line);
        BOOST_TEST(r.messages.empty(), line);
        BOOST_TEST(r.incomplete, line);
    }
}

BOOST_AUTO_TEST_CASE(close_delimited_response_depends_on_eof) {
    const std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
    const auto open = responses(resp, {"GET"}, false);
    BOOST_TEST(open.oddities.empty());
    BOOST_TEST(open.messages.empty());
    BOOST_TEST(open.incomplete);
    const auto closed = responses(resp, {"GET"}, true);
    BOOST_TEST(closed.oddities.empty());
    BOOST_TEST_REQUIRE(closed.messages.size() == 1u);
    BOOST_TEST(closed.messages[0].close_delimited);
    BOOST_TEST(closed.messages[0].body == "all of it");
    BOOST_TEST(closed.consumed == resp.size());
    BOOST_TEST(!closed.incomplete);
    // An empty close-delimited body.
    const auto bare = responses("HTTP/1.0 200 OK\r\n\r\n", {}, true);
    BOOST_TEST_REQUIRE(bare.messages.size() == 1u);
    BOOST_TEST(bare.messages[0].body.empty());
    BOOST_TEST(bare.messages[0].close_delimited);
}

BOOST_AUTO_TEST_CASE(head_response_has_no_body) {
    const std::string a = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    const std::string b = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string c = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    const auto r = responses(a + b + c, {"HEAD", "HEAD", "GET"});
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 3u);
    BOOST_TEST(r.messages[0].body.empty());
    BOOST_TEST(*r.messages[0].content_length == 5u); // the field is reported, no body read
    BOOST_TEST(r.messages[1].body.empty());
    BOOST_TEST(r.messages[2].body == "hi");
    BOOST_TEST(r.consumed == (a + b + c).size());
}

BOOST_AUTO_TEST_CASE(status_204_and_304_have_no_body) {
    const std::string a = "HTTP/1.1 204 No Content\r\n\r\n";
    const std::string b = "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n";
    const std::string c = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
    const auto r = responses(a + b + c, {"GET", "GET", "GET"});
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 3u);
    BOOST_TEST(r.messages[2].body == "x");
}

BOOST_AUTO_TEST_CASE(framing_fields_in_204_and_1xx_are_odd_but_bodiless) {
    const std::string a = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
    const std::string b = "HTTP/1.1 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string c = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    const auto r = responses(a + b + c, {"GET", "POST"});
    BOOST_TEST(has_oddity(r, "in a 204 of message 1"), dump(r));
    BOOST_TEST(has_oddity(r, "in a 100 of message 2"), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 3u);
    BOOST_TEST(r.messages[0].body.empty());
    BOOST_TEST(r.messages[2].body == "hello");
    BOOST_TEST(!r.incomplete);
}

BOOST_AUTO_TEST_CASE(interim_responses_do_not_consume_a_method) {
    const std::string resp = "HTTP/1.1 100 Continue\r\n\r\n"
                             "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                             "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n" // HEAD: no body
                             "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
    const auto r = responses(resp, {"HEAD", "GET"});
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 4u);
    BOOST_TEST(r.messages[0].status == 100u);
    BOOST_TEST(r.messages[1].status == 103u);
    BOOST_TEST(r.messages[2].body.empty());
    BOOST_TEST(r.messages[3].body == "body");
    BOOST_TEST(r.consumed == resp.size());
}

BOOST_AUTO_TEST_CASE(switching_protocols_ends_the_http_stream) {
    const std::string head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\n\r\n";
    const auto r = responses(head + "\x81\x05hello not http\r\n", {"GET"});
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    BOOST_TEST(r.messages[0].status == 101u);
    BOOST_TEST(r.consumed == head.size());
    BOOST_TEST(!r.incomplete);
}

BOOST_AUTO_TEST_CASE(successful_connect_becomes_a_tunnel) {
    const std::string head = "HTTP/1.1 200 Connection Established\r\n\r\n";
    const auto r = responses(head + "\x16\x03\x01 tls bytes", {"CONNECT"});
    BOOST_TEST(r.oddities.empty(), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    BOOST_TEST(r.consumed == head.size());
    BOOST_TEST(!r.incomplete);
    const auto cl = responses("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", {"CONNECT"});
    BOOST_TEST(has_oddity(cl, "to CONNECT"), dump(cl));
    // A failed CONNECT has an ordinary body.
    const auto no = responses("HTTP/1.1 403 No\r\nContent-Length: 2\r\n\r\nno", {"CONNECT"});
    BOOST_TEST(no.oddities.empty());
    BOOST_TEST_REQUIRE(no.messages.size() == 1u);
    BOOST_TEST(no.messages[0].body == "no");
}

BOOST_AUTO_TEST_CASE(methods_running_out_mean_get) {
    const std::string a = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
    const auto r = responses(a + a + a, {"HEAD"});
    // HEAD for the first: its "a" is read as the start of a status line.
    BOOST_TEST(r.messages.size() == 1u);
    BOOST_TEST(has_oddity(r, "HTTP-version in the status-line of message 2"), dump(r));
    const auto g = responses(a + a + a, {});
    BOOST_TEST(g.oddities.empty());
    BOOST_TEST(g.messages.size() == 3u);
    const auto one = responses(a + a + a, {"GET"});
    BOOST_TEST(one.oddities.empty());
    BOOST_TEST(one.messages.size() == 3u);
}

BOOST_AUTO_TEST_CASE(chunked_response_with_trailers) {
    const std::string resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "4;x=y\r\nwiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n";
    const auto r = responses(resp, {"GET"});
    BOOST_TEST(has_oddity(r, "Expires in the trailer section"), dump(r));
    BOOST_TEST_REQUIRE(r.messages.size() == 1u);
    BOOST_TEST(r.messages[0].body == "wikipedia");
    BOOST_TEST(r.messages[0].trailers.size() == 1u);
    BOOST_TEST(r.consumed == resp.size());
}

BOOST_AUTO_TEST_CASE(response_framing_conflicts_stop) {
    const auto te_cl = responses("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                 "Content-Length: 3\r\n\r\n0\r\n\r\n",
                                 {"GET"}, true);
    BOOST_TEST(has_oddity(te_cl, "together with Content-Length"));
    BOOST_TEST(te_cl.messages.empty());
    BOOST_TEST(te_cl.incomplete);
    const auto te10 =
        responses("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {"GET"}, true);
    BOOST_TEST(has_oddity(te10, "Transfer-Encoding in an HTTP/1.0 message"));
    BOOST_TEST(te10.messages.empty());
    const auto two = responses("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
                               "ab",
                               {"GET"}, true);
    BOOST_TEST(has_oddity(two, "more than one Content-Length"));
    BOOST_TEST(two.messages.empty());
    const auto conn = responses("HTTP/1.1 200 OK\r\nConnection: Content-Length\r\n"
                                "Content-Length: 1\r\n\r\na",
                                {"GET"});
    BOOST_TEST(has_oddity(conn, "Connection naming"));
    BOOST_TEST(conn.messages.size() == 1u);
}

BOOST_AUTO_TEST_CASE(valid_host_table) {
    for (const char* good :
         {"a.b", "a.b:80", "127.0.0.1:65535", "[::1]:8080", "x-y.example", "a", "[::1]",
          "[2001:db8::8:800:200c:417a]", "[1:2:3:4:5:6:7:8]", "[::ffff:192.0.2.1]:443",
          "[1:2:3:4:5:6:1.2.3.4]", "[::]", "[v1.fe80::a+en1]", "%41.example", "h:0", "h:00080",
          "999.1.1.1", "sub_delims!$&'()*+,;=.ok", "EXAMPLE.COM"})
        BOOST_TEST(valid_host(good), good);
    for (const char* bad : {"",
                            "a b",
                            "u@h",
                            "h:",
                            "h:65536",
                            "h:123456",
                            "h:-1",
                            "h:+80",
                            "[::1",
                            "h\t",
                            "a:b:c",
                            ":80",
                            "[]",
                            "[::1]x",
                            "[::1]:",
                            "[1::2::3]",
                            "[1:2:3:4:5:6:7]",
                            "[1:2:3:4:5:6:7:8:9]",
                            "[12345::]",
                            "[::g]",
                            "[1.2.3.4]",
                            "[::1.2.3.256]",
                            "[::01.2.3.4]",
                            "[1:2:3:4:5:6:7::8]",
                            "[1:2:3:4:5:6::1.2.3.4]",
                            "[:1::]",
                            "[v.x]",
                            "[vz.x]",
                            "[v1.]",
                            "%4",
                            "%zz.example",
                            "a/b",
                            "a?b",
                            "a#b",
                            "h\x01",
                            "caf\xc3\xa9",
                            " a.b",
                            "[fe80::1%25eth0]"})
        BOOST_TEST(!valid_host(bad), bad);
}

// Mutations of valid streams: any input must be handled without crashing (this case is the
// one that matters under ASan/UBSan), and the result must be self-consistent.
BOOST_AUTO_TEST_CASE(mutated_streams_never_break_invariants) {
    const std::vector<std::string> seeds = {
        chunked_post,
        "GET http://a.b/ HTTP/1.1\r\nHost: a.b\r\nConnection: close\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: [::1]:80\r\nContent-Length: 4\r\n\r\nabcd",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\"b\"\r\nx\r\n0\r\nX: y\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
    };
    static const char chars[] = "\r\n :;=\"\\\t0fF9a-,.[]@%\x7f\x80";
    const std::string alphabet(chars, sizeof chars); // the terminating NUL is a mutation too
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    const auto next = [&] { // xorshift64: deterministic, no <random> distribution differences
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    for (int round = 0; round < 20000; ++round) {
        std::string s = seeds[next() % seeds.size()];
        for (int edits = 1 + static_cast<int>(next() % 4); edits > 0 && !s.empty(); --edits) {
            const std::size_t at = next() % s.size();
            switch (next() % 3) {
            case 0:
                s[at] = alphabet[next() % alphabet.size()];
                break;
            case 1:
                s.erase(at, 1 + next() % 3);
                break;
            default:
                s.insert(at, 1, alphabet[next() % alphabet.size()]);
                break;
            }
        }
        const auto q = parse_requests(s);
        const auto p = parse_responses(s, {"GET", "HEAD", "CONNECT"}, (round & 1) != 0);
        for (const auto* r : {&q, &p}) {
            BOOST_TEST_REQUIRE(r->consumed <= s.size());
            if (r->messages.empty()) BOOST_TEST_REQUIRE(r->consumed == 0u);
        }
        // A request stream is either read to its end or reported incomplete.
        BOOST_TEST_REQUIRE((q.incomplete || q.consumed == s.size()), s);
    }
}

BOOST_AUTO_TEST_SUITE_END()
