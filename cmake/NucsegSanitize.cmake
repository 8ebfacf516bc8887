# NUCSEG_SANITIZE=ON builds everything with ASan + UBSan (CI does this once per run).
if(NUCSEG_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  foreach(flag ${_san})
    add_compile_options($<$<COMPILE_LANGUAGE:CXX>:${flag}>)
    add_link_options(${flag})
  endforeach()
endif()
