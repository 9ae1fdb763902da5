# package_strip.cmake: run by cpack (CPACK_PRE_BUILD_SCRIPTS) on the staged
# package, before it is packed: strips esc and escd as Debian's dh_strip
# does, the symbols and the .comment and .note sections (cpack's own
# CPACK_STRIP_FILES leaves those, and lintian says so).
foreach(binary IN LISTS CPACK_ESC_BINARIES)
  set(path ${CPACK_TEMPORARY_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}/${binary})
  execute_process(
    COMMAND ${CPACK_ESC_STRIP} --remove-section=.comment --remove-section=.note
            --strip-unneeded ${path}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cannot strip ${path} (${CPACK_ESC_STRIP}: ${rc})")
  endif()
endforeach()
