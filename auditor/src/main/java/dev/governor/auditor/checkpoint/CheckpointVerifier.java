package dev.governor.auditor.checkpoint;

import java.util.List;

/** Opens signed checkpoints of one log: the signature must be by a known key and the origin must be the log's. */
public final class CheckpointVerifier {

    private final String origin;
    private final List<NoteVerifier> verifiers;

    public CheckpointVerifier(String origin, List<NoteVerifier> verifiers) {
        if (origin == null || origin.isEmpty()) {
            throw new NoteException("the expected checkpoint origin is required");
        }
        if (verifiers == null || verifiers.isEmpty()) {
            throw new NoteException("at least one verifier key is required");
        }
        this.origin = origin;
        this.verifiers = List.copyOf(verifiers);
    }

    public CheckpointVerifier(String origin, NoteVerifier verifier) {
        this(origin, List.of(verifier));
    }

    /** Verifies the signed note and returns the checkpoint it carries. */
    public Checkpoint open(String signedNote) {
        SignedNote note = SignedNote.open(signedNote, verifiers);
        Checkpoint checkpoint = Checkpoint.parse(note.text());
        if (!checkpoint.origin().equals(origin)) {
            throw new NoteException("checkpoint is for origin '" + checkpoint.origin() + "', expected '" + origin + "'");
        }
        return checkpoint;
    }
}
