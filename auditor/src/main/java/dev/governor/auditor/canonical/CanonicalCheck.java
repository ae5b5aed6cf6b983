package dev.governor.auditor.canonical;

import java.io.IOException;

/**
 * Tells in one pass, without building a tree, whether a text is already the RFC 8785 canonical
 * form of itself: exactly when {@code CanonicalJson.canonicalString(text)} would succeed and
 * return {@code text}. No whitespace; members in strictly ascending order of their names' UTF-16
 * code units (so no duplicates); strings with the minimal escapes only and no lone surrogates;
 * numbers exactly as {@link CanonicalJson} prints their double. Verifiers use it on millions of
 * leaves; it also hands back the top-level string members it was asked for.
 */
public final class CanonicalCheck {

    private final String text;
    private final String[] wanted;
    private final String[] found;
    private int pos;

    private CanonicalCheck(String text, String[] wanted) {
        this.text = text;
        this.wanted = wanted;
        this.found = new String[wanted.length];
    }

    /** Whether {@code text} is canonical JSON; null when it is too long to tell here (see {@link #check}). */
    public static boolean isCanonical(String text) {
        return check(text) != null;
    }

    /**
     * The values of the top-level members named {@code members} when they are strings (null where
     * absent or not a string), or null when {@code text} is not canonical JSON.
     */
    public static String[] check(String text, String... members) {
        if (text == null) {
            return null;
        }
        if (text.length() > LONG_TEXT) {
            return null; // rare and long: left to the parser, whose limits on string and number sizes then apply
        }
        CanonicalCheck check = new CanonicalCheck(text, members);
        try {
            if (!check.value(0) || check.pos != text.length()) {
                return null;
            }
        } catch (IndexOutOfBoundsException e) {
            return null; // ran off the end: unfinished
        }
        return check.found;
    }

    /** Texts longer than this are not checked here (callers fall back to parsing). */
    static final int LONG_TEXT = 1 << 20;
    /** Jackson's default limit on nesting, which the parser applies. */
    private static final int MAX_DEPTH = 1000;

    private boolean value(int depth) {
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> depth < MAX_DEPTH && object(depth);
            case '[' -> depth < MAX_DEPTH && array(depth);
            case '"' -> string() != null;
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        };
    }

    private boolean object(int depth) {
        pos++; // {
        if (text.charAt(pos) == '}') {
            pos++;
            return true;
        }
        String previous = null;
        while (true) {
            if (text.charAt(pos) != '"') {
                return false;
            }
            String name = string();
            if (name == null || (previous != null && previous.compareTo(name) >= 0)) {
                return false;
            }
            previous = name;
            if (text.charAt(pos++) != ':') {
                return false;
            }
            int start = pos;
            if (!value(depth + 1)) {
                return false;
            }
            if (depth == 0 && text.charAt(start) == '"') {
                for (int i = 0; i < wanted.length; i++) {
                    if (wanted[i].equals(name)) {
                        found[i] = decoded(start);
                    }
                }
            }
            char next = text.charAt(pos++);
            if (next == '}') {
                return true;
            }
            if (next != ',') {
                return false;
            }
        }
    }

    private boolean array(int depth) {
        pos++; // [
        if (text.charAt(pos) == ']') {
            pos++;
            return true;
        }
        while (true) {
            if (!value(depth + 1)) {
                return false;
            }
            char next = text.charAt(pos++);
            if (next == ']') {
                return true;
            }
            if (next != ',') {
                return false;
            }
        }
    }

    /** Reads a canonical string at pos; returns its value, or null if it is not canonical. */
    private String string() {
        int start = ++pos;
        StringBuilder escaped = null;
        while (true) {
            char c = text.charAt(pos);
            if (c == '"') {
                String value = escaped == null ? text.substring(start, pos) : escaped.append(text, start, pos).toString();
                pos++;
                return value;
            }
            if (c < 0x20) {
                return null; // a control character must be escaped
            }
            if (c == '\\') {
                if (escaped == null) {
                    escaped = new StringBuilder();
                }
                escaped.append(text, start, pos);
                char e = text.charAt(pos + 1);
                char unescaped;
                switch (e) {
                    case '"' -> unescaped = '"';
                    case '\\' -> unescaped = '\\';
                    case 'b' -> unescaped = '\b';
                    case 'f' -> unescaped = '\f';
                    case 'n' -> unescaped = '\n';
                    case 'r' -> unescaped = '\r';
                    case 't' -> unescaped = '\t';
                    case 'u' -> {
                        // Only control characters without a short escape are written as \\u00xx, in lowercase hex.
                        if (text.charAt(pos + 2) != '0' || text.charAt(pos + 3) != '0') {
                            return null;
                        }
                        int hi = lowerHex(text.charAt(pos + 4));
                        int lo = lowerHex(text.charAt(pos + 5));
                        if (hi < 0 || lo < 0 || hi > 1) {
                            return null;
                        }
                        unescaped = (char) (hi << 4 | lo);
                        if (unescaped == '\b' || unescaped == '\f' || unescaped == '\n' || unescaped == '\r' || unescaped == '\t') {
                            return null;
                        }
                        escaped.append(unescaped);
                        pos += 6;
                        start = pos;
                        continue;
                    }
                    default -> {
                        return null;
                    }
                }
                escaped.append(unescaped);
                pos += 2;
                start = pos;
                continue;
            }
            if (Character.isHighSurrogate(c)) {
                if (!Character.isLowSurrogate(text.charAt(pos + 1))) {
                    return null;
                }
                pos += 2;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                return null;
            }
            pos++;
        }
    }

    private String decoded(int start) {
        int saved = pos;
        pos = start;
        String value = string();
        pos = saved;
        return value;
    }

    private static int lowerHex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    private boolean literal(String word) {
        if (!text.startsWith(word, pos)) {
            return false;
        }
        pos += word.length();
        return true;
    }

    /** A JSON number token that is exactly how its double prints canonically. */
    private boolean number() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        if (!digits()) {
            return false;
        }
        if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            if (!digits()) {
                return false;
            }
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (!digits()) {
                return false;
            }
        }
        String token = text.substring(start, pos);
        double value = Double.parseDouble(token);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return false;
        }
        try {
            return CanonicalJson.number(value).equals(token);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }
}
