package dev.governor.policies;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InlineDiffFactsTest {

    @Test
    void everyFileOfAGitDiffIsNamedWithoutItsPrefixes() {
        String diff = """
                diff --git a/src/tools/edit.py b/src/tools/edit.py
                index 83db48f..bf269f4 100644
                --- a/src/tools/edit.py
                +++ b/src/tools/edit.py
                @@ -40,2 +40,3 @@ def edit_file(path, patch):
                     try:
                         apply_patch(patch)
                +    except PatchError:
                diff --git a/evals/harness.py b/evals/harness.py
                --- a/evals/harness.py
                +++ b/evals/harness.py
                @@ -1 +1 @@
                -TIMEOUT = 60
                +TIMEOUT = 6000
                """;
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        assertThat(facts.paths()).containsExactly("src/tools/edit.py", "evals/harness.py");
        assertThat(facts.problem()).isNull();
    }

    @Test
    void aRemovedLineThatLooksLikeAHeaderIsContentInsideItsHunk() {
        String diff = """
                --- a/db/schema.sql
                +++ b/db/schema.sql
                @@ -1,3 +1,2 @@
                --- a/evals/ignored.py
                -+++ b/evals/ignored.py
                 create table t (id int);
                +-- kept
                """;
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        assertThat(facts.problem()).isNull();
        assertThat(facts.paths()).containsExactly("db/schema.sql");
    }

    @Test
    void aHeaderAfterAHunkIsReadAsTheNextFile() {
        String diff = """
                --- a/src/a.py
                +++ b/src/a.py
                @@ -1 +1 @@
                -x = 1
                +x = 2
                --- a/evals/score.py
                +++ b/evals/score.py
                @@ -1 +1 @@
                -PASS = 0.5
                +PASS = 0.0
                """;
        assertThat(InlineDiffFacts.read(diff).paths()).containsExactly("src/a.py", "evals/score.py");
    }

    @Test
    void aHunkShorterThanItsHeaderCountsCannotBeRead() {
        String diff = "--- a/src/a.py\n+++ b/src/a.py\n@@ -40,3 +40,6 @@\n+one\n+two\n";
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        assertThat(facts.problem()).isEqualTo("the diff ends inside the hunk starting at line 3");
        assertThat(facts.paths()).containsExactly("src/a.py");
    }

    @Test
    void aHunkInterruptedBeforeItsCountsCannotBeRead() {
        String diff = "--- a/src/a.py\n+++ b/src/a.py\n@@ -1,2 +1,2 @@\n-a\n+b\nplain text\n";
        assertThat(InlineDiffFacts.read(diff).problem())
                .isEqualTo("the hunk starting at line 3 ends at line 6 before the lines its @@ header counts");
    }

    @Test
    void aHunkBeforeAnyFileHeaderCannotBeRead() {
        assertThat(InlineDiffFacts.read("@@ -1 +1 @@\n-a\n+b\n").problem())
                .isEqualTo("the hunk at line 1 has no ---/+++ or diff --git header of its own: git apply refuses the whole diff,"
                        + " GNU patch skips it");
    }

    @Test
    void aHunkIntroducedOnlyByAnIndexLineIsRefusedAndItsFileNamed() {
        String diff = """
                --- a/src/agent/tools.py
                +++ b/src/agent/tools.py
                @@ -1,3 +1,3 @@
                 a
                -b
                +B
                 c
                Index: evaluation/grader.py
                ===================================================================
                @@ -1,3 +1,3 @@
                 p
                -q
                +Q
                 r
                """;
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        assertThat(facts.paths()).containsExactly("src/agent/tools.py", "evaluation/grader.py");
        assertThat(facts.problem()).isEqualTo("the hunk at line 10 has no ---/+++ or diff --git header of its own:"
                + " git apply refuses the whole diff, GNU patch applies it to evaluation/grader.py (its Index: line)");
    }

    @Test
    void aSecondHunkRightAfterTheFirstBelongsToTheSameFile() {
        String diff = "--- a/src/x.py\n+++ b/src/x.py\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n@@ -9 +9 @@\n-c\n+C\n";
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        assertThat(facts.problem()).isNull();
        assertThat(facts.files()).singleElement().satisfies(f -> assertThat(f.hunks()).hasSize(2));
    }

    @Test
    void aTraditionalHeaderNamingTwoFilesIsRefusedWithBothNamed() {
        InlineDiffFacts facts = InlineDiffFacts.read("--- a/src/x.py\n+++ b/evaluation/g.py\n@@ -1 +1 @@\n-q\n+Q\n");
        assertThat(facts.paths()).containsExactly("src/x.py", "evaluation/g.py");
        assertThat(facts.problem()).startsWith("the header at line 1 names two files, src/x.py and evaluation/g.py");
    }

    @Test
    void aNameThatLeavesTheTreeIsRefused() {
        assertThat(InlineDiffFacts.read("--- a/src/../evals/s.py\n+++ b/src/../evals/s.py\n@@ -1 +1 @@\n-q\n+Q\n").problem())
                .isEqualTo("the file name src/../evals/s.py at line 1 is not a normalised relative path: git apply refuses it,"
                        + " GNU patch ignores it");
    }

    @Test
    void aBinaryPatchIsRefused() {
        String diff = "diff --git a/m.bin b/m.bin\nnew file mode 100644\nindex 0000000..e69de29\nBinary files /dev/null and b/m.bin differ\n";
        assertThat(InlineDiffFacts.read(diff).problem()).contains("is binary");
    }

    @Test
    void aNewSymlinkIsResolvedAgainstItsOwnDirectory() {
        String diff = "diff --git a/src/agent/helper.py b/src/agent/helper.py\nnew file mode 120000\nindex 0000000..1111111\n"
                + "--- /dev/null\n+++ b/src/agent/helper.py\n@@ -0,0 +1 @@\n+../../evaluation/grader.py\n\\ No newline at end of file\n";
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        assertThat(facts.problem()).isNull();
        assertThat(facts.symlinks()).containsExactly(
                new InlineDiffFacts.Symlink("src/agent/helper.py", "../../evaluation/grader.py", "evaluation/grader.py"));
    }

    @Test
    void symlinkTargetsAreNormalised() {
        assertThat(InlineDiffFacts.resolve("a/b/l", "../c/./d//e")).isEqualTo("a/c/d/e");
        assertThat(InlineDiffFacts.resolve("l", "x")).isEqualTo("x");
        assertThat(InlineDiffFacts.resolve("a/l", "..")).isEqualTo(".");
        assertThat(InlineDiffFacts.resolve("a/l", "../../x")).isEqualTo("../x");
        assertThat(InlineDiffFacts.resolve("a/l", "/opt/../evals/x")).isEqualTo("/evals/x");
    }

    @Test
    void aDeletedOrModeChangedFileIsChangedAndACopySourceIsNot() {
        String diff = """
                diff --git a/src/old.py b/src/old.py
                deleted file mode 100644
                --- a/src/old.py
                +++ /dev/null
                @@ -1 +0,0 @@
                -x
                diff --git a/run.sh b/run.sh
                old mode 100644
                new mode 100755
                """;
        assertThat(InlineDiffFacts.read(diff).paths()).containsExactly("src/old.py", "run.sh");
    }

    @Test
    void changedLinesCarryTheirFileSideAndLineNumber() {
        String diff = "--- a/src/x.py\n+++ b/src/x.py\n@@ -10,3 +10,3 @@\n a\n-    log.info(b)\n+    # log.info(b)\n c\n";
        assertThat(InlineDiffFacts.read(diff).changedLines(10)).containsExactly(
                new InlineDiffFacts.ChangedLine("src/x.py", 11, '-', "    log.info(b)"),
                new InlineDiffFacts.ChangedLine("src/x.py", 11, '+', "    # log.info(b)"));
        assertThat(InlineDiffFacts.read(diff).changedLines(1)).hasSize(1);
    }

    @Test
    void aMalformedHunkHeaderCannotBeRead() {
        assertThat(InlineDiffFacts.read("--- a/x\n+++ b/x\n@@ -1,x +1 @@\n").problem())
                .isEqualTo("line 3 is not a hunk header of the form @@ -a,b +c,d @@");
    }

    @Test
    void textWithoutAnyFileHeaderCannotBeRead() {
        InlineDiffFacts facts = InlineDiffFacts.read("+retry\n");
        assertThat(facts.problem()).isEqualTo("it names no file (no diff --git, --- or +++ header)");
        assertThat(facts.paths()).isEmpty();
    }

    @Test
    void anEmptyDiffNamesNothingAndIsReadable() {
        InlineDiffFacts facts = InlineDiffFacts.read("");
        assertThat(facts.paths()).isEmpty();
        assertThat(facts.problem()).isNull();
        assertThat(facts.bytes()).isZero();
    }

    @Test
    void renamesNameBothSidesCopiesTheirDestinationAndNewFilesNotDevNull() {
        String diff = """
                diff --git a/src/score.py b/evals/score.py
                similarity index 100%
                rename from src/score.py
                rename to evals/score.py
                diff --git a/src/x.py b/monitors/x.py
                similarity index 100%
                copy from src/x.py
                copy to monitors/x.py
                diff --git a/src/new.py b/src/new.py
                new file mode 100644
                --- /dev/null
                +++ b/src/new.py
                @@ -0,0 +1 @@
                +print("new")
                """;
        assertThat(InlineDiffFacts.read(diff).paths())
                .containsExactly("src/score.py", "evals/score.py", "monitors/x.py", "src/new.py");
    }

    @Test
    void gitQuotedNamesAreUnquoted() {
        String diff = "diff --git \"a/src/t\\303\\251st \\\"q\\\".py\" \"b/src/t\\303\\251st \\\"q\\\".py\"\n"
                + "--- \"a/src/t\\303\\251st \\\"q\\\".py\"\n+++ \"b/src/t\\303\\251st \\\"q\\\".py\"\n@@ -1 +1 @@\n-a\n+b\n";
        assertThat(InlineDiffFacts.read(diff).paths()).containsExactly("src/tést \"q\".py");
    }

    @Test
    void charactersOutsideTheBasicPlaneSurviveUnquoting() {
        String diff = "--- \"a/src/\\\"x\\\" \uD83D\uDE00.py\"\n+++ \"b/src/\\\"x\\\" \uD83D\uDE00.py\"\n@@ -1 +1 @@\n-a\n+b\n";
        assertThat(InlineDiffFacts.read(diff).paths()).containsExactly("src/\"x\" \uD83D\uDE00.py");
    }

    @Test
    void namesWithSpacesInAGitHeaderAreSplitWhereBothSidesAgree() {
        String diff = "diff --git a/my dir/b/file.py b/my dir/b/file.py\nold mode 100644\nnew mode 100755\n";
        assertThat(InlineDiffFacts.read(diff).paths()).containsExactly("my dir/b/file.py");
    }

    @Test
    void timestampsAfterATabAndCarriageReturnsAreNotPartOfTheNameWhichLosesItsFirstDirectoryAsWithP1() {
        String diff = "--- src/a.py\t2026-11-26 10:00:00.000000000 +0000\r\n+++ src/a.py\t2026-11-26 10:01:00.000000000 +0000\r\n"
                + "@@ -1 +1 @@\r\n-a\r\n+b\r\n";
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        assertThat(facts.paths()).containsExactly("a.py");
        assertThat(facts.problem()).isNull();
    }

    @Test
    void noNewlineMarkersAndBlankContextLinesBelongToTheHunk() {
        String diff = "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n\n-two\n\\ No newline at end of file\n+2\n\\ No newline at end of file\n";
        InlineDiffFacts facts = InlineDiffFacts.read(diff);
        assertThat(facts.problem()).isNull();
        assertThat(facts.paths()).containsExactly("a.txt");
    }

    @Test
    void sizeIsCountedInUtf8Bytes() {
        assertThat(InlineDiffFacts.read("a").bytes()).isEqualTo(1);
        assertThat(InlineDiffFacts.read("é").bytes()).isEqualTo(2);
        assertThat(InlineDiffFacts.read("€").bytes()).isEqualTo(3);
        assertThat(InlineDiffFacts.read("😀").bytes()).isEqualTo(4);
        for (String odd : new String[] {"\uD83D", "\uDE00", "a\uD83Db", "\uDE00\uD83D"}) {
            assertThat(InlineDiffFacts.read(odd).bytes()).as("lone surrogates").isEqualTo(odd.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        String mixed = "--- a/é.py\n+++ b/é.py\n@@ -0,0 +1 @@\n+€😀\n";
        assertThat(InlineDiffFacts.read(mixed).bytes()).isEqualTo(mixed.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }
}
