# The gRPC adapter (adapters/grpc/grpc_server_owner.h), CMake only:
#
#   orderly::grpc   header-only; links gRPC::grpc++ (Debian's libgrpc++-dev);
#                   installed as find_package(orderly COMPONENTS grpc)
#
# Debian's gRPC is linked against Debian's Abseil shared libraries, so this
# adapter exists only where orderly uses that same Abseil: the default
# build (find_package(absl)), never ORDERLY_DEPS_FROM_SOURCE=ON, which
# would put a second Abseil into every binary that links gRPC (an ODR
# violation). For the same reason the Bazel build, which compiles Abseil
# from source, has no gRPC target (adapters/grpc/grpc_server_owner.h says
# what a user must match).
#
#   ORDERLY_WITH_GRPC   AUTO (default: when find_package(gRPC) finds it),
#                       ON (required) or OFF.
#
# With tests on, tests/adapters/grpc/ generates its protos with protoc and
# grpc_cpp_plugin and adds the test //tests/adapters/grpc:grpc_server_owner_test.

include_guard(GLOBAL)

set(ORDERLY_WITH_GRPC AUTO CACHE STRING "Build the gRPC adapter: AUTO, ON, OFF")
set_property(CACHE ORDERLY_WITH_GRPC PROPERTY STRINGS AUTO ON OFF)

set(ORDERLY_HAVE_GRPC FALSE)
if(NOT ORDERLY_WITH_GRPC STREQUAL "OFF")
  if(ORDERLY_DEPS_FROM_SOURCE)
    if(ORDERLY_WITH_GRPC STREQUAL "ON")
      message(FATAL_ERROR "ORDERLY_WITH_GRPC=ON needs the Abseil that gRPC "
        "links (ORDERLY_DEPS_FROM_SOURCE=OFF): two Abseils in one binary are "
        "an ODR violation")
    endif()
    message(STATUS "orderly: no gRPC adapter (ORDERLY_DEPS_FROM_SOURCE=ON "
      "builds its own Abseil; gRPC links Debian's)")
  else()
    if(ORDERLY_WITH_GRPC STREQUAL "ON")
      find_package(gRPC CONFIG REQUIRED)
    else()
      find_package(gRPC CONFIG QUIET)
    endif()
    if(gRPC_FOUND)
      set(ORDERLY_HAVE_GRPC TRUE)
      message(STATUS "orderly: gRPC adapter (gRPC ${gRPC_VERSION})")
    else()
      message(STATUS "orderly: no gRPC adapter (find_package(gRPC) failed; "
        "Debian: apt-get install libgrpc++-dev protobuf-compiler-grpc)")
    endif()
  endif()
endif()

if(ORDERLY_HAVE_GRPC)
  add_library(orderly_adapters_grpc INTERFACE)
  orderly_adapter(grpc orderly_adapters_grpc
    "${PROJECT_SOURCE_DIR}/adapters/grpc/grpc_server_owner.h")
  target_include_directories(orderly_adapters_grpc INTERFACE
    "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>"
    "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/orderly>")
  target_compile_features(orderly_adapters_grpc INTERFACE cxx_std_17)
  target_link_libraries(orderly_adapters_grpc INTERFACE
    orderly_runtime gRPC::grpc++ absl::status absl::statusor absl::strings
    absl::time)
endif()

if(ORDERLY_HAVE_GRPC AND ORDERLY_BUILD_TESTS)
  find_package(Protobuf REQUIRED)
  find_program(ORDERLY_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
  set(_dir "${PROJECT_SOURCE_DIR}/tests/adapters/grpc")
  set(_out "${PROJECT_BINARY_DIR}/generated/tests/adapters/grpc")
  file(MAKE_DIRECTORY "${_out}")
  set(_generated "")
  foreach(_proto echo health)
    set(_files "${_out}/${_proto}.pb.cc" "${_out}/${_proto}.pb.h"
      "${_out}/${_proto}.grpc.pb.cc" "${_out}/${_proto}.grpc.pb.h")
    add_custom_command(OUTPUT ${_files}
      COMMAND protobuf::protoc -I "${_dir}" --cpp_out "${_out}"
        --grpc_out "${_out}"
        "--plugin=protoc-gen-grpc=${ORDERLY_GRPC_CPP_PLUGIN}"
        "${_dir}/${_proto}.proto"
      DEPENDS "${_dir}/${_proto}.proto"
      COMMENT "protoc: tests/adapters/grpc/${_proto}.proto")
    list(APPEND _generated ${_files})
  endforeach()
  # Generated code: compiled without orderly's warnings.
  add_library(orderly_tests_adapters_grpc_protos STATIC ${_generated})
  target_include_directories(orderly_tests_adapters_grpc_protos PUBLIC
    "${PROJECT_BINARY_DIR}/generated")
  target_link_libraries(orderly_tests_adapters_grpc_protos PUBLIC
    gRPC::grpc++ protobuf::libprotobuf)

  add_executable(orderly_tests_adapters_grpc_server_owner_main
    tests/adapters/grpc/grpc_server_owner_main.cc)
  target_link_libraries(orderly_tests_adapters_grpc_server_owner_main PRIVATE
    orderly_adapters_grpc orderly_tests_adapters_grpc_protos
    orderly_tests_adapters_end_modes orderly_managed_thread orderly_main_guard
    orderly_tools_sanitizer_defaults absl::synchronization)
  _orderly_warnings(orderly_tests_adapters_grpc_server_owner_main)

  add_executable(orderly_tests_adapters_grpc_server_owner_test
    tests/adapters/grpc/grpc_server_owner_test.cc)
  target_link_libraries(orderly_tests_adapters_grpc_server_owner_test PRIVATE
    orderly_adapters_grpc orderly_tests_adapters_grpc_protos
    orderly_tests_adapters_adapter_test_util orderly_tools_sanitizer_defaults
    GTest::gmock)
  _orderly_warnings(orderly_tests_adapters_grpc_server_owner_test)
  add_dependencies(orderly_tests_adapters_grpc_server_owner_test
    orderly_tests_adapters_grpc_server_owner_main)
  set(_tmp "${PROJECT_BINARY_DIR}/test_tmp/grpc_server_owner_test")
  file(MAKE_DIRECTORY "${_tmp}")
  add_test(NAME //tests/adapters/grpc:grpc_server_owner_test
    COMMAND orderly_tests_adapters_grpc_server_owner_test
      $<TARGET_FILE:orderly_tests_adapters_grpc_server_owner_main>)
  set_tests_properties(//tests/adapters/grpc:grpc_server_owner_test PROPERTIES
    TIMEOUT 120 ENVIRONMENT "TEST_TMPDIR=${_tmp};${ORDERLY_TEST_ENV}")
endif()
