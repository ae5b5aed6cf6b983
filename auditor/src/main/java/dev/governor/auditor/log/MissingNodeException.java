package dev.governor.auditor.log;

/** A node the log needs is not in the store: the request reaches beyond the integrated tree, or the store lost data. */
public final class MissingNodeException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public MissingNodeException(NodeId id) {
        super("Merkle node level " + id.level() + " index " + id.index()
                + " is not in the store; ask only for tree sizes the log has integrated");
    }
}
