# SPDX-License-Identifier: GPL-3.0-or-later
# ctest check: every .ts file compiles and has no unfinished translation, so a string added
# without translating it fails the test suite instead of reaching users in English.
# Usage: cmake -DLRELEASE=... -DTS_FILES="a.ts;b.ts" -P CheckTranslations.cmake
foreach(ts IN LISTS TS_FILES)
    execute_process(COMMAND ${LRELEASE} ${ts} -qm ${CMAKE_CURRENT_BINARY_DIR}/check.qm
        OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${ts}: lrelease failed: ${err}")
    endif()
    if(NOT out MATCHES "and 0 unfinished")
        message(FATAL_ERROR "${ts} has untranslated strings (run the update_translations target, then translate them):\n${out}")
    endif()
    message(STATUS "${ts}: complete")
endforeach()
