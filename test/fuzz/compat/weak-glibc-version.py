#!/usr/bin/python3
"""Copies an ELF64 shared object, marking some of its symbol-version needs as weak.

Usage: weak-glibc-version.py SRC DST VERSION...   (e.g. GLIBC_2.38 GLIBCXX_3.4.32)

The dynamic loader refuses a library that needs a symbol version its libc / libstdc++ does
not define, unless that need is flagged VER_FLG_WEAK; then it loads, and the symbols of that
version are resolved from any object that defines them (glibc-compat.cpp, preloaded). Used by
scripts/fuzz.sh for the prebuilt Jazzer.js addon on systems older than the one it was built on.
Prints the versions it marked.
"""
import struct
import sys

VER_FLG_WEAK = 0x2
SHT_GNU_VERNEED = 0x6FFFFFFE


def patch(src, dst, versions):
    b = bytearray(open(src, 'rb').read())
    if b[:4] != b'\x7fELF' or b[4] != 2 or b[5] != 1:
        sys.exit(f'{src}: not a 64-bit little-endian ELF file')
    shoff, = struct.unpack_from('<Q', b, 0x28)
    shentsize, shnum, _ = struct.unpack_from('<HHH', b, 0x3A)
    secs = [struct.unpack_from('<IIQQQQIIQQ', b, shoff + i * shentsize) for i in range(shnum)]
    marked = []
    for s in secs:
        if s[1] != SHT_GNU_VERNEED:
            continue
        off, link, count = s[4], s[6], s[7]
        strtab = secs[link][4]

        def name(o):
            start = strtab + o
            return b[start:b.index(0, start)].decode()

        p = off
        for _ in range(count):
            _, vn_cnt, _, vn_aux, vn_next = struct.unpack_from('<HHIII', b, p)
            a = p + vn_aux
            for _ in range(vn_cnt):
                _, flags, _, vna_name, vna_next = struct.unpack_from('<IHHII', b, a)
                if name(vna_name) in versions:
                    struct.pack_into('<H', b, a + 4, flags | VER_FLG_WEAK)
                    marked.append(name(vna_name))
                if not vna_next:
                    break
                a += vna_next
            if not vn_next:
                break
            p += vn_next
    open(dst, 'wb').write(b)
    return marked


if __name__ == '__main__':
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    print(' '.join(patch(sys.argv[1], sys.argv[2], set(sys.argv[3:]))))
