# What `cmake --install` puts under the prefix:
#   include/orderly/{runtime,blocks,render,hooks,sanitizers,adapters}/...  the headers
#       (-I<prefix>/include/orderly; #include "runtime/runtime.h" as in Bazel)
#   lib/liborderly_<name>.a                 one static library per target
#   lib/cmake/orderly/orderlyConfig.cmake   find_package(orderly): orderly::<name>
#   lib/cmake/orderly/orderly_<adapter>Targets.cmake
#                                           find_package(orderly COMPONENTS asio
#                                           spdlog zmq grpc): orderly::<adapter>
#   lib/cmake/orderly/orderlyConfigVersion.cmake
#   lib/pkgconfig/orderly.pc                pkg-config --cflags --libs orderly
#   share/orderly/tsan.supp                 TSAN_OPTIONS=suppressions=... (docs/sanitizers.md)
#   share/doc/orderly/{LICENSE,CHANGELOG.md,README.md}

include(CMakePackageConfigHelpers)

get_property(_targets GLOBAL PROPERTY ORDERLY_INSTALLED_TARGETS)
get_property(_headers GLOBAL PROPERTY ORDERLY_INSTALLED_HEADERS)
set(_cmakedir "${CMAKE_INSTALL_LIBDIR}/cmake/orderly")

install(TARGETS ${_targets} EXPORT orderlyTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/orderly")
foreach(_header IN LISTS _headers)
  get_filename_component(_dir "${_header}" DIRECTORY)
  install(FILES "${PROJECT_SOURCE_DIR}/${_header}"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/orderly/${_dir}")
endforeach()
install(EXPORT orderlyTargets NAMESPACE orderly:: DESTINATION "${_cmakedir}")

# The adapters: one export file each, orderly_<name>Targets.cmake, loaded
# only when find_package(orderly COMPONENTS <name>) asks for it, so that a
# user of the core needs none of the adapters' libraries. An adapter's
# //system:<lib> target (the library's link flags and defines) goes with it.
get_property(ORDERLY_INSTALLED_ADAPTERS GLOBAL PROPERTY ORDERLY_ADAPTERS)
foreach(_adapter IN LISTS ORDERLY_INSTALLED_ADAPTERS)
  get_property(_target GLOBAL PROPERTY ORDERLY_ADAPTER_${_adapter}_TARGET)
  get_property(_adapter_headers GLOBAL PROPERTY ORDERLY_ADAPTER_${_adapter}_HEADERS)
  get_target_property(_libs ${_target} INTERFACE_LINK_LIBRARIES)
  set(_adapter_targets ${_target})
  foreach(_lib IN LISTS _libs)
    if(_lib MATCHES "^orderly_system_")
      string(REGEX REPLACE "^orderly_" "" _short "${_lib}")
      set_target_properties(${_lib} PROPERTIES EXPORT_NAME ${_short})
      list(APPEND _adapter_targets ${_lib})
    endif()
  endforeach()
  install(TARGETS ${_adapter_targets} EXPORT orderly_${_adapter}Targets)
  install(EXPORT orderly_${_adapter}Targets NAMESPACE orderly::
    DESTINATION "${_cmakedir}")
  foreach(_header IN LISTS _adapter_headers)
    get_filename_component(_dir "${_header}" DIRECTORY)
    install(FILES "${PROJECT_SOURCE_DIR}/${_header}"
      DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/orderly/${_dir}")
  endforeach()
endforeach()

configure_package_config_file(cmake/orderlyConfig.cmake.in
  "${PROJECT_BINARY_DIR}/orderlyConfig.cmake" INSTALL_DESTINATION "${_cmakedir}"
  PATH_VARS CMAKE_INSTALL_DATADIR)
# 0.y.z: a new minor version may break the API (docs/stability.md).
write_basic_package_version_file("${PROJECT_BINARY_DIR}/orderlyConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/orderlyConfig.cmake"
  "${PROJECT_BINARY_DIR}/orderlyConfigVersion.cmake" DESTINATION "${_cmakedir}")

# orderly.pc: every library, dependents first; the alwayslink ones (whose
# objects nothing references by name) whole.
set(ORDERLY_PC_LIBS "")
foreach(_target IN LISTS ORDERLY_LINK_ORDER)
  if(_target STREQUAL "orderly_tsan_suppressions")
    continue()  # Opt-in (docs/sanitizers.md): it defines a TSan hook.
  endif()
  get_target_property(_libs ${_target} INTERFACE_LINK_LIBRARIES)
  set(_whole FALSE)
  foreach(_other IN LISTS ORDERLY_LINK_ORDER)
    get_target_property(_other_libs ${_other} INTERFACE_LINK_LIBRARIES)
    if(_other_libs MATCHES "WHOLE_ARCHIVE,${_target}>")
      set(_whole TRUE)
    endif()
  endforeach()
  if(_whole)
    string(APPEND ORDERLY_PC_LIBS " -Wl,--whole-archive -l${_target} -Wl,--no-whole-archive")
  else()
    string(APPEND ORDERLY_PC_LIBS " -l${_target}")
  endif()
endforeach()
set(ORDERLY_PC_REQUIRES "")
foreach(_dep IN LISTS ORDERLY_ABSL_DEPS)
  string(REPLACE "absl::" "absl_" _dep "${_dep}")
  list(APPEND ORDERLY_PC_REQUIRES "${_dep}")
endforeach()
list(JOIN ORDERLY_PC_REQUIRES ", " ORDERLY_PC_REQUIRES)
# Relocatable: the prefix is found from the .pc file's own place, so that
# `cmake --install --prefix <any>` works after configuring with another.
file(RELATIVE_PATH ORDERLY_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" ORDERLY_PC_TO_PREFIX "${ORDERLY_PC_TO_PREFIX}")
configure_file(cmake/orderly.pc.in "${PROJECT_BINARY_DIR}/orderly.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/orderly.pc"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")

install(FILES sanitizers/tsan.supp DESTINATION "${CMAKE_INSTALL_DATADIR}/orderly")
install(FILES LICENSE CHANGELOG.md README.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
