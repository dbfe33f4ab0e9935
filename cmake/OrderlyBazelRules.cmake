# The CMake side of orderly's Bazel rules: cmake/bazel_targets.cmake (written
# by tools/bazel_to_cmake.py from the BUILD files) calls these three functions
# once per cc_library, cc_binary and cc_test. The source and dependency lists
# live in the BUILD files only; this file says how CMake builds one rule.
#
#   orderly_cc_library(<target> PACKAGE <dir> BAZEL_LABEL <label>
#                      [ALWAYSLINK] [TESTONLY] [CLANG_ONLY]
#                      [SRCS ...] [HDRS ...] [DEPS ...] [DEFINES ...]
#                      [LINK ...])
#   orderly_cc_binary(<target> ...same... [SHARED])  # SHARED: linkshared
#   orderly_cc_test(<target> ...same... TIMEOUT <s> [ARGS ...]
#                   [DATA_TARGETS ...] [ENV K=V ...])
#
# A library in runtime/, blocks/, render/, hooks/ or sanitizers/ is installed
# and exported as orderly::<name> (the Bazel target's name). An adapter,
# //adapters/<name>:<name>, is orderly::<name> too, installed as the
# find_package component <name> (cmake/OrderlyInstall.cmake). The others
# (tests, examples, benchmarks) are built only when their option is on.

include_guard(GLOBAL)

set(_ORDERLY_INSTALLED_PACKAGES runtime blocks render hooks sanitizers)

# Warnings for orderly's own code, as tools/copts.bzl sets them for Bazel.
# Never for users: they are private to orderly's targets.
function(_orderly_warnings target)
  # As .bazelrc: the watchdog's stack dump walks frame pointers.
  target_compile_options(${target} PRIVATE -fno-omit-frame-pointer)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra
      -Wno-unused-parameter -Wno-missing-field-initializers
      -Wthread-safety -Wthread-safety-beta -Wshadow-field)
  elseif(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wall -Wextra
      -Wno-unused-parameter -Wno-missing-field-initializers)
  endif()
  if(ORDERLY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Whether a rule in `package` is built at all, given the options.
function(_orderly_wanted out package testonly clang_only)
  set(wanted TRUE)
  if(package MATCHES "^tests(/|$)" OR testonly)
    set(wanted ${ORDERLY_BUILD_TESTS})
  elseif(package MATCHES "^examples(/|$)")
    set(wanted ${ORDERLY_BUILD_EXAMPLES})
  elseif(package MATCHES "^benchmarks(/|$)")
    set(wanted ${ORDERLY_BUILD_BENCHMARKS})
  endif()
  if(clang_only AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(wanted FALSE)
  endif()
  set(${out} ${wanted} PARENT_SCOPE)
endfunction()

macro(_orderly_parse)
  cmake_parse_arguments(R "ALWAYSLINK;TESTONLY;CLANG_ONLY;SHARED"
    "PACKAGE;BAZEL_LABEL;TIMEOUT"
    "SRCS;HDRS;DEPS;DEFINES;LINK;ARGS;DATA_TARGETS;ENV" ${ARGN})
  list(TRANSFORM R_SRCS PREPEND "${PROJECT_SOURCE_DIR}/")
  list(TRANSFORM R_HDRS PREPEND "${PROJECT_SOURCE_DIR}/")
  _orderly_wanted(_wanted "${R_PACKAGE}" "${R_TESTONLY}" "${R_CLANG_ONLY}")
endmacro()

function(orderly_cc_library target)
  _orderly_parse(${ARGN})
  if(NOT _wanted)
    return()
  endif()
  set(objects ${R_SRCS})
  list(FILTER objects INCLUDE REGEX "\\.(cc|cpp|c)$")
  if(objects)
    add_library(${target} STATIC ${R_SRCS} ${R_HDRS})
    set(scope PUBLIC)
    _orderly_warnings(${target})
  else()
    add_library(${target} INTERFACE ${R_HDRS})
    set(scope INTERFACE)
  endif()
  target_include_directories(${target} ${scope}
    "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>"
    "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/orderly>")
  target_compile_features(${target} ${scope} cxx_std_17)
  target_link_libraries(${target} ${scope} ${R_DEPS} ${R_LINK})
  target_compile_definitions(${target} ${scope} ${R_DEFINES})
  if(objects)
    # Usable from a shared object too (a plugin; docs/shared_objects.md).
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
  set_property(TARGET ${target} PROPERTY ORDERLY_BAZEL_LABEL ${R_BAZEL_LABEL})

  list(FIND _ORDERLY_INSTALLED_PACKAGES "${R_PACKAGE}" installed)
  if(installed GREATER -1 AND NOT R_TESTONLY)
    string(REGEX REPLACE "^orderly_" "" short "${target}")
    add_library(orderly::${short} ALIAS ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${short})
    set_property(GLOBAL APPEND PROPERTY ORDERLY_INSTALLED_TARGETS ${target})
    foreach(header IN LISTS R_HDRS)
      file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${header}")
      set_property(GLOBAL APPEND PROPERTY ORDERLY_INSTALLED_HEADERS
        "${rel}")
    endforeach()
  elseif(R_PACKAGE MATCHES "^adapters/([a-z0-9_]+)$" AND NOT R_TESTONLY)
    # //adapters/asio:asio -> orderly::asio, installed as the find_package
    # component "asio" (cmake/OrderlyInstall.cmake).
    set(adapter "${CMAKE_MATCH_1}")
    if(target STREQUAL "orderly_adapters_${adapter}_${adapter}")
      orderly_adapter(${adapter} ${target} ${R_HDRS})
    endif()
  endif()
endfunction()

# Declares the library `target` as the adapter `name`: the alias
# orderly::<name>, and the find_package(orderly COMPONENTS <name>) component
# that cmake/OrderlyInstall.cmake installs with `headers` (absolute paths).
function(orderly_adapter name target)
  add_library(orderly::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  set_property(GLOBAL APPEND PROPERTY ORDERLY_ADAPTERS ${name})
  set_property(GLOBAL PROPERTY ORDERLY_ADAPTER_${name}_TARGET ${target})
  foreach(header IN LISTS ARGN)
    file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${header}")
    set_property(GLOBAL APPEND PROPERTY ORDERLY_ADAPTER_${name}_HEADERS "${rel}")
  endforeach()
endfunction()

function(_orderly_executable target)
  if(R_SHARED)
    # A cc_binary with linkshared: a loadable module named as in Bazel.
    add_library(${target} MODULE ${R_SRCS} ${R_HDRS})
    set_target_properties(${target} PROPERTIES PREFIX "" SUFFIX ""
      LIBRARY_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/${R_PACKAGE}")
  else()
    add_executable(${target} ${R_SRCS} ${R_HDRS})
  endif()
  _orderly_warnings(${target})
  target_link_libraries(${target} PRIVATE ${R_DEPS} ${R_LINK})
  target_compile_definitions(${target} PRIVATE ${R_DEFINES})
  target_include_directories(${target} PRIVATE "${PROJECT_SOURCE_DIR}")
  target_compile_features(${target} PRIVATE cxx_std_17)
  # Where Bazel puts it: build/examples/quickstart, build/tests/hooks/...
  string(REGEX REPLACE "^.*:" "" name "${R_BAZEL_LABEL}")
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name}
    RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/${R_PACKAGE}")
endfunction()

function(orderly_cc_binary target)
  _orderly_parse(${ARGN})
  if(_wanted)
    _orderly_executable(${target})
  endif()
endfunction()

function(orderly_cc_test target)
  _orderly_parse(${ARGN})
  if(NOT _wanted)
    return()
  endif()
  _orderly_executable(${target})
  if(NOT ORDERLY_DEPS_FROM_SOURCE)
    # Debian's libabsl has no frame pointers: stack dumps are partial.
    target_compile_definitions(${target} PRIVATE ORDERLY_PREBUILT_ABSEIL=1)
  endif()
  # As `bazel test`: named by the label, run from the source root (where
  # $(location) paths point), with a fresh TEST_TMPDIR of its own.
  string(REGEX REPLACE "[/:]" "_" tmp "${R_BAZEL_LABEL}")
  set(tmpdir "${PROJECT_BINARY_DIR}/Testing/tmp/${tmp}")
  file(MAKE_DIRECTORY "${tmpdir}")
  add_test(NAME ${R_BAZEL_LABEL} COMMAND ${target} ${R_ARGS}
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
  set_tests_properties(${R_BAZEL_LABEL} PROPERTIES TIMEOUT ${R_TIMEOUT}
    ENVIRONMENT "TEST_TMPDIR=${tmpdir};${R_ENV};${ORDERLY_TEST_ENV}")
  if(R_DATA_TARGETS)
    add_dependencies(${target} ${R_DATA_TARGETS})
  endif()
endfunction()
