"""OpenCV's cv::resize(src, dst, dsize, 0, 0, INTER_LINEAR) on 8-bit images, bit for bit, in numpy.

gluon-cv resizes the uint8 image with OpenCV (spec A.2) and so does the Java runtime (JavaCV), but Debian's
Python here has no cv2. This follows OpenCV's generic 8-bit linear path (modules/imgproc/src/resize.cpp,
spec source CV @e4d7984a): coefficients in 11-bit fixed point (INTER_RESIZE_COEF_BITS), a horizontal pass
into int rows, then VResizeLinear's `((b0 * (S0 >> 4)) >> 16) + ((b1 * (S1 >> 4)) >> 16) + 2) >> 2`. The
SIMD kernels compute the same integers. Not covered: the exact 2x downscale OpenCV hands to INTER_AREA.
"""
import numpy as np

COEF_BITS = 11
COEF_SCALE = 1 << COEF_BITS


def _coefficients(src_size, dst_size):
    """Source index and fraction per output index: fx = (float)((dx + 0.5) * scale - 0.5), sx = floor(fx),
    fx -= sx, with scale = 1 / (dst / src) in double as cv::resize derives it from dsize."""
    scale = 1.0 / (dst_size / src_size)
    f = ((np.arange(dst_size, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    s = np.floor(f).astype(np.int64)
    return s, f - s.astype(np.float32)


def _fixed(f):
    """saturate_cast<short>(cbuf[k] * INTER_RESIZE_COEF_SCALE) for cbuf = (1 - f, f): round half to even."""
    one = np.float32(1)
    scale = np.float32(COEF_SCALE)
    return np.rint((one - f) * scale).astype(np.int64), np.rint(f * scale).astype(np.int64)


def resize_linear(image, width, height):
    """image (h, w, c) uint8 -> (height, width, c) uint8, as OpenCV's INTER_LINEAR."""
    src_h, src_w = image.shape[:2]
    if (src_w, src_h) == (width, height):
        return image.copy()  # cv::resize copies when the size does not change
    eps = np.finfo(np.float64).eps  # DBL_EPSILON in OpenCV's is_area_fast test
    if abs(1.0 / (width / src_w) - 2) < eps and abs(1.0 / (height / src_h) - 2) < eps:
        raise NotImplementedError("OpenCV resizes an exact 2x reduction with INTER_AREA")
    src = image.astype(np.int64)

    # Horizontal: indices left of the image use column 0, those at or past the last column use it alone.
    sx, fx = _coefficients(src_w, width)
    clamp = (sx < 0) | (sx >= src_w - 1)
    fx = np.where(clamp, np.float32(0), fx)
    sx = np.clip(sx, 0, src_w - 1)
    a0, a1 = _fixed(fx)
    rows = src[:, sx] * a0[None, :, None] + src[:, np.minimum(sx + 1, src_w - 1)] * a1[None, :, None]

    # Vertical: the fraction is kept at the borders; both source rows are clamped into the image.
    sy, fy = _coefficients(src_h, height)
    b0, b1 = _fixed(fy)
    r0 = rows[np.clip(sy, 0, src_h - 1)] >> 4
    r1 = rows[np.clip(sy + 1, 0, src_h - 1)] >> 4
    out = (((b0[:, None, None] * r0) >> 16) + ((b1[:, None, None] * r1) >> 16) + 2) >> 2
    assert out.min() >= 0 and out.max() <= 255
    return out.astype(np.uint8)
