package org.visionstream.operators.preprocess;

/** The encodings a frame may carry, recognised by their signature bytes. */
public enum ImageFormat {
    JPEG("image/jpeg"),
    PNG("image/png");

    private final String contentType;

    ImageFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** The format whose signature starts {@code data}, or {@code null}. */
    public static ImageFormat sniff(byte[] data) {
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (data.length >= 8 && (data[0] & 0xFF) == 0x89 && data[1] == 'P' && data[2] == 'N' && data[3] == 'G'
                && data[4] == 0x0D && data[5] == 0x0A && data[6] == 0x1A && data[7] == 0x0A) {
            return PNG;
        }
        return null;
    }
}
