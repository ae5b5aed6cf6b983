package dev.governor.auditor.checkpoint;

import dev.governor.auditor.log.TreeHead;

import java.util.List;

/** Publishes tree heads of one log (one origin) as checkpoints signed with the log's key. */
public final class CheckpointSigner {

    private final String origin;
    private final NoteSigner signer;

    public CheckpointSigner(String origin, NoteSigner signer) {
        if (origin == null || origin.isEmpty() || origin.contains("\n")) {
            throw new NoteException("checkpoint origin must be a non-empty single line");
        }
        if (signer == null) {
            throw new NoteException("a note signer is required");
        }
        this.origin = origin;
        this.signer = signer;
    }

    public String origin() {
        return origin;
    }

    public NoteVerifier verifier() {
        return signer.verifier();
    }

    /** The signed note of the checkpoint for {@code head}. */
    public String sign(TreeHead head) {
        return sign(Checkpoint.of(origin, head));
    }

    /** The signed note of {@code checkpoint}, which must carry this signer's origin. */
    public String sign(Checkpoint checkpoint) {
        if (!checkpoint.origin().equals(origin)) {
            throw new NoteException("checkpoint origin '" + checkpoint.origin() + "' is not this log's origin '" + origin + "'");
        }
        return SignedNote.sign(checkpoint.body(), List.of(signer));
    }
}
