package dev.governor.auditor.evidence;

/**
 * One entry of a full log export, one JSON object per line: its index, its leaf (canonical JSON
 * text) and the leaf hash the log stored for it (hex).
 */
public record ExportedEntry(long index, String leaf, String leafHash) {
}
