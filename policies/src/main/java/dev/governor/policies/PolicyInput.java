package dev.governor.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns what the control plane knows about a proposal into the input the policy is evaluated
 * on (policies/README.md, "Input contract").
 *
 * <p>The proposal goes in as the loop sent it, except for the text of
 * {@code artifact.inlineDiff}: in its place the input carries {@code artifact}, the facts
 * Governor read from that text ({@link InlineDiffFacts}): its UTF-8 size, the files it changes
 * and, when it cannot be read, why. The policy judges the files the diff really changes, not
 * only the ones the loop declares, and never parses up to 256 KiB of diff in wasm. The diff
 * itself stays in the stored proposal, whose content digest covers it (ADR 0011).
 */
public final class PolicyInput {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Added and removed lines passed to the policy for its oversight signals; beyond this many the
     * input says how many were left out, which is a signal of its own.
     */
    static final int MAX_CHANGED_LINES = 1000;

    private PolicyInput() {
    }

    /**
     * The policy input for {@code {proposal, lineage, loop, killSwitch}} as given, the proposal
     * being the CloudEvent's {@code data}. Nothing given is modified; the result shares the
     * unchanged parts of the proposal with it.
     */
    public static ObjectNode of(JsonNode given) {
        if (!given.isObject()) {
            throw new IllegalArgumentException("the policy input is made from an object {proposal, lineage, loop, killSwitch}, not "
                    + given.getNodeType());
        }
        ObjectNode input = NODES.objectNode().setAll((ObjectNode) given);
        input.remove("artifact");
        ObjectNode facts = input.putObject("artifact");
        JsonNode proposal = given.get("proposal");
        if (proposal == null || !proposal.isObject()) {
            return input;
        }
        JsonNode artifact = proposal.get("artifact");
        if (artifact == null || !artifact.isObject() || !artifact.has("inlineDiff")) {
            return input;
        }
        JsonNode diff = artifact.get("inlineDiff");
        if (diff.isTextual()) {
            InlineDiffFacts read = InlineDiffFacts.read(diff.textValue());
            facts.put("inlineDiffBytes", read.bytes());
            read.paths().forEach(facts.putArray("diffPaths")::add);
            if (read.problem() != null) {
                facts.put("diffProblem", "inlineDiff cannot be read: " + read.problem());
            }
            if (!read.symlinks().isEmpty()) {
                ArrayNode links = facts.putArray("symlinks");
                read.symlinks().forEach(l -> links.addObject().put("path", l.path()).put("target", l.target()).put("resolved", l.resolved()));
            }
            changedLines(read, facts);
        } else {
            facts.put("diffProblem", "inlineDiff is " + diff.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                    + ", not a string");
        }
        ObjectNode trimmedArtifact = NODES.objectNode().setAll((ObjectNode) artifact);
        trimmedArtifact.remove("inlineDiff");
        ObjectNode trimmedProposal = NODES.objectNode().setAll((ObjectNode) proposal);
        trimmedProposal.set("artifact", trimmedArtifact);
        input.set("proposal", trimmedProposal);
        return input;
    }

    /**
     * The changed lines the signals can match: a line without any word or assigned name (blank,
     * punctuation, numbers, non-ASCII text) matches no signal and stays out of the input, which
     * keeps large diffs cheap to parse in the wasm engine.
     */
    private static void changedLines(InlineDiffFacts read, ObjectNode facts) {
        ArrayNode lines = NODES.arrayNode();
        long omitted = 0;
        for (InlineDiffFacts.ChangedLine line : read.changedLines(Integer.MAX_VALUE)) {
            ObjectNode node = ChangedLineFacts.toJsonIfMatchable(line);
            if (node == null) {
                continue;
            }
            if (lines.size() < MAX_CHANGED_LINES) {
                lines.add(node);
            } else {
                omitted++;
            }
        }
        if (!lines.isEmpty()) {
            facts.set("changedLines", lines);
        }
        if (omitted > 0) {
            facts.put("changedLinesOmitted", omitted);
        }
    }
}
