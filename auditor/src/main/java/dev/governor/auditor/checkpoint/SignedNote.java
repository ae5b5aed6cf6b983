package dev.governor.auditor.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A C2SP signed note: UTF-8 text ending in a newline, a blank line, then one line per signature,
 * {@code — <key name> <base64(key hash || Ed25519 signature)>}.
 *
 * @param text            the signed text, with its final newline
 * @param signers         names of the known keys whose signatures verified
 * @param unverifiedLines signature lines from keys the verifier does not know, kept as found
 */
public record SignedNote(String text, List<String> signers, List<String> unverifiedLines) {

    private static final String SIGNATURE_PREFIX = "\u2014 ";
    private static final int MAX_SIGNATURES = 100;

    public SignedNote {
        signers = List.copyOf(signers);
        unverifiedLines = List.copyOf(unverifiedLines);
    }

    /** Signs {@code text} with every signer, in the given order. */
    public static String sign(String text, List<NoteSigner> signers) {
        requireValidText(text);
        if (!text.endsWith("\n")) {
            throw new NoteException("note text must end with a newline");
        }
        if (signers.isEmpty()) {
            throw new NoteException("a signed note needs at least one signer");
        }
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder note = new StringBuilder(text).append('\n');
        for (NoteSigner signer : signers) {
            byte[] signature = signer.sign(message);
            byte[] line = ByteBuffer.allocate(4 + signature.length).putInt(signer.keyHash()).put(signature).array();
            note.append(SIGNATURE_PREFIX).append(signer.name()).append(' ')
                    .append(Base64.getEncoder().encodeToString(line)).append('\n');
        }
        return note.toString();
    }

    /** Signs {@code text} with one signer. */
    public static String sign(String text, NoteSigner signer) {
        return sign(text, List.of(signer));
    }

    /**
     * Parses {@code note} and verifies every signature from a key in {@code known}. A bad signature
     * from a known key, a malformed note, or a note with no signature from a known key is refused.
     */
    public static SignedNote open(String note, Collection<NoteVerifier> known) {
        if (note == null) {
            throw new NoteException("signed note is missing");
        }
        requireValidText(note);
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new NoteException("malformed note: no blank line before the signatures");
        }
        String text = note.substring(0, split + 1);
        String signatures = note.substring(split + 2);
        if (signatures.isEmpty() || !signatures.endsWith("\n")) {
            throw new NoteException("malformed note: the signature block must end with a newline");
        }
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        List<String> verified = new ArrayList<>();
        List<String> unverified = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int count = 0;
        for (String line : signatures.substring(0, signatures.length() - 1).split("\n", -1)) {
            if (!line.startsWith(SIGNATURE_PREFIX)) {
                throw new NoteException("malformed note: signature line does not start with an em dash and a space");
            }
            String body = line.substring(SIGNATURE_PREFIX.length());
            int space = body.indexOf(' ');
            if (space < 0) {
                throw new NoteException("malformed note: signature line has no key name");
            }
            String name = body.substring(0, space);
            String base64 = body.substring(space + 1);
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new NoteException("malformed note: signature of " + name + " is not valid base64", e);
            }
            if (!NoteKeyNames.isValid(name) || base64.isEmpty() || decoded.length < 5) {
                throw new NoteException("malformed note: signature line of '" + name + "' is not valid");
            }
            if (++count > MAX_SIGNATURES) {
                throw new NoteException("note has more than " + MAX_SIGNATURES + " signatures");
            }
            int keyHash = ByteBuffer.wrap(decoded, 0, 4).getInt();
            byte[] signature = new byte[decoded.length - 4];
            System.arraycopy(decoded, 4, signature, 0, signature.length);
            NoteVerifier verifier = find(known, name, keyHash);
            if (verifier == null) {
                if (!unverified.contains(line)) {
                    unverified.add(line);
                }
                continue;
            }
            if (!seen.add(name + "+" + keyHash)) {
                continue;
            }
            if (!verifier.verify(message, signature)) {
                throw new NoteException("invalid signature by " + name + "+" + NoteKeyNames.formatKeyHash(keyHash)
                        + ": the note was altered or not signed by that key");
            }
            verified.add(name);
        }
        if (verified.isEmpty()) {
            throw new NoteException("note is not signed by any known key (found " + unverified.size()
                    + " signature(s) by unknown keys); check the verifier key you were given");
        }
        return new SignedNote(text, verified, unverified);
    }

    /** Decodes {@code note} as strict UTF-8 (refusing invalid bytes) and opens it. */
    public static SignedNote open(byte[] note, Collection<NoteVerifier> known) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(note))
                    .toString();
            return open(text, known);
        } catch (CharacterCodingException e) {
            throw new NoteException("malformed note: not valid UTF-8", e);
        }
    }

    private static NoteVerifier find(Collection<NoteVerifier> known, String name, int keyHash) {
        NoteVerifier match = null;
        for (NoteVerifier verifier : known) {
            if (verifier.name().equals(name) && verifier.keyHash() == keyHash) {
                if (match != null) {
                    throw new NoteException("ambiguous verifier keys for " + name + "+" + NoteKeyNames.formatKeyHash(keyHash));
                }
                match = verifier;
            }
        }
        return match;
    }

    /** Notes are UTF-8 without ASCII control characters other than newline, as signed-note readers require. */
    private static void requireValidText(String text) {
        if (text == null) {
            throw new NoteException("note text is missing");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n') {
                throw new NoteException("malformed note: control character 0x" + Integer.toHexString(c) + " at position " + i);
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    throw new NoteException("malformed note: lone surrogate at position " + i);
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw new NoteException("malformed note: lone surrogate at position " + i);
            }
        }
    }
}
