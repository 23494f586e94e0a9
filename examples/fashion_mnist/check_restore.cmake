# Trains briefly, then evaluates the saved checkpoint in a fresh process: both
# must report the same test accuracy, and it must be above MIN_ACCURACY.
# cmake -DPROGRAM=... -DARGS="a;b" -DCHECKPOINT=... -DMIN_ACCURACY=0.6 -DWORK_DIR=... -P this
execute_process(COMMAND ${PROGRAM} ${ARGS} --checkpoint ${CHECKPOINT} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${WORK_DIR})
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "training exited with ${rc}")
endif()
if(NOT out MATCHES "final test accuracy ([0-9.]+)")
  message(FATAL_ERROR "no final test accuracy in the output")
endif()
set(trained ${CMAKE_MATCH_1})
execute_process(COMMAND ${PROGRAM} --restore --checkpoint ${CHECKPOINT} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${WORK_DIR})
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the restoring process exited with ${rc}")
endif()
if(NOT out MATCHES "test accuracy ([0-9.]+)")
  message(FATAL_ERROR "no test accuracy in the restoring process's output")
endif()
set(restored ${CMAKE_MATCH_1})
if(NOT trained STREQUAL restored)
  message(FATAL_ERROR "accuracy after training ${trained} differs from the restored checkpoint's ${restored}")
endif()
if(trained LESS MIN_ACCURACY)
  message(FATAL_ERROR "test accuracy ${trained} is below ${MIN_ACCURACY}")
endif()
