package org.visionstream.operators.preprocess;

/**
 * What an encoded image's header declares, once {@link ImageDecoder#readHeader} has checked it against the
 * decoder's limits; no pixel has been decoded. (A JPEG's EXIF orientation may swap the sides of the decoded image.)
 */
public record ImageHeader(ImageFormat format, int width, int height) {}
