#!/usr/bin/python3
"""Marks one symbol-version need of an ELF64 shared library WEAK (VER_FLG_WEAK, 0x2 on its Vernaux entry), in place.

    python3 weaken_verneed.py path/to/libLibTorchSharp.so GLIBCXX_3.4.32

TorchSharp's libLibTorchSharp.so is linked against a libstdc++ newer than Debian 12's, which lacks GLIBCXX_3.4.32; the
only symbol bound to that version is std::ios_base_library_init, which is never called. A weak version need lets the
dynamic loader accept the library anyway (glibc only reports a missing weak version under LD_DEBUG). Idempotent; a
library without that need is left alone.
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def weaken(path, version):
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            sys.exit(f"{path}: not a little-endian ELF64 file")
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
        changed = found = 0
        for _, sh_type, _, _, off, _, link, info, _, _ in sections:
            if sh_type != SHT_GNU_VERNEED:
                continue
            stroff = sections[link][4]

            def name(o):
                end = data.index(b"\0", stroff + o)
                return data[stroff + o:end].decode()

            vn = off
            for _ in range(info):
                _, cnt, vn_file, aux, nxt = struct.unpack_from("<HHIII", data, vn)
                va = vn + aux
                for _ in range(cnt):
                    _, flags, _, vna_name, vna_next = struct.unpack_from("<IHHII", data, va)
                    if name(vna_name) == version:
                        found += 1
                        if not flags & VER_FLG_WEAK:
                            struct.pack_into("<H", data, va + 4, flags | VER_FLG_WEAK)
                            changed += 1
                        print(f"{path}: {name(vn_file)} {version} marked weak" if changed else f"{path}: {version} already weak")
                    va += vna_next
                    if vna_next == 0:
                        break
                vn += nxt
                if nxt == 0:
                    break
        if not found:
            print(f"{path}: no need for {version}; left alone")
        if changed:
            f.seek(0)
            f.write(data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    weaken(sys.argv[1], sys.argv[2])
