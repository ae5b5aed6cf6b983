package dev.governor.auditor.store;

import dev.governor.auditor.log.TreeHead;

/**
 * What an append wrote: entries {@code firstIndex .. firstIndex + count - 1}, and the tree head
 * including them (visible to others once the caller's transaction commits).
 */
public record AppendResult(long firstIndex, int count, TreeHead treeHead) {

    /** Index of the last entry written. */
    public long lastIndex() {
        return firstIndex + count - 1;
    }
}
