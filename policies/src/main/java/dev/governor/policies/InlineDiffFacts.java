package dev.governor.policies;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the gate needs to know about a proposal's {@code artifact.inlineDiff}, read the way the
 * tools that apply it read it: {@code git apply} and GNU {@code patch -p1 -f}. The loop's own
 * {@code touchedPaths} is not trusted; the policy compares it with {@link #paths()}.
 *
 * <p>A diff is cut into file patches by the headers both tools act on ({@code diff --git} with
 * its extended header lines, or {@code ---}/{@code +++} directly followed by a hunk), and hunks
 * are skipped by the line counts of their {@code @@} headers, as {@code git apply} reads them. A
 * shape on which the two tools would change different files, or which one of them refuses, is a
 * {@link #problem()} and the policy denies it (README "Input contract"):
 * <ul>
 *   <li>a hunk without a header of its own (after an {@code Index:} line, or after text that
 *       ends the previous file): {@code git apply} refuses the whole diff, GNU {@code patch}
 *       applies it to the {@code Index:} file or skips it;</li>
 *   <li>a traditional header whose two names differ: {@code git apply} changes the new name,
 *       GNU {@code patch} the shorter one that exists;</li>
 *   <li>a name that {@code -p1} cannot strip, or that is not a normalised relative path after
 *       stripping ({@code git apply} refuses it, GNU {@code patch} ignores it);</li>
 *   <li>binary patches (GNU {@code patch} cannot apply them), a {@code ---}/{@code +++} pair with
 *       no hunk after it, hunks that do not add up.</li>
 * </ul>
 *
 * @param bytes UTF-8 length of the diff
 * @param files the file patches in order of appearance, including ones only one tool would apply
 * @param problem why the diff cannot be judged as the tools would apply it, or {@code null}
 */
public record InlineDiffFacts(long bytes, List<FilePatch> files, String problem) {

    /** A file mode of git's that makes the file a symbolic link (its content is the target). */
    public static final String SYMLINK_MODE = "120000";

    public InlineDiffFacts {
        files = List.copyOf(files);
    }

    /** What one file patch does to the tree. */
    public enum Operation {
        MODIFY, CREATE, DELETE, RENAME, COPY
    }

    /**
     * One file's part of the diff.
     *
     * @param oldPath the file before (null when created)
     * @param newPath the file after (null when deleted)
     * @param newMode the git mode the file has afterwards, when the diff says ({@code 120000} for
     *     a symbolic link), else null
     */
    public record FilePatch(Operation operation, String oldPath, String newPath, String newMode, List<Hunk> hunks) {
        public FilePatch {
            hunks = List.copyOf(hunks);
        }

        /** The files this patch changes: a copy changes only its destination. */
        public List<String> touched() {
            return switch (operation) {
                case CREATE, COPY -> List.of(newPath);
                case DELETE -> List.of(oldPath);
                case MODIFY -> List.of(newPath != null ? newPath : oldPath);
                case RENAME -> List.of(oldPath, newPath);
            };
        }

        public boolean isSymlinkAfter() {
            return SYMLINK_MODE.equals(newMode) && operation != Operation.DELETE;
        }
    }

    /**
     * One hunk: its {@code @@} positions and its lines, each starting with {@code ' '}, {@code '-'},
     * {@code '+'} or {@code '\'} as in the diff.
     */
    public record Hunk(long oldStart, long newStart, List<String> lines) {
        public Hunk {
            lines = List.copyOf(lines);
        }
    }

    /** A symbolic link the diff creates or changes, and where it points from its own directory. */
    public record Symlink(String path, String target, String resolved) {
    }

    /** A line the diff adds ({@code +}, numbered in the new file) or removes ({@code -}, old file). */
    public record ChangedLine(String file, long line, char side, String text) {
    }

    /** Every file {@code git apply} or GNU {@code patch} would change, in order of appearance. */
    public List<String> paths() {
        Set<String> paths = new LinkedHashSet<>();
        files.forEach(f -> paths.addAll(f.touched()));
        return List.copyOf(paths);
    }

    /** The symbolic links the diff creates or changes (git mode 120000 afterwards). */
    public List<Symlink> symlinks() {
        List<Symlink> links = new ArrayList<>();
        for (FilePatch f : files) {
            if (!f.isSymlinkAfter()) {
                continue;
            }
            StringBuilder target = new StringBuilder();
            f.hunks().forEach(h -> h.lines().stream().filter(l -> l.startsWith("+")).forEach(l -> target.append(l, 1, l.length())));
            String text = stripCr(target.toString());
            links.add(new Symlink(f.newPath(), text, resolve(f.newPath(), text)));
        }
        return links;
    }

    /** The added and removed lines, in diff order, at most {@code max} of them. */
    public List<ChangedLine> changedLines(int max) {
        List<ChangedLine> lines = new ArrayList<>();
        for (FilePatch f : files) {
            for (Hunk h : f.hunks()) {
                long oldLine = h.oldStart();
                long newLine = h.newStart();
                for (String l : h.lines()) {
                    char side = l.isEmpty() || l.equals("\r") ? ' ' : l.charAt(0);
                    if (side == '-' || side == '+') {
                        if (lines.size() == max) {
                            return lines;
                        }
                        String file = side == '-' ? f.oldPath() : f.newPath();
                        lines.add(new ChangedLine(file, side == '-' ? oldLine : newLine, side, stripCr(l.substring(1))));
                    }
                    if (side == '-' || side == ' ') {
                        oldLine++;
                    }
                    if (side == '+' || side == ' ') {
                        newLine++;
                    }
                }
            }
        }
        return lines;
    }

    /**
     * The link's target resolved against the link's directory, normalised: relative to the top of
     * the tree, {@code .} for the top itself, starting with {@code ..} when it leaves the tree, and
     * starting with {@code /} when the target is absolute.
     */
    static String resolve(String linkPath, String target) {
        List<String> segments = new ArrayList<>();
        boolean absolute = target.startsWith("/");
        if (!absolute) {
            int slash = linkPath.lastIndexOf('/');
            if (slash > 0) {
                segments.addAll(List.of(linkPath.substring(0, slash).split("/")));
            }
        }
        for (String s : target.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..") && !segments.isEmpty() && !segments.get(segments.size() - 1).equals("..")) {
                segments.remove(segments.size() - 1);
            } else if (!(s.equals("..") && absolute)) {
                segments.add(s);
            }
        }
        String joined = String.join("/", segments);
        if (absolute) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /** Reads a diff as {@code git diff}, {@code diff -u} or a loop wrote it. */
    public static InlineDiffFacts read(String diff) {
        long bytes = utf8Length(diff);
        if (diff.isBlank()) {
            return new InlineDiffFacts(bytes, List.of(), null);
        }
        DiffReader reader = new DiffReader(diff);
        reader.read();
        String problem = reader.problem;
        if (problem == null && reader.files.isEmpty()) {
            problem = "it names no file (no diff --git, --- or +++ header)";
        }
        return new InlineDiffFacts(bytes, reader.files, problem);
    }

    /** What {@code getBytes(UTF_8).length} gives (a lone surrogate is one byte, '?'), without encoding a copy. */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String stripCr(String s) {
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** One pass over the lines; the first problem found is kept, the files are read on regardless. */
    private static final class DiffReader {
        private final String[] lines;
        private final List<FilePatch> files = new ArrayList<>();
        private String problem;
        private int next;

        DiffReader(String diff) {
            String[] split = diff.split("\n", -1);
            // A final newline ends the last line; it does not start another.
            int n = split.length > 0 && split[split.length - 1].isEmpty() ? split.length - 1 : split.length;
            lines = java.util.Arrays.copyOf(split, n);
        }

        private void problem(String why) {
            if (problem == null) {
                problem = why;
            }
        }

        void read() {
            String indexName = null;
            while (next < lines.length) {
                String line = stripCr(lines[next]);
                int lineNumber = next + 1;
                if (line.startsWith("diff --git ")) {
                    next++;
                    gitPatch(line.substring("diff --git ".length()), lineNumber);
                    indexName = null;
                } else if (line.startsWith("--- ") && next + 1 < lines.length && lines[next + 1].startsWith("+++ ")) {
                    next += 2;
                    traditionalPatch(line.substring(4), stripCr(lines[next - 1]).substring(4), lineNumber);
                    indexName = null;
                } else if (line.startsWith("@@ ")) {
                    headerlessHunk(indexName, lineNumber);
                    indexName = null;
                } else {
                    if (line.startsWith("Index: ")) {
                        indexName = stripPrefix(stripPrefix(headerName(line.substring(7)), "a/"), "b/");
                    }
                    next++;
                }
            }
        }

        /** {@code diff --git} and its extended header lines, then optional ---/+++ and hunks. */
        private void gitPatch(String header, int lineNumber) {
            String[] names = gitHeaderNames(header);
            String oldPath = strip(names[0], lineNumber);
            String newPath = strip(names[1], lineNumber);
            Operation operation = Operation.MODIFY;
            String newMode = null;
            boolean sawPlus = false;
            while (next < lines.length) {
                String line = stripCr(lines[next]);
                if (line.startsWith("new file mode ")) {
                    operation = Operation.CREATE;
                    newMode = line.substring("new file mode ".length()).strip();
                } else if (line.startsWith("deleted file mode ")) {
                    operation = Operation.DELETE;
                } else if (line.startsWith("new mode ")) {
                    newMode = line.substring("new mode ".length()).strip();
                } else if (line.startsWith("index ")) {
                    int space = line.indexOf(' ', "index ".length());
                    if (space > 0 && newMode == null) {
                        newMode = line.substring(space + 1).strip();
                    }
                } else if (line.startsWith("rename from ") || line.startsWith("copy from ")) {
                    operation = line.startsWith("rename") ? Operation.RENAME : Operation.COPY;
                    oldPath = checked(quotedOrPlain(line.substring(line.indexOf(" from ") + 6)), lineNumber);
                } else if (line.startsWith("rename to ") || line.startsWith("copy to ")) {
                    newPath = checked(quotedOrPlain(line.substring(line.indexOf(" to ") + 4)), lineNumber);
                } else if (line.startsWith("Binary files ") || line.equals("GIT binary patch")) {
                    problem("the patch of " + newPath + " at line " + lineNumber
                            + " is binary: GNU patch cannot apply it and git apply needs its full index");
                } else if (line.startsWith("--- ")) {
                    String name = headerName(line.substring(4));
                    if (!name.equals("/dev/null")) {
                        oldPath = strip(name, lineNumber);
                    }
                } else if (line.startsWith("+++ ")) {
                    String name = headerName(line.substring(4));
                    if (!name.equals("/dev/null")) {
                        newPath = strip(name, lineNumber);
                    }
                    sawPlus = true;
                } else if (!line.startsWith("old mode ") && !line.startsWith("similarity index ")
                        && !line.startsWith("dissimilarity index ")) {
                    break;
                }
                next++;
                if (sawPlus) {
                    break;
                }
            }
            if (operation == Operation.CREATE) {
                oldPath = null;
            } else if (operation == Operation.DELETE) {
                newPath = null;
            }
            files.add(new FilePatch(operation, oldPath, newPath, newMode, hunks(sawPlus, lineNumber)));
        }

        /** {@code --- old} {@code +++ new}, which both tools read only when a hunk follows. */
        private void traditionalPatch(String oldHeader, String newHeader, int lineNumber) {
            String oldName = headerName(oldHeader);
            String newName = headerName(newHeader);
            String oldPath = oldName.equals("/dev/null") ? null : strip(oldName, lineNumber);
            String newPath = newName.equals("/dev/null") ? null : strip(newName, lineNumber);
            Operation operation = oldPath == null ? Operation.CREATE : newPath == null ? Operation.DELETE : Operation.MODIFY;
            if (oldPath != null && newPath != null && !oldPath.equals(newPath)) {
                problem("the header at line " + lineNumber + " names two files, " + oldPath + " and " + newPath
                        + ": git apply changes the second, GNU patch the shorter one that exists");
                files.add(new FilePatch(Operation.MODIFY, oldPath, oldPath, null, List.of()));
            }
            if (oldPath == null && newPath == null) {
                problem("the header at line " + lineNumber + " names no file (both sides are /dev/null)");
            }
            if (next >= lines.length || !lines[next].startsWith("@@ ")) {
                problem("the ---/+++ header at line " + lineNumber
                        + " is not followed by a hunk: git apply ignores it, GNU patch does not");
            }
            files.add(new FilePatch(operation, oldPath, newPath, null, hunks(true, lineNumber)));
        }

        /** A hunk no header of its own introduces: git apply refuses the diff, GNU patch guesses. */
        private void headerlessHunk(String indexName, int lineNumber) {
            String applied = indexName == null ? "skips it" : "applies it to " + indexName + " (its Index: line)";
            problem("the hunk at line " + lineNumber + " has no ---/+++ or diff --git header of its own: git apply refuses"
                    + " the whole diff, GNU patch " + applied);
            List<Hunk> hunks = hunks(true, lineNumber);
            if (indexName != null && !indexName.isEmpty()) {
                files.add(new FilePatch(Operation.MODIFY, indexName, indexName, null, hunks));
            }
        }

        /** The consecutive hunks from here; anything else between them ends the file patch. */
        private List<Hunk> hunks(boolean allowed, int headerLine) {
            List<Hunk> hunks = new ArrayList<>();
            while (next < lines.length && lines[next].startsWith("@@ ")) {
                int hunkLine = next + 1;
                long[] header = hunkHeader(stripCr(lines[next]));
                if (header == null) {
                    problem("line " + hunkLine + " is not a hunk header of the form @@ -a,b +c,d @@");
                    next++;
                    return hunks;
                }
                if (!allowed) {
                    problem("the hunk at line " + hunkLine + " follows the git header at line " + headerLine
                            + " without ---/+++ lines");
                }
                next++;
                long oldLeft = header[1];
                long newLeft = header[3];
                List<String> body = new ArrayList<>();
                while (oldLeft > 0 || newLeft > 0) {
                    if (next >= lines.length) {
                        problem("the diff ends inside the hunk starting at line " + hunkLine);
                        break;
                    }
                    String line = lines[next];
                    char first = line.isEmpty() || line.equals("\r") ? ' ' : line.charAt(0);
                    switch (first) {
                        case ' ' -> {
                            oldLeft--;
                            newLeft--;
                        }
                        case '-' -> oldLeft--;
                        case '+' -> newLeft--;
                        case '\\' -> { }
                        default -> {
                            problem("the hunk starting at line " + hunkLine + " ends at line " + (next + 1)
                                    + " before the lines its @@ header counts");
                            hunks.add(new Hunk(header[0], header[2], body));
                            return hunks;
                        }
                    }
                    if (oldLeft < 0 || newLeft < 0) {
                        problem("the hunk starting at line " + hunkLine + " has more lines than its @@ header counts (line "
                                + (next + 1) + ")");
                    }
                    body.add(line);
                    next++;
                }
                while (next < lines.length && lines[next].startsWith("\\")) {
                    body.add(lines[next]);
                    next++;
                }
                hunks.add(new Hunk(header[0], header[2], body));
            }
            return hunks;
        }

        /** {@code -p1}: both tools drop the first directory; the rest must be a plain relative path. */
        private String strip(String name, int lineNumber) {
            int slash = name.indexOf('/');
            if (slash < 0) {
                problem("the file name " + name + " at line " + lineNumber
                        + " has no leading directory (a/, b/) to strip: git apply and GNU patch -p1 read it differently");
                return checked(name, lineNumber);
            }
            return checked(name.substring(slash + 1), lineNumber);
        }

        private String checked(String path, int lineNumber) {
            String delimited = "/" + path + "/";
            if (path.isEmpty() || delimited.contains("//") || delimited.contains("/./") || delimited.contains("/../")) {
                problem("the file name " + path + " at line " + lineNumber
                        + " is not a normalised relative path: git apply refuses it, GNU patch ignores it");
            }
            return path;
        }

        /** {@code a/x b/x}, both quoted or not; names with spaces are split where the two halves agree. */
        private static String[] gitHeaderNames(String rest) {
            if (rest.startsWith("\"")) {
                int close = closingQuote(rest);
                if (close > 0) {
                    return new String[] {unquote(rest.substring(0, close + 1)), quotedOrPlain(rest.substring(close + 1).strip())};
                }
            }
            if ((rest.length() - 1) % 2 == 0) {
                int half = (rest.length() - 1) / 2;
                String left = rest.substring(0, half);
                String right = rest.substring(half + 1);
                if (rest.charAt(half) == ' ' && afterFirstSlash(left).equals(afterFirstSlash(right))) {
                    return new String[] {left, right};
                }
            }
            int split = rest.indexOf(" b/");
            if (split < 0) {
                split = rest.indexOf(' ');
            }
            if (split < 0) {
                return new String[] {rest, rest};
            }
            return new String[] {rest.substring(0, split), quotedOrPlain(rest.substring(split + 1))};
        }

        private static String afterFirstSlash(String s) {
            int slash = s.indexOf('/');
            return slash < 0 ? s : s.substring(slash + 1);
        }

        private static String stripPrefix(String s, String prefix) {
            return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
        }

        /** The name on a {@code ---}/{@code +++}/{@code Index:} line: quoted, or up to a tab. */
        private static String headerName(String rest) {
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
                int close = closingQuote(s);
                if (close > 0) {
                    return unquote(s.substring(0, close + 1));
                }
            }
            return s;
        }

        private static int closingQuote(String s) {
            for (int i = 1; i < s.length(); i++) {
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

        /** {@code @@ -a[,b] +c[,d] @@...} as {a, b, c, d}; a missing count is 1. */
        private static long[] hunkHeader(String line) {
            int close = line.indexOf(" @@", 3);
            if (close < 0) {
                return null;
            }
            String[] ranges = line.substring(3, close).split(" ");
            if (ranges.length != 2 || !ranges[0].startsWith("-") || !ranges[1].startsWith("+")) {
                return null;
            }
            long[] old = range(ranges[0].substring(1));
            long[] now = range(ranges[1].substring(1));
            return old == null || now == null ? null : new long[] {old[0], old[1], now[0], now[1]};
        }

        private static long[] range(String range) {
            int comma = range.indexOf(',');
            String start = comma < 0 ? range : range.substring(0, comma);
            String count = comma < 0 ? "1" : range.substring(comma + 1);
            if (!start.matches("\\d{1,9}") || !count.matches("\\d{1,9}")) {
                return null;
            }
            return new long[] {Long.parseLong(start), Long.parseLong(count)};
        }
    }
}
