package dev.governor.auditor.checkpoint;

import dev.governor.auditor.log.TreeHasher;
import dev.governor.auditor.log.TreeHead;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP tlog-checkpoint body: the origin line, the tree size in decimal, the base64 root hash,
 * then optional non-empty extension lines; every line ends with a newline.
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensions) {

    public Checkpoint {
        if (origin == null || origin.isEmpty() || origin.contains("\n")) {
            throw new NoteException("checkpoint origin must be a non-empty single line");
        }
        if (size < 0) {
            throw new NoteException("checkpoint tree size must not be negative, was " + size);
        }
        if (rootHash == null || rootHash.length != TreeHasher.HASH_SIZE) {
            throw new NoteException("checkpoint root hash must be " + TreeHasher.HASH_SIZE + " bytes");
        }
        rootHash = rootHash.clone();
        extensions = List.copyOf(extensions == null ? List.of() : extensions);
        for (String extension : extensions) {
            if (extension.isEmpty() || extension.contains("\n")) {
                throw new NoteException("checkpoint extension lines must be non-empty single lines");
            }
        }
    }

    public static Checkpoint of(String origin, TreeHead head) {
        return new Checkpoint(origin, head.size(), head.rootHash(), List.of());
    }

    public TreeHead treeHead() {
        return new TreeHead(size, rootHash);
    }

    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** The checkpoint text that a signed note signs. */
    public String body() {
        StringBuilder body = new StringBuilder(origin).append('\n')
                .append(size).append('\n')
                .append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
        extensions.forEach(extension -> body.append(extension).append('\n'));
        return body.toString();
    }

    /** Parses a checkpoint body strictly: canonical decimal size, canonical base64 of 32 bytes, no empty lines. */
    public static Checkpoint parse(String body) {
        if (body == null || !body.endsWith("\n")) {
            throw new NoteException("malformed checkpoint: it must end with a newline");
        }
        String[] lines = body.substring(0, body.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new NoteException("malformed checkpoint: it needs an origin, a tree size and a root hash line");
        }
        String sizeLine = lines[1];
        if (sizeLine.isEmpty() || sizeLine.length() > 19 || !sizeLine.chars().allMatch(c -> c >= '0' && c <= '9')
                || (sizeLine.length() > 1 && sizeLine.charAt(0) == '0')) {
            throw new NoteException("malformed checkpoint: tree size '" + sizeLine + "' is not a canonical decimal number");
        }
        long size;
        try {
            size = Long.parseLong(sizeLine);
        } catch (NumberFormatException e) {
            throw new NoteException("malformed checkpoint: tree size '" + sizeLine + "' is too large", e);
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new NoteException("malformed checkpoint: root hash is not valid base64", e);
        }
        if (root.length != TreeHasher.HASH_SIZE || !Base64.getEncoder().encodeToString(root).equals(lines[2])) {
            throw new NoteException("malformed checkpoint: root hash must be the base64 of 32 bytes");
        }
        List<String> extensions = new ArrayList<>(Arrays.asList(lines).subList(3, lines.length));
        return new Checkpoint(lines[0], size, root, extensions);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Checkpoint that && origin.equals(that.origin) && size == that.size
                && Arrays.equals(rootHash, that.rootHash) && extensions.equals(that.extensions);
    }

    @Override
    public int hashCode() {
        return ((origin.hashCode() * 31 + Long.hashCode(size)) * 31 + Arrays.hashCode(rootHash)) * 31 + extensions.hashCode();
    }

    @Override
    public String toString() {
        return "Checkpoint[" + body().replace("\n", " | ") + "]";
    }
}
