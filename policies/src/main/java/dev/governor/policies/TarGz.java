package dev.governor.policies;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads the regular files of a gzipped POSIX tar (what {@code opa build} writes), bounded in
 * size, and writes one (for tools and tests that assemble a bundle from its parts).
 */
public final class TarGz {

    /** An OPA bundle of this policy is well under a megabyte; anything near this is refused. */
    static final long MAX_TOTAL_BYTES = 64L << 20;

    private TarGz() {
    }

    /** Regular files by name, without a leading {@code /} or {@code ./}. */
    public static Map<String, byte[]> read(byte[] tarGz) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(tarGz))) {
            long total = 0;
            byte[] header = new byte[512];
            while (true) {
                if (in.readNBytes(header, 0, 512) < 512 || isZero(header)) {
                    return files;
                }
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = octal(header, 124, 12);
                char type = (char) header[156];
                total += size;
                if (size < 0 || total > MAX_TOTAL_BYTES) {
                    throw new PolicyEngineException("the bundle is larger than " + (MAX_TOTAL_BYTES >> 20) + " MiB unpacked");
                }
                byte[] content = in.readNBytes((int) size);
                if (content.length < size) {
                    throw new PolicyEngineException("the bundle is truncated inside " + name);
                }
                long padding = (512 - size % 512) % 512;
                in.skipNBytes(padding);
                if (type == '0' || type == 0) {
                    files.put(name.replaceFirst("^\\./", "").replaceFirst("^/+", ""), content);
                }
            }
        } catch (IOException e) {
            throw new PolicyEngineException("the bundle is not a gzipped tar: " + e.getMessage(), e);
        }
    }

    /** A gzipped ustar archive of {@code files} (name to content), in the map's order. */
    public static byte[] write(Map<String, byte[]> files) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                byte[] header = new byte[512];
                byte[] name = file.getKey().getBytes(StandardCharsets.UTF_8);
                if (name.length > 100) {
                    throw new IllegalArgumentException("name longer than 100 bytes: " + file.getKey());
                }
                System.arraycopy(name, 0, header, 0, name.length);
                field(header, 100, 8, "0000644");
                field(header, 108, 8, "0000000");
                field(header, 116, 8, "0000000");
                field(header, 124, 12, String.format("%011o", file.getValue().length));
                field(header, 136, 12, "00000000000");
                header[156] = '0';
                field(header, 257, 6, "ustar");
                header[263] = '0';
                header[264] = '0';
                java.util.Arrays.fill(header, 148, 156, (byte) ' ');
                long sum = 0;
                for (byte b : header) {
                    sum += b & 0xff;
                }
                field(header, 148, 8, String.format("%06o", sum));
                header[155] = ' ';
                out.write(header);
                out.write(file.getValue());
                out.write(new byte[(int) ((512 - file.getValue().length % 512) % 512)]);
            }
            out.write(new byte[1024]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void field(byte[] header, int offset, int length, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, Math.min(b.length, length));
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] block, int offset, int length) {
        int end = offset;
        while (end < offset + length && block[end] != 0) {
            end++;
        }
        return new String(block, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] block, int offset, int length) {
        String digits = text(block, offset, length).trim();
        if (digits.isEmpty() || !digits.matches("[0-7]+")) {
            throw new PolicyEngineException("the bundle is not a tar: bad size field '" + digits + "'");
        }
        return Long.parseLong(digits, 8);
    }
}
