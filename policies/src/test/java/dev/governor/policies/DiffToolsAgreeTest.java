package dev.governor.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.governor.policies.InlineDiffFacts.FilePatch;
import dev.governor.policies.InlineDiffFacts.Hunk;
import dev.governor.policies.InlineDiffFacts.Operation;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The files {@link InlineDiffFacts} says a diff changes are the files the real tools change: for
 * every inline diff of the decision corpus (and a few shapes the corpus has no case for), a scratch
 * tree holding what the diff expects is patched by {@code git apply} and by GNU
 * {@code patch -p1 -f}, after {@code git apply --check} and {@code patch --dry-run} pass, and the
 * files that differ afterwards must be exactly {@link InlineDiffFacts#paths()}. Where the reader
 * refuses a diff, the tools must not both apply it to the same files. Skipped, with the reason,
 * only when git or patch is not installed (scripts/install-patch installs patch).
 */
class DiffToolsAgreeTest {

    static Stream<Arguments> diffs() throws Exception {
        List<Arguments> diffs = new ArrayList<>();
        URL dir = DiffToolsAgreeTest.class.getClassLoader().getResource("corpus");
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode diff = DecisionCorpus.JSON.readTree(file.toFile()).path("input").path("proposal").path("artifact").path("inlineDiff");
                if (diff.isTextual()) {
                    diffs.add(Arguments.of("corpus " + file.getFileName(), diff.textValue()));
                }
            }
        }
        diffs.add(Arguments.of("rename", "diff --git a/src/x.py b/src/y.py\nsimilarity index 100%\nrename from src/x.py\nrename to src/y.py\n"));
        diffs.add(Arguments.of("copy", "diff --git a/src/x.py b/src/y.py\nsimilarity index 100%\ncopy from src/x.py\ncopy to src/y.py\n"));
        diffs.add(Arguments.of("deletion", "diff --git a/src/x.py b/src/x.py\ndeleted file mode 100644\n--- a/src/x.py\n+++ /dev/null\n"
                + "@@ -1,2 +0,0 @@\n-a\n-b\n"));
        diffs.add(Arguments.of("mode change", "diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"));
        diffs.add(Arguments.of("empty new file", "diff --git a/src/empty.py b/src/empty.py\nnew file mode 100644\nindex 0000000..e69de29\n"));
        diffs.add(Arguments.of("new symlink", "diff --git a/src/l b/src/l\nnew file mode 120000\nindex 0000000..1111111\n--- /dev/null\n+++ b/src/l\n"
                + "@@ -0,0 +1 @@\n+../evals/x.py\n\\ No newline at end of file\n"));
        diffs.add(Arguments.of("two hunks, second without a header", "--- a/src/x.py\n+++ b/src/x.py\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
                + "Index: evaluation/g.py\n@@ -1,3 +1,3 @@\n p\n-q\n+Q\n r\n"));
        diffs.add(Arguments.of("traditional header naming two files", "--- a/src/x.py\n+++ b/evaluation/g.py\n@@ -1,3 +1,3 @@\n p\n-q\n+Q\n r\n"));
        diffs.add(Arguments.of("quoted name with a space", "diff --git \"a/src/my file.py\" \"b/src/my file.py\"\n--- \"a/src/my file.py\"\n"
                + "+++ \"b/src/my file.py\"\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"));
        return diffs.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("diffs")
    void gitApplyAndGnuPatchChangeExactlyTheFilesTheDiffIsReadAsChanging(String name, String diff, @TempDir Path dir) throws Exception {
        assumeTrue(onPath("git"), "git is not installed: cannot compare the diff reader with git apply");
        assumeTrue(onPath("patch"), "GNU patch is not installed (scripts/install-patch): cannot compare the diff reader with patch");
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree);
        for (FilePatch f : facts.files()) {
            writePreimage(tree, f);
        }
        Path patchFile = dir.resolve("change.diff");
        Files.writeString(patchFile, diff, StandardCharsets.UTF_8);

        Applied git = apply(dir, tree, "git", List.of("git", "apply", "--check", patchFile.toString()),
                List.of("git", "apply", patchFile.toString()));
        Applied patch = apply(dir, tree, "patch", List.of("patch", "-p1", "-f", "--dry-run", "-i", patchFile.toString()),
                List.of("patch", "-p1", "-f", "--no-backup-if-mismatch", "-i", patchFile.toString()));

        if (facts.problem() == null) {
            assertThat(git.ok()).as("git apply --check: %s", git.output()).isTrue();
            assertThat(patch.ok()).as("patch --dry-run: %s", patch.output()).isTrue();
            assertThat(git.changed()).as("files git apply changed").isEqualTo(new TreeSet<>(facts.paths()));
            assertThat(patch.changed()).as("files GNU patch changed").isEqualTo(new TreeSet<>(facts.paths()));
        } else {
            boolean toolsAgree = git.ok() && patch.ok() && git.changed().equals(patch.changed());
            assertThat(toolsAgree).as("both tools apply the diff to %s, yet it is refused: %s", git.changed(), facts.problem()).isFalse();
        }
    }

    private record Applied(boolean ok, Set<String> changed, String output) {
    }

    private static Applied apply(Path dir, Path tree, String tool, List<String> check, List<String> apply) throws Exception {
        Path copy = dir.resolve(tool);
        copyTree(tree, copy);
        Run checked = run(copy, dir, check);
        if (!checked.ok()) {
            return new Applied(false, Set.of(), checked.output());
        }
        Run applied = run(copy, dir, apply);
        return new Applied(applied.ok(), changedFiles(tree, copy), checked.output() + applied.output());
    }

    private record Run(boolean ok, String output) {
    }

    private static Run run(Path workDir, Path ceiling, List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        // Outside any repository, git apply works on the files as patch does.
        builder.environment().put("GIT_CEILING_DIRECTORIES", ceiling.toString());
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Run(false, command + " timed out");
        }
        return new Run(process.exitValue() == 0, command.get(0) + ": " + output);
    }

    /** The old side of every hunk at its line, filler lines around it, and the file ends where a hunk has no trailing context. */
    private static void writePreimage(Path tree, FilePatch f) throws IOException {
        if (f.operation() == Operation.CREATE || f.oldPath() == null) {
            return;
        }
        Path file = tree.resolve(f.oldPath()).normalize();
        if (!file.startsWith(tree) || Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.createDirectories(file.getParent());
        List<String> lines = new ArrayList<>();
        boolean endsAfterLastHunk = false;
        boolean noNewlineAtEnd = false;
        for (Hunk h : f.hunks()) {
            while (lines.size() < h.oldStart() - 1) {
                lines.add("filler line " + (lines.size() + 1) + " of " + f.oldPath());
            }
            char last = ' ';
            for (String l : h.lines()) {
                char side = l.isEmpty() ? ' ' : l.charAt(0);
                if (side == ' ' || side == '-') {
                    lines.add(l.isEmpty() ? "" : l.substring(1));
                    noNewlineAtEnd = false;
                } else if (side == '\\' && (last == ' ' || last == '-')) {
                    noNewlineAtEnd = true;
                }
                if (side != '\\') {
                    last = side;
                }
            }
            endsAfterLastHunk = last != ' ';
        }
        if (f.hunks().isEmpty()) {
            lines.add("content of " + f.oldPath());
        } else if (!endsAfterLastHunk && f.operation() != Operation.DELETE) {
            for (int i = 0; i < 3; i++) {
                lines.add("trailing filler line " + (i + 1) + " of " + f.oldPath());
            }
        }
        String text = String.join("\n", lines) + (lines.isEmpty() || noNewlineAtEnd ? "" : "\n");
        if (InlineDiffFacts.SYMLINK_MODE.equals(f.newMode())) {
            Files.createSymbolicLink(file, Path.of(text));
        } else {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** Files and links (not directories) that were added, removed, or changed in content, target or executable bit. */
    private static Set<String> changedFiles(Path before, Path after) throws IOException {
        Map<String, String> a = state(before);
        Map<String, String> b = state(after);
        Set<String> changed = new TreeSet<>();
        for (String p : a.keySet()) {
            if (!a.get(p).equals(b.get(p))) {
                changed.add(p);
            }
        }
        for (String p : b.keySet()) {
            if (!a.containsKey(p)) {
                changed.add(p);
            }
        }
        return changed;
    }

    private static Map<String, String> state(Path root) throws IOException {
        Map<String, String> state = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    state.put(rel, "link " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    boolean executable = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS).contains(PosixFilePermission.OWNER_EXECUTE);
                    state.put(rel, (executable ? "x " : "f ") + Files.readString(p, StandardCharsets.ISO_8859_1));
                }
            }
        }
        return state;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
