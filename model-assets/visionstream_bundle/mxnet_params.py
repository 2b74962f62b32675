"""Reading MXNet / gluon-cv `.params` files without MXNet.

gluon's `Block.save_parameters` (and `mx.nd.save` of a dict) writes MXNet's NDArray-list format through
`MXNDArraySave` (src/c_api/c_api.cc) -> `NDArray::Save(Stream*, vector<NDArray>, vector<string>)`
(src/ndarray/ndarray.cc). Everything is little-endian (dmlc streams write native x86/ARM order):

    file    = u64 list magic 0x112 (kMXAPINDArrayListMagic), u64 reserved (ignored by MXNet's loader),
              u64 N, N x array, u64 M, M x name                                   (ndarray.cc)
    name    = u64 byte length, UTF-8 bytes; M is N (a dict) or 0 (a list)         (dmlc serializer.h)
    array   = u32 magic: 0xF993FAC9 (NDARRAY_V2_MAGIC) or 0xF993FACA (NDARRAY_V3_MAGIC, written under
              numpy-shape semantics), i32 storage type (0 dense, 1 row_sparse, 2 csr),
              shape, context, i32 type flag, prod(shape) x itemsize data bytes    (NDArray::Save)
    shape   = i32 ndim, ndim x i64 dims                                   (include/mxnet/tuple.h Save)
    context = i32 dev_type (1 cpu, 2 gpu, 3 cpu_pinned, 5 cpu_shared), i32 dev_id (include/mxnet/base.h)
    type flag (3rdparty/mshadow/mshadow/base.h TypeFlag): 0 float32, 1 float64, 2 float16, 3 uint8,
              4 int32, 5 int8, 6 int64, 7 bool, 8 int16, 9 uint16, 10 uint32, 11 uint64, 12 bfloat16

Sparse arrays would carry a storage shape, aux types/shapes and aux data; they are refused (gluon-cv
parameters are dense), as is bfloat16 (numpy has no such dtype). Under V2 an ndim of 0 means an
uninitialised array and nothing follows the shape; under V3 that is ndim -1 (or a -1 dim) while ndim 0
is a scalar. A parameter file has no business holding an uninitialised array, so those are refused too.
Headers older than V2 (V1 0xF993FAC8, and the headerless layout where the first word is ndim) are
refused: gluon-cv's files are V2. The context only says where the array lived when saved; the data is
always the host bytes.

Names are kept exactly as written: `save_parameters` writes the gluon structural names
(`features.0.weight`), while symbol-style saves (`Module.save_params`, `export`) prefix `arg:` / `aux:`.
"""
import os
import struct

import numpy as np

LIST_MAGIC = 0x112
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA
_V1_MAGIC = 0xF993FAC8
_DENSE = 0
_SPARSE = {1: "row_sparse", 2: "csr"}
# MXNet's loader does not check dev_type; any other value here means the parse has gone astray.
_DEVICES = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
_BFLOAT16 = 12
DTYPES = {0: "<f4", 1: "<f8", 2: "<f2", 3: "|u1", 4: "<i4", 5: "|i1", 6: "<i8",
          7: "|b1", 8: "<i2", 9: "<u2", 10: "<u4", 11: "<u8"}
# numpy's own limit on dimensions (NPY_MAXDIMS); a larger ndim can only come from a corrupt file.
MAX_NDIM = 32
# The fewest bytes an array record can take (magic, storage type, ndim): lets an absurd array count
# fail before the loop rather than after reading garbage.
_MIN_ARRAY_BYTES = 12


class ParamsError(ValueError):
    """A `.params` file that is not a dense MXNet NDArray list; says where and what was expected."""

    def __init__(self, path, offset, message):
        super().__init__(f"{path}: at byte {offset}: {message}")
        self.path = path
        self.offset = offset


class _Reader:
    def __init__(self, f, path, size):
        self.f, self.path, self.size, self.offset = f, path, size, 0

    def error(self, message, offset=None):
        return ParamsError(self.path, self.offset if offset is None else offset, message)

    def need(self, n, what):
        left = self.size - self.offset
        if n > left:
            raise self.error(f"file ends early (truncated): {what}: needs {n} bytes, {left} remain")

    def unpack(self, fmt, what):
        n = struct.calcsize(fmt)
        self.need(n, what)
        values = struct.unpack(fmt, self.f.read(n))
        self.offset += n
        return values

    def read_into(self, array, what):
        buf = array.view(np.uint8)
        self.need(buf.size, what)
        if self.f.readinto(buf) != buf.size:
            raise self.error(f"{what}: short read (did the file change while being read?)")
        self.offset += buf.size


def read_params(path):
    """The named arrays of an MXNet `.params` file, in file order, as native-order numpy arrays."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        r = _Reader(f, path, os.fstat(f.fileno()).st_size)
        magic, _reserved = r.unpack("<QQ", "the list header (magic, reserved)")
        if magic != LIST_MAGIC:
            raise r.error(f"expected the NDArray list magic {LIST_MAGIC:#x}, found {magic:#x}: "
                          "not an MXNet .params file", offset=0)
        count, = r.unpack("<Q", "the array count")
        r.need(count * _MIN_ARRAY_BYTES, f"array count {count} (at least {_MIN_ARRAY_BYTES} bytes an array)")
        arrays = [_read_array(r, i) for i in range(count)]
        names = _read_names(r, count)
        if r.offset != r.size:
            raise r.error(f"expected the end of the file after the names, found {r.size - r.offset} "
                          "trailing bytes")
    return dict(zip(names, arrays))


def _read_array(r, i):
    start = r.offset
    magic, = r.unpack("<I", f"array {i} magic")
    if magic not in (V2_MAGIC, V3_MAGIC):
        old = " (the V1 header, from before storage types)" if magic == _V1_MAGIC else ""
        raise r.error(f"array {i}: expected the array magic {V2_MAGIC:#x} (V2) or {V3_MAGIC:#x} (V3), "
                      f"found {magic:#x}{old}", offset=start)
    v3 = magic == V3_MAGIC
    stype, = r.unpack("<i", f"array {i} storage type")
    if stype in _SPARSE:
        raise r.error(f"array {i}: {_SPARSE[stype]} (sparse) storage is not supported; "
                      "only dense arrays are", offset=r.offset - 4)
    if stype != _DENSE:
        raise r.error(f"array {i}: expected storage type 0 (dense), found {stype}", offset=r.offset - 4)
    shape = _read_shape(r, i, v3)
    dev_type, _dev_id = r.unpack("<ii", f"array {i} context (dev_type, dev_id)")
    if dev_type not in _DEVICES:
        raise r.error(f"array {i}: expected a device type in {_DEVICES}, found {dev_type}",
                      offset=r.offset - 8)
    flag, = r.unpack("<i", f"array {i} type flag")
    if flag not in DTYPES:
        what = "bfloat16, which numpy cannot hold" if flag == _BFLOAT16 else "unknown"
        raise r.error(f"array {i}: type flag {flag} ({what}); expected one of {sorted(DTYPES)}",
                      offset=r.offset - 4)
    dtype = np.dtype(DTYPES[flag])
    count = int(np.prod(shape, dtype=object))  # Python ints: an absurd shape cannot overflow
    r.need(count * dtype.itemsize, f"array {i} data ({dtype.name} {shape})")
    flat = np.empty(count, dtype)
    r.read_into(flat, f"array {i} data")
    return flat.reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def _read_shape(r, i, v3):
    start = r.offset
    ndim, = r.unpack("<i", f"array {i} ndim")
    semantics = "V3 (numpy)" if v3 else "V2 (legacy)"
    if ndim == (-1 if v3 else 0):
        raise r.error(f"array {i}: shape unknown under {semantics} semantics (an uninitialised "
                      "array), which a parameter file cannot use", offset=start)
    if not 0 <= ndim <= MAX_NDIM:
        raise r.error(f"array {i}: expected ndim in [{0 if v3 else 1}, {MAX_NDIM}], found {ndim}",
                      offset=start)
    shape = r.unpack(f"<{ndim}q", f"array {i} shape ({ndim} dims)")
    if v3 and -1 in shape:
        raise r.error(f"array {i}: shape {shape} has an unknown (-1) dimension under {semantics} "
                      "semantics", offset=start)
    if any(d < 0 for d in shape):
        raise r.error(f"array {i}: expected non-negative dimensions, found {shape}", offset=start)
    return shape


def _read_names(r, count):
    start = r.offset
    n, = r.unpack("<Q", "the name count")
    if n != count:
        hint = (" (an unnamed list, as mx.nd.save of a list writes: no parameter names)" if n == 0 else
                " (a last array whose shape disagrees with its data also shifts the count read here)")
        raise r.error(f"expected {count} names, one per array, found {n}{hint}", offset=start)
    names, seen = [], set()
    for i in range(n):
        name_at = r.offset
        length, = r.unpack("<Q", f"name {i} length")
        r.need(length, f"name {i} ({length} bytes)")
        raw = r.f.read(length)
        r.offset += length
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise r.error(f"name {i} is not UTF-8 ({e.reason})", offset=name_at) from None
        if name in seen:
            raise r.error(f"name {i} {name!r} repeats an earlier name", offset=name_at)
        seen.add(name)
        names.append(name)
    return names
