# Runs detect_faces and checks what a user sees, including the exit code
# (which a test with PASS_REGULAR_EXPRESSION alone does not look at):
#   -DRC=0: exit code 0, stdout matches the regular expression EXPECT, and
#           the file PNG exists and starts with PNG's signature;
#   -DRC=1: exit code 1 and a single line on stderr that starts with
#           "detect_faces: " and contains the text EXPECT.
# cmake -DPROGRAM=... -DARGS="a;b" -DRC=0|1 -DEXPECT=... [-DPNG=...] -DWORK_DIR=... -P check_run.cmake
if(DEFINED PNG)
  file(REMOVE "${PNG}")
endif()
execute_process(COMMAND ${PROGRAM} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                WORKING_DIRECTORY ${WORK_DIR})
string(STRIP "${err}" err)
if(NOT rc EQUAL RC)
  message(FATAL_ERROR "exit code ${rc} (want ${RC}); stdout: ${out}; stderr: ${err}")
endif()
if(RC EQUAL 0)
  if(NOT out MATCHES "${EXPECT}")
    message(FATAL_ERROR "stdout does not match '${EXPECT}':\n${out}")
  endif()
  if(NOT EXISTS "${PNG}")
    message(FATAL_ERROR "no file ${PNG}")
  endif()
  file(READ "${PNG}" signature LIMIT 8 HEX)
  if(NOT signature STREQUAL "89504e470d0a1a0a")
    message(FATAL_ERROR "${PNG} is not a PNG (starts with ${signature})")
  endif()
else()
  string(FIND "${err}" "\n" newline)
  string(FIND "${err}" "detect_faces: " prefix)
  string(FIND "${err}" "${EXPECT}" found)
  if(NOT newline EQUAL -1 OR NOT prefix EQUAL 0 OR found EQUAL -1)
    message(FATAL_ERROR "stderr '${err}' is not one line starting with 'detect_faces: ' and containing '${EXPECT}'")
  endif()
endif()
