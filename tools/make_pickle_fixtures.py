#!/usr/bin/python3
"""Makes the small pickle fixtures in tests/fixtures/pickle/ that tests/Unit/Data and tests/Properties/Fuzz read.

Run from anywhere with Debian's Python and numpy:  /usr/bin/python3 tools/make_pickle_fixtures.py
Output is deterministic (gzip mtime 0), so re-running leaves git clean unless this script changed.

The good fixtures hold real pixels: the first 10 images of the embedded Fashion-MNIST test split
(data/fashion-mnist), read here with numpy alone, as float32 / 255 and int64 labels, split 6/2/2 like
((x_train, y_train), (x_valid, y_valid), (x_test, y_test)).

How the Python-2-style pickle is made: the lesson's mnist.pkl.gz was written by Python 2, where an array's
raw data and every string are `str` (pickled as BINSTRING / SHORT_BINSTRING, i.e. bytes that Python 3 reads
back as latin-1 text with encoding='latin-1'), and numpy pickled a dtype as dtype('f4', 0, 1) with ints.
Python 3's pure-Python pickler (pickle._Pickler) is subclassed so that both `bytes` and `str` are written as
those Python 2 string opcodes, and a reducer_override emits dtype('f4', 0, 1). The script checks that the
result contains no Python 3 opcodes (BINUNICODE, BINBYTES, _codecs.encode) and that
pickle.loads(..., encoding='latin-1') gives back the same arrays, exactly as the lesson loads its file.
"""
import gzip
import io
import os
import pickle
import pickletools
import struct

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "pickle")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">i", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "i" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Py2StylePickler(pickle._Pickler):
    """Writes bytes and str as Python 2 `str` (SHORT_BINSTRING / BINSTRING) and dtypes as dtype('f4', 0, 1)."""
    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, obj):
        data = obj if isinstance(obj, bytes) else obj.encode("latin-1")
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str
    dispatch[str] = save_py2_str

    def reducer_override(self, obj):
        if isinstance(obj, np.dtype):
            cls, args, state = obj.__reduce__()
            return cls, (args[0], 0, 1), state
        return NotImplemented


def py2_style_dumps(obj):
    buf = io.BytesIO()
    Py2StylePickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


class Lying:
    """An array pickle whose state claims a shape far larger than its data."""

    def __init__(self, shape, dtype, data):
        self.shape, self.dtype, self.data = shape, dtype, data

    def __reduce__(self):
        return (np.core.multiarray._reconstruct, (np.ndarray, (0,), b"b"),
                (1, self.shape, self.dtype, False, self.data))


class Evil:
    """What a malicious pickle looks like: unpickling it in Python would run a shell command."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def write(name, payload):
    data = gzip.compress(payload, mtime=0) if name.endswith(".gz") else payload
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def splits_of(x, y, cut=(6, 8)):
    a, b = cut
    return ((x[:a], y[:a]), (x[a:b], y[a:b]), (x[b:], y[b:]))


def main():
    os.makedirs(OUT, exist_ok=True)
    images = read_idx(os.path.join(ROOT, "data", "fashion-mnist", "t10k-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(ROOT, "data", "fashion-mnist", "t10k-labels-idx1-ubyte.gz"))
    x = images[:10].reshape(10, 784).astype(np.float32) / np.float32(255)
    y = labels[:10].astype(np.int64)
    good = splits_of(x, y)

    # --- readable
    p2 = pickle.dumps(good, protocol=2)
    write("mnist_py3_protocol2.pkl.gz", p2)

    old = py2_style_dumps(good)
    ops = {op.name for op, _, _ in pickletools.genops(old)}
    assert not ops & {"BINUNICODE", "SHORT_BINUNICODE", "BINBYTES", "SHORT_BINBYTES"}, ops
    assert b"_codecs" not in old
    back = pickle.loads(old, encoding="latin-1")
    for (bx, by), (gx, gy) in zip(back, good):
        assert bx.dtype == np.float32 and by.dtype == np.int64
        assert np.array_equal(bx, gx) and np.array_equal(by, gy)
    write("mnist_py2_style.pkl.gz", old)

    write("mnist_py3_protocol4.pkl", pickle.dumps(splits_of(x[:4], y[:4], (2, 3)), protocol=4))

    # Protocol 5 (Python ≥ 3.8 with protocol=5): numpy pickles arrays as _frombuffer(PickleBuffer, dtype, shape,
    # order) with the buffer in-band (BYTEARRAY8).
    p5 = pickle.dumps(good, protocol=5)
    assert {op.name for op, _, _ in pickletools.genops(p5)} >= {"BYTEARRAY8", "STACK_GLOBAL"}
    assert b"_frombuffer" in p5
    write("mnist_py3_protocol5.pkl.gz", p5)

    numpy2 = p2.replace(b"cnumpy.core.multiarray\n_reconstruct\n", b"cnumpy._core.multiarray\n_reconstruct\n")
    assert numpy2 != p2
    write("mnist_numpy2_module.pkl.gz", numpy2)

    write("float64_int32.pkl.gz", pickle.dumps(splits_of(x.astype(np.float64), y.astype(np.int32)), protocol=2))

    # --- tiny but valid: mostly pickle structure, for the fuzzers (tests/Properties/Fuzz/PickleFuzz.cs)
    tx = np.arange(8, dtype=np.float32).reshape(2, 4) / np.float32(8)
    ty = np.array([3, 1], dtype=np.int64)
    write("tiny_py3_protocol2.pkl", pickle.dumps(((tx, ty), (tx, ty), (tx, ty)), protocol=2))
    write("tiny_py2_style.pkl", py2_style_dumps(((tx, ty), (tx, ty), (tx, ty))))
    write("tiny_py3_protocol4.pkl", pickle.dumps(((tx, ty), (tx, ty), (tx, ty)), protocol=4))
    write("tiny_py3_protocol5.pkl", pickle.dumps(((tx, ty), (tx, ty), (tx, ty)), protocol=5))

    # --- refused: tiny arrays, one defect each

    def tiny(x_train=tx, y_train=ty):
        return ((x_train, y_train), (tx, ty), (tx, ty))

    write("fortran_order.pkl.gz", pickle.dumps(tiny(x_train=np.asfortranarray(tx)), protocol=2))
    write("big_endian.pkl.gz", pickle.dumps(tiny(x_train=tx.astype(">f4")), protocol=2))
    write("object_labels.pkl.gz", pickle.dumps(tiny(y_train=ty.astype(object)), protocol=2))
    write("malicious_global.pkl", pickle.dumps(((Evil(), ty), (tx, ty), (tx, ty)), protocol=2))
    write("malicious_stack_global.pkl", pickle.dumps(((Evil(), ty), (tx, ty), (tx, ty)), protocol=4))
    write("counts_disagree.pkl.gz", pickle.dumps(tiny(y_train=ty[:1]), protocol=2))
    write("negative_label.pkl.gz", pickle.dumps(tiny(y_train=np.array([3, -1], dtype=np.int64)), protocol=2))
    write("huge_label.pkl.gz", pickle.dumps(tiny(y_train=np.array([3, 1 << 40], dtype=np.int64)), protocol=2))
    nan = tx.copy()
    nan[1, 2] = np.nan
    write("nan_pixel.pkl.gz", pickle.dumps(tiny(x_train=nan), protocol=2))
    write("x_3d.pkl.gz", pickle.dumps(tiny(x_train=tx.reshape(2, 2, 2)), protocol=2))
    write("float_labels.pkl.gz", pickle.dumps(tiny(y_train=ty.astype(np.float32)), protocol=2))
    write("not_a_tuple.pkl.gz", pickle.dumps({"x_train": tx, "y_train": ty}, protocol=2))
    for label in (4095, 20000, 100000, 2**31 - 1):
        write(f"label_{label}.pkl.gz", pickle.dumps(tiny(y_train=np.array([3, label], dtype=np.int64)), protocol=2))
    write("zero_rows.pkl.gz", pickle.dumps(((tx, ty), (tx[:0], ty[:0]), (tx, ty)), protocol=2))
    write("protocol0.pkl", pickle.dumps(((tx, ty), (tx, ty), (tx, ty)), protocol=0))
    buffers = []
    write("out_of_band_protocol5.pkl", pickle.dumps(((tx, ty), (tx, ty), (tx, ty)), protocol=5, buffer_callback=buffers.append))
    assert buffers
    write("shape_exceeds_data.pkl.gz",
          pickle.dumps(((Lying((1000000, 784), np.dtype(np.float32), tx.tobytes()), ty), (tx, ty), (tx, ty)), protocol=2))


if __name__ == "__main__":
    main()
