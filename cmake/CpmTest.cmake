# SPDX-License-Identifier: GPL-3.0-or-later
# cpm_add_test(tst_name SOURCES a.cpp ... LIBS lib ... [LABELS l ...] [TIMEOUT s] [COST s]
#               [POSTGRESQL])
# One Qt Test executable per class under test, registered with ctest. Every test runs
# headless with a file keystore (no desktop keyring prompts) and knows where the
# cpm-server binary is, so integration tests can start a real one on a free port.
# POSTGRESQL registers the suite a second time, as tst_name.postgresql (label postgresql),
# with CPM_TEST_STORE=postgresql: its servers then keep their data in a throwaway
# PostgreSQL cluster instead of SQLite (tests/common/testserver.h).
# COST is about how many seconds the suite takes under the sanitizers: ctest -j starts the
# costliest first (a fresh checkout has no timing data), so that the long ones do not run
# alone at the end of CI's run.
function(cpm_add_test name)
    cmake_parse_arguments(arg "POSTGRESQL" "TIMEOUT;COST" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${arg_SOURCES})
    target_link_libraries(${name} PRIVATE cpm_common_cfg Qt6::Test ${arg_LIBS})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
    separate_arguments(test_flags UNIX_COMMAND "${CPM_TEST_CXX_FLAGS}")
    target_compile_options(${name} PRIVATE ${test_flags})
    if(TARGET cpm-server)
        add_dependencies(${name} cpm-server)
        target_compile_definitions(${name} PRIVATE
            CPM_SERVER_BINARY="$<TARGET_FILE:cpm-server>")
    endif()
    # Qt's headers precompiled once for all tests (cmake/CpmPch.cmake); the widget set for
    # tests of the UI.
    if("cpmui" IN_LIST arg_LIBS OR "Qt6::Widgets" IN_LIST arg_LIBS)
        cpm_use_pch(${name} UI TEST)
    else()
        cpm_use_pch(${name} TEST)
    endif()
    add_test(NAME ${name} COMMAND ${name})
    if(NOT arg_TIMEOUT)
        set(arg_TIMEOUT 120)
    endif()
    if(NOT arg_COST)
        set(arg_COST 0)
    endif()
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${arg_TIMEOUT}
        COST ${arg_COST}
        LABELS "${arg_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;CPM_KEYSTORE=file;QT_LOGGING_RULES=cpm.*.debug=false;CPM_TEST_FAST_PASSWORD_HASH=1")
    if(arg_POSTGRESQL)
        add_test(NAME ${name}.postgresql COMMAND ${name})
        set_tests_properties(${name}.postgresql PROPERTIES
            TIMEOUT ${arg_TIMEOUT}
            COST ${arg_COST}
            LABELS "${arg_LABELS};postgresql"
            ENVIRONMENT "QT_QPA_PLATFORM=offscreen;CPM_KEYSTORE=file;QT_LOGGING_RULES=cpm.*.debug=false;CPM_TEST_FAST_PASSWORD_HASH=1;CPM_TEST_STORE=postgresql")
    endif()
endfunction()
