# package.cmake: the Debian package, esc_VERSION_ARCH.deb, made by
# `cpack -G DEB` in the build directory (tests/deploy/package.sh builds,
# unpacks and lints it).
#
# It holds what `cmake --install` installs (esc in /usr/bin, escd in
# /usr/sbin, their manual pages, esc's completion, the migrations for
# reference: escd carries them inside), and what only the package adds,
# the install component "debian": escd.service, the example
# /etc/escd/escd.conf (a conffile), the copyright file and changelog, the
# lintian overrides, and the maintainer scripts of deploy/debian (the escd
# user and /var/lib/escd). Its Depends come from dpkg-shlibdeps.

set(ESC_PACKAGE_MAINTAINER "esc developers <esc@example.org>" CACHE STRING
    "the Debian package's Maintainer: NAME <ADDRESS>")
set(DEBIAN_DIR ${CMAKE_SOURCE_DIR}/deploy/debian)

# the changelog's newest entry is this version: a release bumps both
file(STRINGS ${DEBIAN_DIR}/changelog ESC_CHANGELOG_TOP LIMIT_COUNT 1)
if(NOT ESC_CHANGELOG_TOP MATCHES "^esc \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "deploy/debian/changelog's newest entry (${ESC_CHANGELOG_TOP}) is not "
                      "version ${PROJECT_VERSION} of CMakeLists.txt: add an entry")
endif()
# a native package (no Debian revision): its changelog is changelog.gz,
# gzip -9n (no name, no time: the same bytes every build)
set(PKG_OUT ${CMAKE_BINARY_DIR}/package)
add_custom_command(
  OUTPUT ${PKG_OUT}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PKG_OUT}
  COMMAND sh -c "gzip -9n <\"$1\" >\"$2\"" sh ${DEBIAN_DIR}/changelog ${PKG_OUT}/changelog.gz
  DEPENDS ${DEBIAN_DIR}/changelog
  COMMENT "changelog.gz for the Debian package"
  VERBATIM)
add_custom_target(package_files ALL DEPENDS ${PKG_OUT}/changelog.gz)

# Debian 12 keeps units in /lib/systemd/system (lintian insists); /etc is
# /etc whatever the prefix
install(FILES ${CMAKE_SOURCE_DIR}/deploy/escd.service
        DESTINATION /lib/systemd/system COMPONENT debian EXCLUDE_FROM_ALL)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/escd.conf
        DESTINATION /etc/escd COMPONENT debian EXCLUDE_FROM_ALL)
install(FILES ${DEBIAN_DIR}/copyright ${PKG_OUT}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT debian EXCLUDE_FROM_ALL)
install(FILES ${DEBIAN_DIR}/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME esc
        COMPONENT debian EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME esc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "esc developers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# the program's install rules, then the package's own files
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${CMAKE_BINARY_DIR};esc;Unspecified;/" "${CMAKE_BINARY_DIR};esc;debian;/")
# stripped as dh_strip strips (package_strip.cmake reads these two)
set(CPACK_ESC_STRIP ${CMAKE_STRIP})
set(CPACK_ESC_BINARIES ${CMAKE_INSTALL_BINDIR}/esc ${CMAKE_INSTALL_SBINDIR}/escd)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_SOURCE_DIR}/cmake/package_strip.cmake)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "sales-escalation desk: server (escd) and client (esc)")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ESC_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# the summary above is the first line; this, the long description
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"esc is where sales escalations are filed, triaged, decided and kept
score of. escd serves them over ZeroMQ (CURVE-encrypted, to registered
users' keys only) from a PostgreSQL database, and publishes every
decision on a feed; esc is its command-line client.
.
This package holds both programs, their manual pages, esc's shell
completion, and escd.service (Type=notify, with a watchdog and a
sandbox), with an example /etc/escd/escd.conf.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser: postinst makes the escd user; packed relocations (CMakeLists.txt)
# need a glibc that reads them, which no symbol tells dpkg-shlibdeps
if(ESC_LINKER_PACKS_RELOCS)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libc6 (>= 2.36)")
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${DEBIAN_DIR}/postinst ${DEBIAN_DIR}/prerm ${DEBIAN_DIR}/postrm ${DEBIAN_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
