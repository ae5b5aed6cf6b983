package dev.governor.auditor.canonical;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.erdtman.jcs.NumberToJSON;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * <p>Object members are sorted by their names' UTF-16 code units, strings use the minimal RFC 8785
 * escaping, numbers are IEEE-754 doubles printed like ECMAScript's {@code Number.prototype.toString}
 * and no whitespace is emitted. Input that JCS cannot represent is refused with
 * {@link CanonicalJsonException}: duplicate member names, NaN or infinite numbers (including
 * literals too large for a double), lone surrogates and trailing content after the value.
 *
 * <p>Integers beyond 2^53 are, as RFC 8785 prescribes, rounded to the nearest double; a producer
 * that needs exact large integers must send them as strings.
 */
public final class CanonicalJson {

    private static final ObjectMapper STRICT_MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CanonicalJson() {
    }

    /** Parses {@code json} strictly and returns its canonical form as UTF-8 bytes. */
    public static byte[] canonicalize(String json) {
        return canonicalString(json).getBytes(StandardCharsets.UTF_8);
    }

    /** Returns the canonical form of {@code node} as UTF-8 bytes. */
    public static byte[] canonicalize(JsonNode node) {
        return canonicalString(node).getBytes(StandardCharsets.UTF_8);
    }

    /** Parses {@code json} strictly and returns its canonical form as a string. */
    public static String canonicalString(String json) {
        return canonicalString(parse(json));
    }

    /** Returns the canonical form of {@code node} as a string. */
    public static String canonicalString(JsonNode node) {
        if (node == null) {
            throw new CanonicalJsonException("cannot canonicalize a null JsonNode reference; pass NullNode for JSON null");
        }
        StringBuilder out = new StringBuilder(256);
        write(node, out, Path.ROOT);
        return out.toString();
    }

    /** SHA-256 over the canonical form of {@code json}, as 64 lowercase hex digits. */
    public static String sha256Hex(String json) {
        return sha256Hex(canonicalize(json));
    }

    /** SHA-256 over the canonical form of {@code node}, as 64 lowercase hex digits. */
    public static String sha256Hex(JsonNode node) {
        return sha256Hex(canonicalize(node));
    }

    /** SHA-256 of {@code bytes} as 64 lowercase hex digits. */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256(bytes));
    }

    /** SHA-256 of {@code bytes}. */
    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** Parses {@code json} with the same strict rules as {@link #canonicalize(String)}. */
    public static JsonNode parse(String json) {
        if (json == null) {
            throw new CanonicalJsonException("cannot canonicalize null text; pass a JSON document");
        }
        try {
            JsonNode node = STRICT_MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new CanonicalJsonException("empty input is not a JSON document");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new CanonicalJsonException("not valid JSON for RFC 8785 canonicalization: " + e.getOriginalMessage(), e);
        }
    }

    private static void write(JsonNode node, StringBuilder out, Path path) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out, path);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out, new Path(path, null, i));
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out, path);
            case NUMBER -> out.append(number(node, path));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new CanonicalJsonException(
                    "value at " + path + " of type " + node.getNodeType() + " has no JSON representation");
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out, Path path) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.size());
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        fields.forEachRemaining(members::add);
        // String.compareTo orders by UTF-16 code units, exactly what RFC 8785 §3.2.3 asks for.
        members.sort(Map.Entry.comparingByKey());
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> member : members) {
            if (!first) {
                out.append(',');
            }
            first = false;
            Path memberPath = new Path(path, member.getKey(), -1);
            writeString(member.getKey(), out, memberPath);
            out.append(':');
            write(member.getValue(), out, memberPath);
        }
        out.append('}');
    }

    private static String number(JsonNode node, Path path) {
        double value = node.doubleValue();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new CanonicalJsonException("number at " + path + " is " + node.asText()
                    + ", which is not a finite IEEE-754 double; RFC 8785 cannot represent it");
        }
        try {
            return number(value);
        } catch (IOException e) {
            throw new CanonicalJsonException("number at " + path + " cannot be serialized: " + e.getMessage(), e);
        }
    }

    /** The RFC 8785 form of a finite double. */
    static String number(double value) throws IOException {
        // Integers below 2^53 print the same in ECMAScript and in Long.toString; the rest needs the full algorithm.
        if (value == Math.rint(value) && Math.abs(value) < 0x1p53) {
            return Long.toString((long) value);
        }
        return NumberToJSON.serializeNumber(value);
    }

    private static void writeString(String value, StringBuilder out, Path path) {
        out.append('"');
        int length = value.length();
        int run = 0; // start of the characters not yet written, all of which are written as they are
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= length || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    throw loneSurrogate(path, i);
                }
                i++; // a well-formed pair is written as it is
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw loneSurrogate(path, i);
            }
            out.append(value, run, i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
            run = i + 1;
        }
        out.append(value, run, length);
        out.append('"');
    }

    private static CanonicalJsonException loneSurrogate(Path path, int index) {
        return new CanonicalJsonException("string at " + path + " has a lone UTF-16 surrogate at position " + index
                + "; RFC 8785 requires well-formed Unicode");
    }

    /** Where a value sits in the document, rendered only for error messages. */
    private record Path(Path parent, String member, int element) {
        static final Path ROOT = new Path(null, null, -1);

        @Override
        public String toString() {
            if (parent == null) {
                return "$";
            }
            return parent + (member != null ? "." + member : "[" + element + "]");
        }
    }
}
