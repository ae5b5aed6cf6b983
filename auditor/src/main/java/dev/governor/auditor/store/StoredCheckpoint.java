package dev.governor.auditor.store;

import dev.governor.auditor.log.TreeHead;

import java.time.Instant;

/** A checkpoint as published: the tree head and the exact signed note handed out for it. */
public record StoredCheckpoint(TreeHead treeHead, String signedNote, Instant publishedAt) {
}
