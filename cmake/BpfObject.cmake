# bpf_object(NAME SOURCE HEADERS...): compiles a CO-RE BPF program with clang and generates
# its libbpf skeleton (NAME.skel.h) with bpftool. vmlinux.h is dumped from the build machine's
# BTF once; CO-RE relocations make the object run on other kernels.
find_program(BPFTOOL_EXECUTABLE NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
find_program(BPF_CLANG_EXECUTABLE NAMES clang clang-14 REQUIRED)

set(VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "Kernel BTF used to generate vmlinux.h")
set(BPF_GENERATED_DIR ${CMAKE_BINARY_DIR}/bpf-generated)
file(MAKE_DIRECTORY ${BPF_GENERATED_DIR})

add_custom_command(
  OUTPUT ${BPF_GENERATED_DIR}/vmlinux.h
  COMMAND ${BPFTOOL_EXECUTABLE} btf dump file ${VMLINUX_BTF} format c > ${BPF_GENERATED_DIR}/vmlinux.h.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${BPF_GENERATED_DIR}/vmlinux.h.tmp ${BPF_GENERATED_DIR}/vmlinux.h
  COMMENT "Generating vmlinux.h from ${VMLINUX_BTF}"
  VERBATIM)

# bpf_object(NAME SOURCES file.bpf.c... [HEADERS header...]): each source is compiled on its
# own, then all are linked into one object (bpftool gen object) so that they share maps and
# global functions, and the skeleton NAME.skel.h is generated from it.
function(bpf_object name)
  cmake_parse_arguments(BPF "" "" "SOURCES;HEADERS" ${ARGN})
  set(linked ${BPF_GENERATED_DIR}/${name}.bpf.o)
  set(skeleton ${BPF_GENERATED_DIR}/${name}.skel.h)
  execute_process(COMMAND uname -m OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REPLACE "x86_64" "x86" arch ${arch})
  string(REPLACE "aarch64" "arm64" arch ${arch})
  set(objects)
  foreach(source IN LISTS BPF_SOURCES)
    get_filename_component(stem ${source} NAME_WE)
    set(object ${BPF_GENERATED_DIR}/${name}.${stem}.o)
    add_custom_command(
      OUTPUT ${object}
      COMMAND ${BPF_CLANG_EXECUTABLE} -O2 -g -target bpf -D__TARGET_ARCH_${arch}
              -Wall -Wno-unused-function
              -I${BPF_GENERATED_DIR} -I${CMAKE_CURRENT_SOURCE_DIR}
              -c ${CMAKE_CURRENT_SOURCE_DIR}/${source} -o ${object}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${source} ${BPF_GENERATED_DIR}/vmlinux.h ${BPF_HEADERS}
      COMMENT "Compiling BPF program ${source}"
      VERBATIM)
    list(APPEND objects ${object})
  endforeach()
  add_custom_command(
    OUTPUT ${linked}
    COMMAND ${BPFTOOL_EXECUTABLE} gen object ${linked} ${objects}
    DEPENDS ${objects}
    COMMENT "Linking BPF object ${name}.bpf.o"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skeleton}
    COMMAND ${BPFTOOL_EXECUTABLE} gen skeleton ${linked} name ${name} > ${skeleton}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skeleton}.tmp ${skeleton}
    DEPENDS ${linked}
    COMMENT "Generating BPF skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${name}_skel DEPENDS ${skeleton})
endfunction()
