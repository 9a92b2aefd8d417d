# SPDX-License-Identifier: GPL-3.0-or-later
# CPack: one Debian package with the desktop client, the headless client and the server.
set(CPACK_PACKAGE_NAME "cpm")
set(CPACK_PACKAGE_VENDOR "CPM project")
set(CPACK_PACKAGE_CONTACT "CPM maintainers <maintainers@cpm.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Converged IP Messaging: multi-device desktop client and server")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded as plugins, so shlibdeps cannot see them: the SQLite driver and the window system.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, qt6-qpa-plugins")
set(CPACK_STRIP_FILES ON)
include(CPack)
