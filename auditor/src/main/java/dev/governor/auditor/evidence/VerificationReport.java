package dev.governor.auditor.evidence;

import java.util.List;

/**
 * Outcome of an offline verification: what was checked, and the first problem found, if any,
 * with the first entry index it concerns ({@code -1} when the problem is not about one entry).
 */
public record VerificationReport(boolean verified, long checkedEntries, long treeSize, long firstBadIndex,
                                 String problem, List<String> notes) {

    public VerificationReport {
        notes = List.copyOf(notes);
    }

    static VerificationReport ok(long checkedEntries, long treeSize, List<String> notes) {
        return new VerificationReport(true, checkedEntries, treeSize, -1, null, notes);
    }

    static VerificationReport failed(long checkedEntries, long treeSize, long firstBadIndex, String problem, List<String> notes) {
        return new VerificationReport(false, checkedEntries, treeSize, firstBadIndex, problem, notes);
    }

    /** One paragraph for people: VERIFIED or TAMPERED with the reason. */
    public String summary() {
        StringBuilder text = new StringBuilder(verified ? "VERIFIED" : "FAILED");
        text.append(": ").append(checkedEntries).append(" entries checked against tree size ").append(treeSize);
        if (!verified) {
            text.append("; ").append(problem);
            if (firstBadIndex >= 0) {
                text.append(" (first bad index ").append(firstBadIndex).append(')');
            }
        }
        notes.forEach(note -> text.append('\n').append("  ").append(note));
        return text.toString();
    }
}
