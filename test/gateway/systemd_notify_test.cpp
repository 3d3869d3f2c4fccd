// The systemd notification: one datagram to $NOTIFY_SOCKET (a path or an
// abstract name), nothing without it.
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "gateway/app/systemd_notify.hpp"

namespace {

// A datagram socket bound to `name` ("@..." abstract); reads one message.
struct listener {
    int fd = -1;
    explicit listener(const std::string& name) {
        fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, name.data(), name.size());
        if (name[0] == '@')
            a.sun_path[0] = '\0';
        BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a),
                             static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0);
        timeval tv{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~listener() { ::close(fd); }
    std::string read() const {
        char buf[256];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(systemd_notify_suite)

BOOST_AUTO_TEST_CASE(a_datagram_goes_to_the_notify_socket) {
    const std::string abstract = "@gw-notify-test-" + std::to_string(::getpid());
    listener l(abstract);
    ::setenv("NOTIFY_SOCKET", abstract.c_str(), 1);
    BOOST_TEST(gw::notify_systemd("READY=1\nSTATUS=serving"));
    BOOST_TEST(l.read() == "READY=1\nSTATUS=serving");

    const std::string path = "/tmp/gw-notify-test-" + std::to_string(::getpid());
    ::unlink(path.c_str());
    listener p(path);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    BOOST_TEST(gw::notify_systemd("STOPPING=1"));
    BOOST_TEST(p.read() == "STOPPING=1");
    ::unlink(path.c_str());

    ::setenv("NOTIFY_SOCKET", "relative/name", 1);
    BOOST_TEST(!gw::notify_systemd("READY=1")); // not a socket systemd would name
    ::unsetenv("NOTIFY_SOCKET");
    BOOST_TEST(gw::notify_systemd("READY=1")); // not under systemd: nothing to do
}

BOOST_AUTO_TEST_SUITE_END()
