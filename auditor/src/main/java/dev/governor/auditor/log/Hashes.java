package dev.governor.auditor.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Copies and renderings of hash lists, so that records holding byte arrays stay immutable. */
final class Hashes {

    private Hashes() {
    }

    static List<byte[]> copyOf(List<byte[]> hashes) {
        if (hashes == null) {
            return List.of();
        }
        List<byte[]> copy = new ArrayList<>(hashes.size());
        for (byte[] hash : hashes) {
            if (hash == null) {
                throw new IllegalArgumentException("a proof hash must not be null");
            }
            copy.add(hash.clone());
        }
        return copy;
    }

    static List<byte[]> unmodifiableCopy(List<byte[]> hashes) {
        return List.copyOf(copyOf(hashes));
    }

    static boolean equal(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    static int hashCode(List<byte[]> hashes) {
        int result = 1;
        for (byte[] hash : hashes) {
            result = 31 * result + Arrays.hashCode(hash);
        }
        return result;
    }

    static String base64(List<byte[]> hashes) {
        List<String> encoded = new ArrayList<>(hashes.size());
        hashes.forEach(h -> encoded.add(Base64.getEncoder().encodeToString(h)));
        return encoded.toString();
    }

    static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }
}
