"""Read what a packaging check needs from an ELF shared object, in pure Python.

Section names (are there debug sections?), the libraries it needs (DT_NEEDED)
and the symbol versions it needs from each (``.gnu.version_r``, e.g. GLIBC_2.14
from libc.so.6): the facts auditwheel bases a manylinux tag on.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Dict, List, Set

_SHT_DYNAMIC = 6
_SHT_GNU_VERNEED = 0x6FFFFFFE
_DT_NEEDED = 1


@dataclass
class ElfInfo:
    """What one ELF file says about its sections and dynamic dependencies."""

    sections: List[str]
    needed: List[str]
    versions: Dict[str, Set[str]] = field(default_factory=dict)  # library -> versions needed


def is_elf(path) -> bool:
    """Whether the file starts with the ELF magic number."""
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def read(path) -> ElfInfo:
    """Parse ``path``; ValueError if it is not a well-formed ELF file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or len(data) < 64:
        raise ValueError(f"{path}: not an ELF file")
    wide = {1: False, 2: True}[data[4]]
    order = {1: "<", 2: ">"}[data[5]]
    if wide:
        shoff, = struct.unpack_from(order + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", data, 0x3A)
        section = struct.Struct(order + "IIQQQQIIQQ")
    else:
        shoff, = struct.unpack_from(order + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", data, 0x2E)
        section = struct.Struct(order + "IIIIIIIIII")
    # (name, type, offset, size, link, info) of each section header
    headers = []
    for i in range(shnum):
        name, kind, _flags, _addr, offset, size, link, info, _align, _entsize = section.unpack_from(
            data, shoff + i * shentsize)
        headers.append((name, kind, offset, size, link, info))

    def string(table: int, at: int) -> str:
        start = headers[table][2] + at
        return data[start:data.index(b"\0", start)].decode("utf-8", "replace")

    names = [string(shstrndx, h[0]) for h in headers]
    needed: List[str] = []
    versions: Dict[str, Set[str]] = {}
    for _name, kind, offset, size, link, info in headers:
        if kind == _SHT_DYNAMIC:
            entry = struct.Struct(order + ("qQ" if wide else "iI"))
            for at in range(offset, offset + size, entry.size):
                tag, value = entry.unpack_from(data, at)
                if tag == _DT_NEEDED:
                    needed.append(string(link, value))
        elif kind == _SHT_GNU_VERNEED:
            at = offset
            for _ in range(info):  # info: how many libraries
                _version, count, file_at, aux, next_at = struct.unpack_from(order + "HHIII", data, at)
                library = versions.setdefault(string(link, file_at), set())
                aux_at = at + aux
                for _ in range(count):
                    _hash, _flags, _other, name_at, aux_next = struct.unpack_from(order + "IHHII", data, aux_at)
                    library.add(string(link, name_at))
                    aux_at += aux_next
                at += next_at
    return ElfInfo(names, needed, versions)
