// Measures what Asio's ssl::stream holds per connection for its whole life, before
// any handshake, beside a bare SSL_new (what the gateway creates per connection):
// the figure behind issue 14's choice of OpenSSL on the descriptor.
// Not part of the build (it would compile Asio's SSL layer into every CI run):
//   g++ -std=c++20 -O1 bench/probes/ssl_stream_memory.cpp -o /tmp/ssl_stream_memory -lssl -lcrypto -pthread
//   /tmp/ssl_stream_memory
// 2026-12-02, this machine: asio ssl::stream 51.4 KiB each (RSS; 68 KiB allocated), bare SSL_new 2.8 KiB.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>
#include <openssl/ssl.h>
long rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string k;
    long v = 0;
    while (f >> k) { if (k == "VmRSS:") { f >> v; return v; } }
    return 0;
}
int main() {
    namespace net = boost::asio;
    net::io_context ioc;
    net::ssl::context ctx(net::ssl::context::tls_server);
    const int n = 2000;
    long before = rss_kib();
    std::vector<std::unique_ptr<net::ssl::stream<net::ip::tcp::socket>>> v;
    for (int i = 0; i < n; ++i) v.push_back(std::make_unique<net::ssl::stream<net::ip::tcp::socket>>(ioc, ctx));
    long with_streams = rss_kib();
    v.clear();
    // The same count of bare SSL objects from one SSL_CTX (what the gateway creates per connection).
    SSL_CTX* c = SSL_CTX_new(TLS_server_method());
    long before_ssl = rss_kib();
    std::vector<SSL*> s;
    for (int i = 0; i < n; ++i) s.push_back(SSL_new(c));
    long with_ssl = rss_kib();
    std::printf("asio ssl::stream: %.1f KiB each; bare SSL_new: %.1f KiB each (%d of each, before any handshake)\n",
                double(with_streams - before) / n, double(with_ssl - before_ssl) / n, n);
}
