# Fails when any C source or header differs from clang-format's output.
file(GLOB_RECURSE files ${ROOT}/include/*.h ${ROOT}/src/*.[ch] ${ROOT}/tools/*.[ch]
     ${ROOT}/tests/*.[ch] ${ROOT}/fuzz/*.[ch] ${ROOT}/bench/*.[ch])
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: files need formatting (run `make format`):\n${err}")
endif()
