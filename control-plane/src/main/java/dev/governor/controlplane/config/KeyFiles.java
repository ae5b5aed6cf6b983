package dev.governor.controlplane.config;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/** Signing keys kept in files: read one the operator provides, or keep a generated one (demo and tests only). */
public final class KeyFiles {

    private static final Logger LOG = Logger.getLogger(KeyFiles.class);

    private KeyFiles() {
    }

    public static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the " + what + " from " + file, e);
        }
    }

    /** The key in {@code file}; when there is none, a new one from {@code generate}, written owner-only. */
    public static String readOrGenerate(Path file, String what, Supplier<String> generate) {
        if (Files.exists(file)) {
            return read(file, what);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String key = generate.get();
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
            LOG.infof("Generated a %s in %s (demo and tests only)", what, file.toAbsolutePath());
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not keep the " + what + " in " + file, e);
        }
    }
}
