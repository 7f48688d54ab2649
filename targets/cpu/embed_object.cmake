# Writes OUTPUT, a C++ source defining conflux::targets::cpu::NAME, the bytes of the file OBJECT,
# and NAME##Size, their count (cmake -DOBJECT=... -DOUTPUT=... -DNAME=... -P embed_object.cmake).
file(READ "${OBJECT}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR size "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}"
     "// The bytes of ${OBJECT}, written by targets/cpu/embed_object.cmake. Generated; do not edit.\n"
     "#include <cstddef>\n\nnamespace conflux::targets::cpu {\n\n"
     "extern const unsigned char ${NAME}[] = {${bytes}};\n"
     "extern const std::size_t ${NAME}Size = ${size};\n\n}  // namespace conflux::targets::cpu\n")
