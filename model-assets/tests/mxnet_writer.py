"""Writes MXNet NDArray-list (`.params`) files the way MXNet's NDArray::Save does, for tests.

Deliberately independent of visionstream_bundle.mxnet_params: its constants and layout are written
here again from MXNet's source (src/ndarray/ndarray.cc NDArray::Save, include/mxnet/tuple.h,
include/mxnet/base.h Context, mshadow TypeFlag, dmlc-core serializer.h), so that a mistake in the
reader is not mirrored by the writer. `write_params` makes real gluon-style files; `array_record` and
`params_bytes` take overrides so tests can build malformed ones.

Layout: u64 0x112, u64 0, u64 N, N array records, u64 N, N x (u64 length, UTF-8 name); a record is
u32 magic (V2 0xF993FAC9 / V3 0xF993FACA), i32 storage type, i32 ndim, ndim x i64 dims,
i32 dev_type, i32 dev_id, i32 type flag, raw little-endian data.
"""
import struct

import numpy as np

NDARRAY_LIST_MAGIC = 0x112
ARRAY_MAGIC = {2: 0xF993FAC9, 3: 0xF993FACA}
TYPE_FLAG = {np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.float16): 2,
             np.dtype(np.uint8): 3, np.dtype(np.int32): 4, np.dtype(np.int8): 5,
             np.dtype(np.int64): 6, np.dtype(np.bool_): 7, np.dtype(np.int16): 8,
             np.dtype(np.uint16): 9, np.dtype(np.uint32): 10, np.dtype(np.uint64): 11}
CPU = (1, 0)


def array_record(array, version=2, context=CPU, *, magic=None, storage_type=0, shape=None,
                 type_flag=None, data=None):
    """One NDArray::Save record; the keyword arguments replace a field with a (wrong) value."""
    array = np.asarray(array)
    if version == 2 and array.ndim == 0 and shape is None:
        raise ValueError("V2 cannot hold a 0-d array: ndim 0 means an uninitialised NDArray there")
    shape = array.shape if shape is None else shape
    out = struct.pack("<Ii", ARRAY_MAGIC[version] if magic is None else magic, storage_type)
    out += struct.pack(f"<i{len(shape)}q", len(shape), *shape)
    out += struct.pack("<ii", *context)
    out += struct.pack("<i", TYPE_FLAG[array.dtype.newbyteorder("=")] if type_flag is None else type_flag)
    if data is None:
        data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    return out + data


def params_bytes(records, names, *, list_magic=NDARRAY_LIST_MAGIC):
    """The file around already encoded records; names are str (UTF-8 encoded here) or raw bytes."""
    out = struct.pack("<QQQ", list_magic, 0, len(records)) + b"".join(records)
    out += struct.pack("<Q", len(names))
    for name in names:
        raw = name.encode("utf-8") if isinstance(name, str) else name
        out += struct.pack("<Q", len(raw)) + raw
    return out


def write_params(path, named_arrays, version=2, context=CPU):
    """Writes {name: array} (or (name, array) pairs) as gluon's save_parameters would, in that order."""
    items = list(named_arrays.items() if hasattr(named_arrays, "items") else named_arrays)
    data = params_bytes([array_record(a, version, context) for _, a in items], [n for n, _ in items])
    with open(path, "wb") as f:
        f.write(data)
    return path
