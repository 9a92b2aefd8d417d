# SPDX-License-Identifier: GPL-3.0-or-later
# Precompiled Qt headers (CPM_PRECOMPILE_HEADERS; the asan preset that CI builds turns it on).
# Every file here parses QtCore and QtNetwork (QtWidgets too in the UI); under the
# sanitizers that parse is a large part of each file's compile time. (Tests include <QTest>,
# not <QtTest>: the module header pulls in all of QtCore, which the precompiled header
# spares the compiler but not moc, which read it for 2.3 s a test.) Two tiny object
# libraries compile the headers once and the other targets reuse the result
# (target_precompile_headers REUSE_FROM):
#   cpm_pch     QtCore, QtNetwork, QtWebSockets        everything without widgets
#   cpm_pch_ui  the same plus QtGui and QtWidgets      cpmui, cpm-desktop and the UI tests
# GCC uses a precompiled header only if every macro the header looks at is defined now as it
# was then. CMake passes -Winvalid-pch and CPM_DEVELOPER_MODE's -Werror makes a rejected
# header a build error, so nothing silently falls back to a slow build. That is why QtTest's
# headers stay out: they test QT_GUI_LIB, QT_WIDGETS_LIB, QT_NETWORK_LIB and
# QT_TESTCASE_BUILDDIR/SOURCEDIR, which differ from test to test. The Qt headers listed here
# test no per-target macro, and the reusing targets compile with the same flags as the hosts
# (cpm_common_cfg and CMAKE_CXX_FLAGS).
# Off by default: a precompiled header is force-included into every file, so a missing
# #include goes unnoticed under it. The dev and headless builds (without it) keep catching
# those; scripts/test.sh's headless build is one of them.
option(CPM_PRECOMPILE_HEADERS "Precompile Qt's headers once and reuse them in every target" OFF)
# Extra compile flags for the test programs only (cmake/CpmTest.cmake). The asan preset sets
# -O0: a test file is mostly macro-expanded QCOMPARE/QVERIFY code that takes twice as long to
# optimise as to compile, and it runs for microseconds; the code under test (the libraries and
# cpm-server) keeps the build's -O1. It also sets -fno-sanitize=undefined: UBSan's checks
# made a test file a third slower to compile (8.4–9.2 s → 5.8 s for tst_serversessions.cpp,
# CI's build is two thirds of its run); the code under test keeps both sanitizers, and
# AddressSanitizer still checks the tests' own memory use. GCC refuses a precompiled header
# built at another -O level (__OPTIMIZE__ differs), so the tests then get hosts of their
# own, built with the same flags.
set(CPM_TEST_CXX_FLAGS "" CACHE STRING "Extra compile flags for the test programs (e.g. -O0)")

if(CPM_PRECOMPILE_HEADERS)
    # CMake wants a source of the host's own next to the header it precompiles (an empty
    # one). It must not skip the header: CMake then makes no header for others to reuse, and
    # a fresh configure fails ("Unable to resolve full path of PCH-header").
    file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/cpm_pch/host.cpp
        CONTENT "// Carries the precompiled headers of cmake/CpmPch.cmake; nothing else.\n")

    # A host defines no more macros than any target reusing its header (GCC rejects the
    # header if a macro defined when it was built is undefined now): so it links QtCore and
    # takes only the include directories of the other modules, not their QT_<MODULE>_LIB.
    # cpm_pch_host(host [FLAGS flag…] [MODULES module…])
    function(cpm_pch_host host)
        cmake_parse_arguments(arg "" "" "FLAGS;MODULES" ${ARGN})
        add_library(${host} OBJECT ${PROJECT_BINARY_DIR}/cpm_pch/host.cpp)
        target_link_libraries(${host} PRIVATE cpm_common_cfg Qt6::Core)
        target_compile_options(${host} PRIVATE ${arg_FLAGS})
        set(headers)
        foreach(module IN LISTS arg_MODULES)
            target_include_directories(${host} SYSTEM PRIVATE
                $<TARGET_PROPERTY:Qt6::${module},INTERFACE_INCLUDE_DIRECTORIES>)
            list(APPEND headers <Qt${module}/Qt${module}>)
        endforeach()
        target_precompile_headers(${host} PRIVATE <QtCore/QtCore> ${headers})
        set_target_properties(${host} PROPERTIES AUTOMOC OFF)
    endfunction()

    cpm_pch_host(cpm_pch MODULES Network WebSockets)
    if(CPM_BUILD_UI)
        cpm_pch_host(cpm_pch_ui MODULES Network WebSockets Gui Widgets)
    endif()
    if(CPM_TEST_CXX_FLAGS AND CPM_BUILD_TESTS)
        separate_arguments(test_flags UNIX_COMMAND "${CPM_TEST_CXX_FLAGS}")
        cpm_pch_host(cpm_pch_test FLAGS ${test_flags} MODULES Network WebSockets)
        if(CPM_BUILD_UI)
            cpm_pch_host(cpm_pch_test_ui FLAGS ${test_flags} MODULES Network WebSockets Gui Widgets)
        endif()
    endif()
endif()

# cpm_use_pch(target [UI] [TEST]): reuse the precompiled Qt headers in target (UI: the widget
# set; TEST: the hosts built with CPM_TEST_CXX_FLAGS, if any). Does nothing unless
# CPM_PRECOMPILE_HEADERS is on.
function(cpm_use_pch target)
    if(NOT CPM_PRECOMPILE_HEADERS)
        return()
    endif()
    cmake_parse_arguments(arg "UI;TEST" "" "" ${ARGN})
    set(host cpm_pch)
    if(arg_TEST AND TARGET cpm_pch_test)
        set(host cpm_pch_test)
    endif()
    if(arg_UI)
        set(host ${host}_ui)
    endif()
    target_precompile_headers(${target} REUSE_FROM ${host})
endfunction()
