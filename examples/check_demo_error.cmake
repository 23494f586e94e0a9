# Runs the demo with bad arguments and requires what a user should see:
# exit code 1 and a single line on stderr that starts with "image_filter: "
# and contains EXPECT.  cmake -DDEMO=... -DARGS="a;b" -DEXPECT=... -P this
execute_process(COMMAND ${DEMO} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                WORKING_DIRECTORY ${WORK_DIR})
string(STRIP "${err}" err)
string(FIND "${err}" "\n" newline)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "exit code ${rc} (want 1); stderr: ${err}")
endif()
if(NOT newline EQUAL -1)
  message(FATAL_ERROR "more than one line on stderr: ${err}")
endif()
string(FIND "${err}" "image_filter: " prefix)
string(FIND "${err}" "${EXPECT}" found)
if(NOT prefix EQUAL 0 OR found EQUAL -1)
  message(FATAL_ERROR "stderr '${err}' does not start with 'image_filter: ' and contain '${EXPECT}'")
endif()
