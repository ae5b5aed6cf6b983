package dev.governor.policies;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.governor.policies.InlineDiffFacts.ChangedLine;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * One added or removed line as the policy sees it: where it is, its text (trimmed and cut short)
 * and the lexical facts, from its first {@value #MAX_SCANNED} characters, that the oversight
 * signals match against data/signals.json. Which words and
 * names matter is the policy's data; this class only finds them, so that the policy looks them
 * up instead of running regular expressions (slow in the wasm engine, README "Performance").
 *
 * <ul>
 *   <li>{@code words}: for every dotted identifier ({@code self.logger.info}), its first part and
 *       its first two parts ({@code self}, {@code self.logger}); the names a call or import is
 *       known by;</li>
 *   <li>{@code assigned}: the last part of every identifier or quoted key that is followed by
 *       {@code =}, {@code :} or an augmented assignment ({@code TIMEOUT = 60},
 *       {@code run(timeout=60)}, {@code timeout: 60}, {@code "timeout": 60}), in snake case and
 *       lower case ({@code maxRetries} is {@code max_retries}).</li>
 * </ul>
 */
final class ChangedLineFacts {

    /** Characters of the line's text kept for messages and comment checks. */
    static final int MAX_TEXT = 160;
    static final int MAX_WORDS = 24;
    static final int MAX_ASSIGNED = 8;
    static final int MAX_WORD_LENGTH = 64;
    /**
     * Characters of each line scanned for words and names. Code lines are far shorter; a line
     * longer than this is data or generated text, and scanning all of a 256 KiB diff of such
     * lines would cost more than the decision.
     */
    static final int MAX_SCANNED = 1000;

    private ChangedLineFacts() {
    }

    /** The line's facts, or null when it has no word and no assigned name (no signal can match it). */
    static ObjectNode toJsonIfMatchable(ChangedLine line) {
        Set<String> words = new LinkedHashSet<>();
        Set<String> assigned = new LinkedHashSet<>();
        scan(line.text(), words, assigned);
        if (words.isEmpty() && assigned.isEmpty()) {
            return null;
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("file", line.file());
        node.put("line", line.line());
        node.put("side", String.valueOf(line.side()));
        node.put("text", cut(line.text()));
        ArrayNode w = node.putArray("words");
        words.forEach(w::add);
        ArrayNode a = node.putArray("assigned");
        assigned.forEach(a::add);
        return node;
    }

    private static void scan(String s, Set<String> words, Set<String> assigned) {
        int n = Math.min(s.length(), MAX_SCANNED);
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (isStart(c)) {
                int start = i;
                int firstDot = -1;
                int secondDot = -1;
                int lastPart = i;
                while (i < n) {
                    while (i < n && isPart(s.charAt(i))) {
                        i++;
                    }
                    if (i + 1 < n && s.charAt(i) == '.' && isStart(s.charAt(i + 1))) {
                        if (firstDot < 0) {
                            firstDot = i;
                        } else if (secondDot < 0) {
                            secondDot = i;
                        }
                        i++;
                        lastPart = i;
                    } else {
                        break;
                    }
                }
                addWord(words, s.substring(start, firstDot < 0 ? i : firstDot));
                if (firstDot > 0) {
                    addWord(words, s.substring(start, secondDot < 0 ? i : secondDot));
                }
                if (assigned.size() < MAX_ASSIGNED && isAssignedAt(s, i)) {
                    String name = s.substring(lastPart, i);
                    if (name.length() <= MAX_WORD_LENGTH) {
                        assigned.add(snakeCase(name));
                    }
                }
            } else if (isPart(c)) {
                while (i < n && isPart(s.charAt(i))) {
                    i++;
                }
            } else {
                i++;
            }
        }
    }

    private static void addWord(Set<String> words, String word) {
        if (words.size() < MAX_WORDS && word.length() <= MAX_WORD_LENGTH) {
            words.add(word);
        }
    }

    /** After a name: an optional closing quote, blanks, then = (not ==), : (not ::, not ending the line) or an augmented assignment. */
    private static boolean isAssignedAt(String s, int i) {
        int n = s.length();
        if (i < n && (s.charAt(i) == '"' || s.charAt(i) == '\'')) {
            i++;
        }
        while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        if (i >= n) {
            return false;
        }
        char c = s.charAt(i);
        char next = i + 1 < n ? s.charAt(i + 1) : '\0';
        // A colon that ends the line opens a block (if x < timeout:), it does not assign.
        boolean keyColon = c == ':' && next != ':' && !blankFrom(s, i + 1);
        return (c == '=' && next != '=') || keyColon || ("+-*/".indexOf(c) >= 0 && next == '=');
    }

    private static boolean blankFrom(String s, int i) {
        for (; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static String snakeCase(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                char prev = name.charAt(i - 1);
                boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
                if (Character.isLowerCase(prev) || Character.isDigit(prev) || (Character.isUpperCase(prev) && nextLower)) {
                    out.append('_');
                }
            }
            out.append(c);
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** Trimmed and cut to {@link #MAX_TEXT} characters (never half a surrogate pair), without copying all of a long line. */
    private static String cut(String text) {
        int start = 0;
        while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        int end = Math.min(text.length(), start + MAX_TEXT);
        if (end < text.length() && end > start && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end).strip();
    }

    private static boolean isStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isPart(char c) {
        return isStart(c) || (c >= '0' && c <= '9');
    }
}
