# Writes OUT, a C file holding each migration of SQL_DIR (NNN_name.sql, in
# order) as a string, for escd to apply without finding files at run time.
# Run as: cmake -DOUT=file.c -DSQL_DIR=dir -P embed.cmake
# The texts go to a section of their own, escd_migrations, which the
# linker places after .rodata, beside the unwind tables: escd run never
# reads them, and there, rather than among the strings it does read, the
# kernel does not map them in with their neighbours (it maps a file's
# pages in 64 kB at a time). ~60 kB of escd's idle memory.
set(body "/* Generated from sql/ by sql/embed.cmake; do not edit. */\n#include \"migrate.h\"\n\n")
string(APPEND body "#define COLD __attribute__((section(\"escd_migrations\")))\n\n")
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
  string(APPEND body "COLD static const char sql_${count}[] = {${hex} 0x00};\n")
  string(APPEND table "    { ${version}, \"${name}\", sql_${count} },\n")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND table "};\nconst size_t migration_count = ${count};\n")
file(WRITE ${OUT} "${body}\n${table}")
