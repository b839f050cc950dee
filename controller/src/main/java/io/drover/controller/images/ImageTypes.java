package io.drover.controller.images;

import io.drover.shared.domain.DroverException;
import io.drover.shared.domain.ErrorCode;
import java.util.Locale;
import java.util.Map;

/**
 * The image formats a task may store, by content type, with their file extension and the leading
 * bytes ("magic") every file of that format starts with. The bytes are checked so that what is
 * served back under an image type really is one (no HTML or script stored as "image/png").
 */
final class ImageTypes {
    static final String ALLOWED = "image/png, image/jpeg, image/gif or image/webp";
    private static final Map<String, String> EXT = Map.of("image/png", "png", "image/jpeg", "jpg", "image/gif", "gif", "image/webp", "webp");

    private ImageTypes() {}

    /**
     * The content type without parameters, lower case.
     *
     * @throws DroverException unsupported_media_type (415) for anything but the four image types
     */
    static String of(String header) {
        String t = header == null ? "" : header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (t.equals("image/jpg")) t = "image/jpeg";
        if (!EXT.containsKey(t)) {
            throw new DroverException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, (header == null || header.isBlank() ? "the request has no Content-Type"
                    : "Content-Type '" + header + "' is not an image type Drover keeps") + "; send the raw image bytes with Content-Type " + ALLOWED);
        }
        return t;
    }

    static String extension(String contentType) {
        String e = EXT.get(contentType);
        if (e == null) throw new IllegalArgumentException("not an image type: " + contentType);
        return e;
    }

    /** @throws DroverException bad_request when {@code b} does not start like a {@code contentType} file */
    static void checkMagic(String contentType, byte[] b) {
        boolean ok = switch (contentType) {
            case "image/png" -> startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
            case "image/jpeg" -> startsWith(b, 0, 0xFF, 0xD8, 0xFF);
            case "image/gif" -> startsWith(b, 0, 'G', 'I', 'F', '8');
            case "image/webp" -> startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P');
            default -> false;
        };
        if (!ok) {
            throw DroverException.badRequest("the body is not a " + contentType.substring(6).toUpperCase(Locale.ROOT)
                    + " image (its first bytes do not match); send the file's bytes unchanged with the Content-Type of its format");
        }
    }

    private static boolean startsWith(byte[] b, int at, int... magic) {
        if (b.length < at + magic.length) return false;
        for (int i = 0; i < magic.length; i++) {
            if ((b[at + i] & 0xFF) != magic[i]) return false;
        }
        return true;
    }
}
