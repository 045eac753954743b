# File: cmake/BerthInstall.cmake — `cmake --install` layout and the Debian package (CPack DEB) of berth.
#
# Installs, under CMAKE_INSTALL_PREFIX (GNUInstallDirs; with the prefix /usr, sysconfdir is /etc and
# localstatedir is /var, as Debian expects):
#   bin/berth                                  the scheduler
#   lib/systemd/system/berth.service           the unit, its paths generated from the prefix
#   <sysconfdir>/berth/berth.toml              the example config (a conffile in the package)
#   share/doc/berth/{README.md,copyright}      docs
#   /var/lib/berth                             the state directory (store.path's default folder), when the
#                                              prefix is /usr; elsewhere systemd's StateDirectory= makes it
# Account model: a static `berth` system user, created by the package's postinst (packaging/debian/), and
# `User=berth` in the unit. No DynamicUser=: the state directory and the conffile belong to that user.
include(GNUInstallDirs)

# Derived from the prefix on every configure (not cached): scripts/package.sh re-configures a build folder that
# scripts/test.sh configured with the default prefix, and the unit must follow the new one.
set(BERTH_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
set(BERTH_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/berth")
# systemd's StateDirectory=berth is always /var/lib/berth, whatever the prefix (and store.path defaults there).
set(BERTH_STATE_DIR "/var/lib/berth")
set(BERTH_BINARY "${CMAKE_INSTALL_FULL_BINDIR}/berth")

configure_file(${PROJECT_SOURCE_DIR}/config/berth.service.in ${PROJECT_BINARY_DIR}/berth.service @ONLY)

install(TARGETS berth RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_BINARY_DIR}/berth.service DESTINATION ${BERTH_UNIT_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/config/berth.toml DESTINATION ${BERTH_CONFIG_DIR}
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
if(CMAKE_INSTALL_FULL_LOCALSTATEDIR STREQUAL "/var")  # the package's prefix /usr; not for a /usr/local install
  install(DIRECTORY DESTINATION ${BERTH_STATE_DIR}
          DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)
endif()

# Debian package: `bash scripts/package.sh` (configures with -DCMAKE_INSTALL_PREFIX=/usr and runs cpack).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME berth)
set(CPACK_PACKAGE_VENDOR "berth developers")
set(CPACK_PACKAGE_CONTACT "berth developers <berth@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "event-driven task scheduler for Amazon ECS")
set(CPACK_PACKAGE_DESCRIPTION "berth long-polls an SQS queue of ECS events, keeps an in-memory model of each \
cluster and schedules daemon environments on it, behind an HTTP API. It runs as a systemd service (Type=notify).")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime libraries (Boost.JSON, OpenSSL, SQLite, spdlog, fmt, libstdc++) found by dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# useradd (passwd) is essential in Debian; systemd is recommended, not required (containers run berth directly).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
# Files under /etc are conffiles; the maintainer scripts create the user and own the state directory.
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/conffiles.in ${PROJECT_BINARY_DIR}/debian/conffiles @ONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
