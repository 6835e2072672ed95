#!/usr/bin/python3
"""Writes small .npy/.npz files with numpy itself, for Mlp's reader tests (see tools/make_fixtures.sh).

Values follow formulas the C# tests recompute: base(n) = arange(n) * 0.5 - 1.
"""
import os
import sys

import numpy as np
from numpy.lib import format as npf


def base(n, dtype):
    return (np.arange(n) * 0.5 - 1).astype(dtype)


def main(out):
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)
    np.save(p("f4_2x3.npy"), base(6, "<f4").reshape(2, 3))
    np.save(p("f8_5.npy"), base(5, "<f8"))
    np.save(p("i8_labels.npy"), np.arange(10, dtype="<i8") % 7 - 2)
    np.save(p("i4_2x2x2.npy"), (np.arange(8, dtype="<i4") - 4).reshape(2, 2, 2))
    np.save(p("u1_3x4.npy"), (np.arange(12) * 21).astype("|u1").reshape(3, 4))
    np.save(p("f4_scalar.npy"), np.float32(-1.5))
    np.save(p("f4_0x3.npy"), np.zeros((0, 3), dtype="<f4"))
    for version in ((2, 0), (3, 0)):
        with open(p(f"f4_2x3_v{version[0]}.npy"), "wb") as f:
            npf.write_array(f, base(6, "<f4").reshape(2, 3), version=version)
    # Refused kinds.
    np.save(p("fortran_2x3.npy"), np.asfortranarray(base(6, "<f4").reshape(2, 3)))
    np.save(p("bigendian_f4.npy"), base(4, ">f4"))
    np.save(p("object.npy"), np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    np.save(p("structured.npy"), np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
    np.save(p("c8.npy"), np.zeros(2, dtype="<c8"))
    # Archives, stored and deflated, with several dtypes.
    arrays = dict(a=base(6, "<f4").reshape(3, 2), labels=np.arange(4, dtype="<i8"), pixels=np.arange(5, dtype="|u1"),
                  scalar=np.float64(2.5))
    np.savez(p("stored.npz"), **arrays)
    np.savez_compressed(p("deflated.npz"), **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
