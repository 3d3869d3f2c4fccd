#pragma once
// The systemd notification protocol (sd_notify(3)), written by hand: one
// datagram of "KEY=value" lines to the AF_UNIX socket named by $NOTIFY_SOCKET
// (a path, or "@name" in the abstract namespace). A unit with Type=notify
// learns from READY=1 that the listeners are up and from STOPPING=1 that the
// gateway drains. Without $NOTIFY_SOCKET (not under systemd) it does nothing.
// (libsystemd would do the same; ten lines do not justify the dependency.)

#include <string_view>

namespace gw {

// Sends `state` ("READY=1\nSTATUS=serving"). False when $NOTIFY_SOCKET is set
// but the datagram could not be sent (systemd then times the start out).
bool notify_systemd(std::string_view state);

} // namespace gw
