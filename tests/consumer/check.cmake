# Installs the built minitf into a scratch prefix, then builds and runs the
# consumer project twice: through find_package and through add_subdirectory.
# Run with: cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DFLAGS=... -DLINK_FLAGS=... -P check.cmake
file(REMOVE_RECURSE ${WORK_DIR})
# Keep the sanitizer flags (the library objects need them) but not -Werror: the
# consumer builds at -O3, where GCC 12 warns falsely inside libstdc++'s
# std::string (-Wrestrict, GCC bug 105329).
string(REPLACE "-Werror" "" FLAGS "${FLAGS}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
# The kernel interface is public (the extension point), its implementation is
# not: no installed header may pull in oneDNN, Eigen, spdlog or protobuf.
if(NOT EXISTS ${WORK_DIR}/prefix/include/minitf/kernels/kernel.h)
  message(FATAL_ERROR "the extension point's kernel header was not installed")
endif()
file(GLOB_RECURSE installed_headers ${WORK_DIR}/prefix/include/minitf/*.h)
foreach(header IN LISTS installed_headers)
  file(STRINGS ${header} leaks REGEX "#include <(oneapi|dnnl|Eigen|unsupported|spdlog|google)")
  if(leaks)
    message(FATAL_ERROR "${header} includes a third-party header: ${leaks}")
  endif()
endforeach()
foreach(mode IN ITEMS find_package add_subdirectory)
  set(args -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/${mode} -G Ninja
      -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS=${FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}")
  if(mode STREQUAL "find_package")
    list(APPEND args -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
  else()
    list(APPEND args -DMINITF_SOURCE_DIR=${SOURCE_DIR})
  endif()
  run(${CMAKE_COMMAND} ${args})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/${mode})
  run(${WORK_DIR}/${mode}/consumer)
endforeach()
