"""gluon-cv 0.7.0 faster_rcnn_resnet50_v1b_voc's evaluation preprocessing (spec A.2), in numpy float32.

FasterRCNNDefaultValTransform: decode to RGB, resize_short_within(short 600, max 1000) with OpenCV
INTER_LINEAR on the uint8 image, to_tensor (/ 255), normalize with the ImageNet mean and std in RGB order.
"""
import numpy as np
from PIL import Image

from .opencv_resize import resize_linear

SHORT = 600
MAX_SIZE = 1000
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def read_rgb(path):
    """uint8 HWC RGB (mx.image.imread: OpenCV decode, BGR -> RGB). Pillow and OpenCV share libjpeg's
    default decoding, so the pixels are those the Java runtime's OpenCV decodes (in BGR order)."""
    return np.asarray(Image.open(path).convert("RGB"))


def resize_size(width, height):
    """resize_short_within with mult_base 1: (new_width, new_height), each side rounded half to even."""
    scale = SHORT / min(width, height)
    if np.round(scale * max(width, height)) > MAX_SIZE:
        scale = MAX_SIZE / max(width, height)
    return int(np.round(width * scale)), int(np.round(height * scale))


def network_input(rgb):
    """(3, H, W) float32: the resized image, (x / 255 - mean) / std per RGB channel, all in float32."""
    w, h = resize_size(rgb.shape[1], rgb.shape[0])
    x = resize_linear(rgb, w, h).astype(np.float32) / np.float32(255)
    return ((x - MEAN) / STD).transpose(2, 0, 1).copy()
