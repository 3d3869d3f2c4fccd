# `cmake --install` and the Debian package (CPack). Installed: gateway and
# gwbench in bin/, the example configuration in etc/gateway/, the docs in
# share/doc/gateway/, the man pages gateway(1) and gateway.toml(5).
#
# The .deb (`cpack -G DEB` in a build tree, scripts/package-test.sh) puts them
# under /usr, the configuration in /etc/gateway/ as a conffile, the systemd
# unit in /usr/lib/systemd/system/, and maintainer scripts that make the
# `gateway` system user and enable the service (packaging/).
include(GNUInstallDirs)

install(TARGETS gateway RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET gwbench)
  install(TARGETS gwbench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES ${CMAKE_SOURCE_DIR}/docker/gateway.toml DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/gateway)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/config-reference.md
              ${CMAKE_SOURCE_DIR}/docs/admin-api.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docker/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${CMAKE_SOURCE_DIR}/docs/man/gateway.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/docs/man/gateway.toml.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# --- the Debian package
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "gateway")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "gateway maintainers <gateway@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "HTTP/1.1 reverse proxy with a reserve-aware buffer pool")
set(CPACK_PACKAGE_DESCRIPTION
    "A reverse proxy on Boost.Asio coroutines: TLS, routing by host and path, load balancing with \
per-server limits and a queue, health checks, retries, client policies, live reload, Prometheus \
metrics. Its buffers come from one pool with a reserve that only responses use, so that requests \
queued behind a full server never starve the responses that would free it.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_SECTION "httpd")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The libraries' packages, found by dpkg-shlibdeps from the binaries (dpkg-dev),
# and adduser for the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# Under /usr the install puts the configuration in /usr/etc: the staging tree
# is fixed up before the archive is made (the configuration to /etc, the unit
# in), and /etc/gateway/gateway.toml is declared a conffile.
set(GW_PACKAGE_SOURCE_DIR "${CMAKE_SOURCE_DIR}")
configure_file(${CMAKE_SOURCE_DIR}/packaging/debian/stage.cmake.in ${CMAKE_BINARY_DIR}/packaging/stage.cmake @ONLY)
set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_BINARY_DIR}/packaging/stage.cmake")
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "/etc/gateway/gateway.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_BINARY_DIR}/packaging/conffiles;${CMAKE_SOURCE_DIR}/packaging/debian/postinst;${CMAKE_SOURCE_DIR}/packaging/debian/prerm;${CMAKE_SOURCE_DIR}/packaging/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
