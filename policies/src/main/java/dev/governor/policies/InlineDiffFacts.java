package dev.governor.policies;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the gate needs to know about a proposal's {@code artifact.inlineDiff}: its size in UTF-8
 * bytes and the files it changes, read from the diff's own headers rather than taken from the
 * loop's {@code touchedPaths}, which the loop writes itself.
 *
 * <p>Paths come from every file header a patch tool would act on: {@code diff --git},
 * {@code ---} and {@code +++} lines, and git's {@code rename}/{@code copy} lines. Hunks are
 * skipped by the line counts in their {@code @@} headers, as {@code git apply} reads them, so a
 * removed line that happens to start with {@code --} is not mistaken for a header. A diff that
 * names no file, or whose hunks do not add up, cannot be checked, and {@link #problem()} says
 * why; the policy denies it.
 *
 * @param bytes UTF-8 length of the diff
 * @param paths the files the diff names, in order of appearance, without the {@code a/} and
 *     {@code b/} prefixes and without {@code /dev/null}
 * @param problem why the diff cannot be read, or {@code null}
 */
public record InlineDiffFacts(long bytes, List<String> paths, String problem) {

    public InlineDiffFacts {
        paths = List.copyOf(paths);
    }

    /** Reads a unified diff (as {@code diff -u} or {@code git diff} writes it). */
    public static InlineDiffFacts read(String diff) {
        long bytes = diff.getBytes(StandardCharsets.UTF_8).length;
        if (diff.isBlank()) {
            return new InlineDiffFacts(bytes, List.of(), null);
        }
        Reader reader = new Reader();
        String problem = reader.read(diff);
        if (problem == null && reader.paths.isEmpty()) {
            problem = "it names no file (no diff --git, --- or +++ header)";
        }
        return new InlineDiffFacts(bytes, new ArrayList<>(reader.paths), problem);
    }

    private static final class Reader {
        private final Set<String> paths = new LinkedHashSet<>();
        private boolean fileSeen;

        /** Returns why the diff cannot be read, or null. */
        String read(String diff) {
            int lineNumber = 0;
            long oldLeft = 0;
            long newLeft = 0;
            int hunkStart = 0;
            int start = 0;
            while (start < diff.length()) {
                int end = diff.indexOf('\n', start);
                if (end < 0) {
                    end = diff.length();
                }
                String line = diff.substring(start, end);
                start = end + 1;
                lineNumber++;
                if (oldLeft > 0 || newLeft > 0) {
                    char first = line.isEmpty() ? ' ' : line.charAt(0);
                    switch (first) {
                        case ' ' -> {
                            oldLeft--;
                            newLeft--;
                        }
                        case '-' -> oldLeft--;
                        case '+' -> newLeft--;
                        case '\\' -> { }
                        default -> {
                            return "the hunk starting at line " + hunkStart + " ends at line " + lineNumber
                                    + " before the lines its @@ header counts";
                        }
                    }
                    if (oldLeft < 0 || newLeft < 0) {
                        return "the hunk starting at line " + hunkStart + " has more lines than its @@ header counts (line "
                                + lineNumber + ")";
                    }
                    continue;
                }
                if (line.startsWith("@@ ")) {
                    long[] counts = hunkCounts(line);
                    if (counts == null) {
                        return "line " + lineNumber + " is not a hunk header of the form @@ -a,b +c,d @@";
                    }
                    if (!fileSeen) {
                        return "the hunk at line " + lineNumber + " comes before any file header";
                    }
                    oldLeft = counts[0];
                    newLeft = counts[1];
                    hunkStart = lineNumber;
                } else if (line.startsWith("diff --git ")) {
                    gitHeader(line.substring("diff --git ".length()));
                } else if (line.startsWith("--- ")) {
                    addPath(headerPath(line.substring(4)), "a/");
                } else if (line.startsWith("+++ ")) {
                    addPath(headerPath(line.substring(4)), "b/");
                } else if (line.startsWith("rename from ") || line.startsWith("copy from ")) {
                    addPath(quotedOrPlain(line.substring(line.indexOf(" from ") + 6)), null);
                } else if (line.startsWith("rename to ") || line.startsWith("copy to ")) {
                    addPath(quotedOrPlain(line.substring(line.indexOf(" to ") + 4)), null);
                }
                // Anything else between files (index, mode, similarity lines, binary notes, preamble
                // text) names no file a patch tool would change.
            }
            if (oldLeft > 0 || newLeft > 0) {
                return "the diff ends inside the hunk starting at line " + hunkStart;
            }
            return null;
        }

        private void addPath(String path, String prefix) {
            fileSeen = true;
            if (path == null || path.isEmpty() || path.equals("/dev/null")) {
                return;
            }
            if (prefix != null && path.startsWith(prefix)) {
                path = path.substring(prefix.length());
            }
            if (!path.isEmpty()) {
                paths.add(path);
            }
        }

        /** {@code a/x b/x}, both quoted or not; names with spaces are split where the two halves agree. */
        private void gitHeader(String rest) {
            rest = stripCr(rest);
            if (rest.startsWith("\"")) {
                int close = closingQuote(rest, 0);
                if (close > 0) {
                    addPath(unquote(rest.substring(0, close + 1)), "a/");
                    addPath(quotedOrPlain(rest.substring(close + 1).strip()), "b/");
                    return;
                }
            }
            int split = -1;
            if ((rest.length() - 1) % 2 == 0) {
                int half = (rest.length() - 1) / 2;
                String left = rest.substring(0, half);
                String right = rest.substring(half + 1);
                if (rest.charAt(half) == ' ' && stripPrefix(left, "a/").equals(stripPrefix(right, "b/"))) {
                    split = half;
                }
            }
            if (split < 0) {
                split = rest.indexOf(" b/");
                if (split < 0) {
                    split = rest.indexOf(' ');
                }
            }
            if (split < 0) {
                addPath(rest, "a/");
                return;
            }
            addPath(rest.substring(0, split), "a/");
            addPath(quotedOrPlain(rest.substring(split + 1)), "b/");
        }

        private static String stripPrefix(String s, String prefix) {
            return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
        }

        /** The name on a {@code ---}/{@code +++} line: quoted, or up to a tab (before a timestamp). */
        private static String headerPath(String rest) {
            rest = stripCr(rest);
            if (rest.startsWith("\"")) {
                return quotedOrPlain(rest);
            }
            int tab = rest.indexOf('\t');
            return tab >= 0 ? rest.substring(0, tab) : rest;
        }

        private static String quotedOrPlain(String s) {
            s = stripCr(s);
            if (s.startsWith("\"")) {
                int close = closingQuote(s, 0);
                if (close > 0) {
                    return unquote(s.substring(0, close + 1));
                }
            }
            return s;
        }

        private static String stripCr(String s) {
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        private static int closingQuote(String s, int open) {
            for (int i = open + 1; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    return i;
                }
            }
            return -1;
        }

        /** Git's C-style quoting: backslash escapes and octal bytes, which spell UTF-8. */
        private static String unquote(String quoted) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            String s = quoted.substring(1, quoted.length() - 1);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '\\' || i + 1 >= s.length()) {
                    int codePoint = s.codePointAt(i);
                    out.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
                    i += Character.charCount(codePoint) - 1;
                    continue;
                }
                char e = s.charAt(++i);
                switch (e) {
                    case 'n' -> out.write('\n');
                    case 't' -> out.write('\t');
                    case 'r' -> out.write('\r');
                    case 'a' -> out.write(7);
                    case 'b' -> out.write('\b');
                    case 'f' -> out.write('\f');
                    case 'v' -> out.write(11);
                    default -> {
                        if (e >= '0' && e <= '7' && i + 2 < s.length()) {
                            out.write(Integer.parseInt(s.substring(i, i + 3), 8) & 0xff);
                            i += 2;
                        } else {
                            out.writeBytes(String.valueOf(e).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        /** Old and new line counts of {@code @@ -a[,b] +c[,d] @@...}; a missing count is 1. */
        private static long[] hunkCounts(String line) {
            int close = line.indexOf(" @@", 3);
            if (close < 0) {
                return null;
            }
            String[] ranges = line.substring(3, close).split(" ");
            if (ranges.length != 2 || !ranges[0].startsWith("-") || !ranges[1].startsWith("+")) {
                return null;
            }
            long oldCount = count(ranges[0].substring(1));
            long newCount = count(ranges[1].substring(1));
            return oldCount < 0 || newCount < 0 ? null : new long[] {oldCount, newCount};
        }

        private static long count(String range) {
            int comma = range.indexOf(',');
            String start = comma < 0 ? range : range.substring(0, comma);
            String count = comma < 0 ? "1" : range.substring(comma + 1);
            if (!start.matches("\\d{1,9}") || !count.matches("\\d{1,9}")) {
                return -1;
            }
            return Long.parseLong(count);
        }
    }
}
