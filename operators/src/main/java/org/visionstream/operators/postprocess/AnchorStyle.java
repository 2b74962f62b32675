package org.visionstream.operators.postprocess;

/** How cell anchors are enumerated and shaped; see docs in model-assets/README.md. */
public enum AnchorStyle {
    /** detectron2: size-major, {@code w = sqrt(size^2 / ratio)}, {@code h = ratio * w}, zero-centred. */
    DETECTRON2,
    /** torchvision: ratio-major, half-sides rounded half-to-even, zero-centred. */
    TORCHVISION,
    /** gluon-cv / py-faster-rcnn: +1 widths on a stride-sized window centred at (stride - 1) / 2. */
    GLUONCV
}
