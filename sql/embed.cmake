# Writes OUT, a C file holding each migration of SQL_DIR (NNN_name.sql, in
# order) as a string, for escd to apply without finding files at run time.
# Run as: cmake -DOUT=file.c -DSQL_DIR=dir -P embed.cmake
set(body "/* Generated from sql/ by sql/embed.cmake; do not edit. */\n#include \"migrate.h\"\n\n")
set(table "const migration_t migrations[] = {\n")
set(count 0)
file(GLOB FILES ${SQL_DIR}/[0-9][0-9][0-9]_*.sql)
list(SORT FILES)
foreach(f IN LISTS FILES)
  get_filename_component(name ${f} NAME)
  string(SUBSTRING ${name} 0 3 version)
  math(EXPR version "${version}")  # drop leading zeros
  file(READ ${f} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "static const char sql_${count}[] = {${hex} 0x00};\n")
  string(APPEND table "    { ${version}, \"${name}\", sql_${count} },\n")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND table "};\nconst size_t migration_count = ${count};\n")
file(WRITE ${OUT} "${body}\n${table}")
