package dev.governor.policies;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class PolicyInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode given(JsonNode artifact) {
        ObjectNode given = JSON.createObjectNode();
        ObjectNode proposal = given.putObject("proposal").put("proposalId", "p-1");
        if (artifact != null) {
            proposal.set("artifact", artifact);
        }
        proposal.putArray("touchedPaths").add("src/a.py");
        given.putObject("lineage").put("generationsSinceLastPromoted", 1).putArray("capabilityHistory");
        given.putObject("loop").put("loopId", "l");
        given.putObject("killSwitch").put("state", "RUNNING").put("epoch", 1);
        return given;
    }

    @Test
    void theDiffTextIsReplacedByWhatWasReadFromIt() {
        ObjectNode artifact = JSON.createObjectNode().put("sha256", "ab").put("uri", "s3://x")
                .put("inlineDiff", "--- a/src/a.py\n+++ b/src/a.py\n@@ -1 +1 @@\n-a\n+b\n");
        ObjectNode given = given(artifact);
        String before = given.toString();

        ObjectNode input = PolicyInput.of(given);

        assertThat(input.path("proposal").path("artifact").has("inlineDiff")).isFalse();
        assertThat(input.path("proposal").path("artifact").path("sha256").asText()).isEqualTo("ab");
        assertThat(input.path("artifact").toString()).isEqualTo("{\"inlineDiffBytes\":48,\"diffPaths\":[\"src/a.py\"],\"changedLines\":["
                + "{\"file\":\"src/a.py\",\"line\":1,\"side\":\"-\",\"text\":\"a\",\"words\":[\"a\"],\"assigned\":[]},"
                + "{\"file\":\"src/a.py\",\"line\":1,\"side\":\"+\",\"text\":\"b\",\"words\":[\"b\"],\"assigned\":[]}]}");
        assertThat(input.path("proposal").path("touchedPaths")).isEqualTo(given.path("proposal").path("touchedPaths"));
        assertThat(input.path("lineage")).isEqualTo(given.path("lineage"));
        assertThat(input.path("killSwitch")).isEqualTo(given.path("killSwitch"));
        assertThat(given.toString()).as("the proposal as given is left as it was").isEqualTo(before);
    }

    @Test
    void anUnreadableDiffCarriesItsProblem() {
        ObjectNode input = PolicyInput.of(given(JSON.createObjectNode().put("inlineDiff", "+retry\n")));
        assertThat(input.path("artifact").path("diffProblem").asText())
                .isEqualTo("inlineDiff cannot be read: it names no file (no diff --git, --- or +++ header)");
        assertThat(input.path("artifact").path("inlineDiffBytes").asLong()).isEqualTo(7);
    }

    @Test
    void aDiffThatIsNotAStringIsAProblem() {
        ObjectNode input = PolicyInput.of(given(JSON.createObjectNode().put("inlineDiff", 42)));
        assertThat(input.path("artifact").toString()).isEqualTo("{\"diffProblem\":\"inlineDiff is number, not a string\"}");
        assertThat(input.path("proposal").path("artifact").has("inlineDiff")).isFalse();
    }

    @Test
    void withoutAnInlineDiffTheFactsAreEmptyAndTheProposalIsUnchanged() {
        ObjectNode given = given(JSON.createObjectNode().put("sha256", "ab"));
        ObjectNode input = PolicyInput.of(given);
        assertThat(input.path("artifact").isObject()).isTrue();
        assertThat(input.path("artifact").size()).isZero();
        assertThat(input.path("proposal")).isSameAs(given.path("proposal"));
    }

    @Test
    void factsGivenByTheCallerAreReplacedByGovernorsOwn() {
        ObjectNode given = given(JSON.createObjectNode().put("inlineDiff", "--- a/evals/x.py\n+++ b/evals/x.py\n"));
        given.putObject("artifact").putArray("diffPaths").add("src/harmless.py");
        assertThat(PolicyInput.of(given).path("artifact").path("diffPaths").toString()).isEqualTo("[\"evals/x.py\"]");
    }

    @Test
    void changedLinesBeyondTheBoundAreCountedNotPassed() {
        StringBuilder diff = new StringBuilder("--- a/src/a.py\n+++ b/src/a.py\n@@ -0,0 +1,1005 @@\n");
        for (int i = 0; i < 1005; i++) {
            diff.append("+x\n");
        }
        ObjectNode input = PolicyInput.of(given(JSON.createObjectNode().put("inlineDiff", diff.toString())));
        assertThat(input.path("artifact").path("changedLines").size()).isEqualTo(PolicyInput.MAX_CHANGED_LINES);
        assertThat(input.path("artifact").path("changedLinesOmitted").asLong()).isEqualTo(5);
    }

    @Test
    void aNewSymlinkGoesInWithItsResolvedTarget() {
        String diff = "diff --git a/src/l b/src/l\nnew file mode 120000\n--- /dev/null\n+++ b/src/l\n@@ -0,0 +1 @@\n+../evals/x.py\n"
                + "\\ No newline at end of file\n";
        ObjectNode input = PolicyInput.of(given(JSON.createObjectNode().put("inlineDiff", diff)));
        assertThat(input.path("artifact").path("symlinks").toString())
                .isEqualTo("[{\"path\":\"src/l\",\"target\":\"../evals/x.py\",\"resolved\":\"evals/x.py\"}]");
    }

    @Test
    void changedLinesWithoutAnyWordOrAssignedNameStayOut() {
        String diff = "--- a/src/a.py\n+++ b/src/a.py\n@@ -1,2 +1,2 @@\n-)\n-é\n+42\n+x = 1\n";
        ObjectNode input = PolicyInput.of(given(JSON.createObjectNode().put("inlineDiff", diff)));
        assertThat(input.path("artifact").path("changedLines").findValuesAsText("text")).containsExactly("x = 1");
    }
}
