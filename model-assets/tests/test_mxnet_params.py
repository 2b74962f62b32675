"""visionstream_bundle.mxnet_params against files from the independent writer in mxnet_writer.py."""
import shutil
import struct
import sys
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "tests"))  # mxnet_writer, also when run outside discover -s tests

from mxnet_writer import array_record, params_bytes, write_params  # noqa: E402
from visionstream_bundle.mxnet_params import ParamsError, read_params  # noqa: E402

WORK = HERE / "target" / "python-tests" / "mxnet-params"
HEADER = 24  # list magic, reserved, array count: where the first record starts


def sample_arrays():
    """The dtypes gluon-cv files hold (and bool), 1-d to 4-d and an empty one; floats include -0, inf, nan."""
    rng = np.random.default_rng(8)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30])
    return {
        "features.0.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
        "features.1.gamma": np.concatenate([special, rng.standard_normal(10)]).astype(np.float32),
        "features.1.running_var": rng.random((7,)).astype(np.float16),
        "top_features.bias": np.concatenate([special, rng.standard_normal(3)]),
        "anchors.quantised": rng.integers(0, 256, (2, 5), dtype=np.uint8),
        "class_ids": rng.integers(-2**31, 2**31, (3, 2), dtype=np.int32),
        "offsets": rng.integers(-128, 128, (9,), dtype=np.int8),
        "steps": np.array([2**62, -2**62, 0, 7], dtype=np.int64),
        "mask": rng.random((5,)) > 0.5,
        "empty": np.zeros((0, 3), dtype=np.float32),
    }


class Files:
    def setUp(self):
        shutil.rmtree(WORK / self.id(), ignore_errors=True)
        (WORK / self.id()).mkdir(parents=True)

    def path(self, name="model.params"):
        return WORK / self.id() / name

    def write(self, data, name="model.params"):
        p = self.path(name)
        p.write_bytes(data)
        return p


class RoundTripTest(Files, unittest.TestCase):

    def assert_same(self, expected, got):
        self.assertEqual(list(expected), list(got), "names, in file order")
        for name, want in expected.items():
            have = got[name]
            self.assertEqual(want.dtype, have.dtype, name)
            self.assertEqual(want.shape, have.shape, name)
            self.assertEqual(want.tobytes(), have.tobytes(), name)  # bit-exact, nan and -0 included

    def test_v2_file_round_trips_names_shapes_dtypes_and_values(self):
        arrays = sample_arrays()
        self.assert_same(arrays, read_params(write_params(self.path(), arrays, version=2)))

    def test_v3_file_round_trips_including_a_0d_scalar(self):
        arrays = dict(sample_arrays(), scale=np.array(0.125, dtype=np.float32), count=np.array(3))
        got = read_params(write_params(self.path(), arrays, version=3))
        self.assert_same(arrays, got)
        self.assertEqual((), got["scale"].shape)

    def test_order_is_the_file_order_not_sorted(self):
        arrays = [("z", np.ones(1, np.float32)), ("a", np.zeros(2, np.float32)), ("m", np.ones(3))]
        self.assertEqual(["z", "a", "m"], list(read_params(write_params(self.path(), arrays))))

    def test_names_are_kept_as_written_including_symbol_prefixes(self):
        arrays = {"arg:conv0_weight": np.ones((2, 1, 1, 1), np.float32),
                  "aux:bn0_moving_mean": np.zeros(2, np.float32), "résumé.weight": np.ones(1, np.float32)}
        self.assertEqual(list(arrays), list(read_params(write_params(self.path(), arrays))))

    def test_arrays_saved_from_gpu_and_pinned_contexts_read_the_same(self):
        arrays = sample_arrays()
        for context in ((2, 1), (3, 0), (5, 0)):
            with self.subTest(context=context):
                self.assert_same(arrays, read_params(write_params(self.path(), arrays, context=context)))

    def test_empty_list_reads_as_empty_dict(self):
        self.assertEqual({}, read_params(self.write(params_bytes([], []))))

    def test_arrays_are_native_order_aligned_writable_and_own_their_memory(self):
        got = read_params(write_params(self.path(), sample_arrays()))
        for name, a in got.items():
            self.assertTrue(a.dtype.isnative, name)
            self.assertTrue(a.flags.aligned and a.flags.writeable and a.flags.c_contiguous, name)
        got["features.0.weight"][...] = 0  # writable without touching the others
        self.assertTrue(np.any(got["features.1.gamma"] != 0))


def two_array_file():
    """A small valid file and the byte offset of each record, for cutting and patching."""
    a = np.arange(6, dtype=np.float32).reshape(2, 3) + 1
    b = np.array([5, 6, 7, 8], dtype=np.int64)
    ra, rb = array_record(a), array_record(b)
    return params_bytes([ra, rb], ["a", "b"]), HEADER, HEADER + len(ra), (a, b)


class MalformedTest(Files, unittest.TestCase):

    def assert_error(self, data, *fragments, offset=None):
        p = self.write(data)
        with self.assertRaises(ParamsError) as cm:
            read_params(p)
        message = str(cm.exception)
        self.assertIn(str(p), message)
        self.assertIn("at byte", message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        if offset is not None:
            self.assertEqual(offset, cm.exception.offset, message)
        return message

    def test_every_truncation_is_reported_as_such(self):
        data, _, _, _ = two_array_file()
        for cut in range(len(data)):
            with self.subTest(cut=cut):
                self.assert_error(data[:cut], "truncated")

    def test_truncation_inside_the_data_names_the_array_and_bytes_needed(self):
        data, _, second, _ = two_array_file()
        data_start = second + 4 + 4 + 4 + 8 + 8 + 4  # magic, stype, ndim, one dim, context, type flag
        self.assert_error(data[:data_start + 10], "array 1 data", "needs 32 bytes, 10 remain",
                          offset=data_start)

    def test_trailing_bytes(self):
        data, _, _, _ = two_array_file()
        self.assert_error(data + b"\0", "1 trailing bytes", offset=len(data))

    def test_wrong_list_magic(self):
        data, _, _, _ = two_array_file()
        self.assert_error(struct.pack("<Q", 0x113) + data[8:], "0x112", "found 0x113", offset=0)
        self.assert_error(b"PK\x03\x04" + data[4:], "not an MXNet .params file", offset=0)

    def test_unknown_array_magic(self):
        data, _, second, _ = two_array_file()
        patched = data[:second] + struct.pack("<I", 0xDEADBEEF) + data[second + 4:]
        self.assert_error(patched, "array 1", "0xf993fac9 (V2)", "found 0xdeadbeef", offset=second)
        v1 = data[:second] + struct.pack("<I", 0xF993FAC8) + data[second + 4:]
        self.assert_error(v1, "V1 header", offset=second)

    def test_sparse_and_unknown_storage_types(self):
        a = np.ones(3, np.float32)
        self.assert_error(params_bytes([array_record(a, storage_type=1)], ["a"]), "row_sparse", "dense",
                          offset=HEADER + 4)
        self.assert_error(params_bytes([array_record(a, storage_type=2)], ["a"]), "csr")
        self.assert_error(params_bytes([array_record(a, storage_type=9)], ["a"]), "found 9")

    def test_unknown_and_unsupported_type_flags(self):
        a = np.ones(3, np.float32)
        flag_at = HEADER + 4 + 4 + 4 + 8 + 8
        self.assert_error(params_bytes([array_record(a, type_flag=99)], ["a"]), "type flag 99", "unknown",
                          offset=flag_at)
        self.assert_error(params_bytes([array_record(a, type_flag=12)], ["a"]), "bfloat16")

    def test_unknown_device_type(self):
        self.assert_error(params_bytes([array_record(np.ones(3, np.float32), context=(7, 0))], ["a"]),
                          "device type", "found 7")

    def test_negative_and_absurd_shapes(self):
        a = np.ones(3, np.float32)
        self.assert_error(params_bytes([array_record(a, shape=(3, -2))], ["a"]), "non-negative", "-2")
        self.assert_error(params_bytes([array_record(a, shape=(-1,), version=3)], ["a"]), "unknown (-1)")
        self.assert_error(params_bytes([array_record(a, shape=(1,) * 33)], ["a"]), "ndim", "found 33")
        # 2**40 float32 elements: refused by size before anything is allocated
        self.assert_error(params_bytes([array_record(a, shape=(2**20, 2**20))], ["a"]),
                          "truncated", "array 0 data", str(4 * 2**40))

    def test_uninitialised_arrays_are_refused(self):
        a = np.ones(3, np.float32)
        self.assert_error(params_bytes([array_record(a, shape=())], ["a"]), "V2 (legacy)", "uninitialised")
        v3_unknown = struct.pack("<IIi", 0xF993FACA, 0, -1)  # MXNet writes nothing after an unknown shape
        self.assert_error(params_bytes([v3_unknown], ["a"]), "V3 (numpy)", "uninitialised")

    def test_shape_larger_than_its_data_on_the_last_array(self):
        # The data length is implied by the shape, so the reader runs into the names list: it then
        # misreads a name length or count, or runs out of bytes.
        a = np.ones(6, np.float32)
        self.assert_error(params_bytes([array_record(a, shape=(2, 4))], ["weight"]))

    def test_shape_smaller_than_its_data_on_the_last_array(self):
        # Two float32 ones are left over and read as the name count: 0x3f8000003f800000.
        a = np.ones(6, np.float32)
        self.assert_error(params_bytes([array_record(a, shape=(2, 2))], ["weight"]),
                          "expected 1 names", str(0x3F8000003F800000))

    def test_shape_disagreeing_with_its_data_on_a_middle_array(self):
        data_a, data_b = np.ones(6, np.float32), np.ones(2, np.float32)
        rb = array_record(data_b)
        smaller = array_record(data_a, shape=(5,))
        self.assert_error(params_bytes([smaller, rb], ["a", "b"]), "array 1", "magic",
                          offset=HEADER + len(smaller) - 4)
        larger = array_record(data_a, shape=(7,))
        self.assert_error(params_bytes([larger, rb], ["a", "b"]), "array 1", "magic",
                          offset=HEADER + len(larger) + 4)

    def test_names_count_differs_from_arrays_count(self):
        records = [array_record(np.ones(2, np.float32)), array_record(np.zeros(2, np.float32))]
        names_at = HEADER + sum(map(len, records))
        self.assert_error(params_bytes(records, ["a"]), "expected 2 names", "found 1", offset=names_at)
        self.assert_error(params_bytes(records, []), "unnamed list", offset=names_at)

    def test_duplicate_and_non_utf8_names(self):
        records = [array_record(np.ones(2, np.float32)), array_record(np.zeros(2, np.float32))]
        self.assert_error(params_bytes(records, ["w", "w"]), "name 1 'w' repeats")
        self.assert_error(params_bytes(records, ["w", b"\xff\xfe"]), "name 1 is not UTF-8")

    def test_absurd_array_count(self):
        self.assert_error(struct.pack("<QQQ", 0x112, 0, 2**40), "truncated", f"array count {2**40}", offset=24)


if __name__ == "__main__":
    unittest.main()
