package dev.governor.auditor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.auditor.checkpoint.NoteException;
import dev.governor.auditor.checkpoint.NoteVerifier;
import dev.governor.auditor.evidence.EvidenceException;
import dev.governor.auditor.evidence.EvidenceJson;
import dev.governor.auditor.evidence.ExportedEntry;
import dev.governor.auditor.evidence.OfflineVerifier;
import dev.governor.auditor.evidence.VerificationReport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Offline verifier for regulators and auditors. Needs nothing but the files and the log's origin
 * and verifier key, obtained out of band.
 *
 * <pre>
 * verify bundle      --origin O --key K bundle.json
 * verify log         --origin O --key K --checkpoint checkpoint.note [--threads N] export.jsonl
 * verify consistency --origin O --key K --proof proof.json older.note newer.note
 * verify promotion   --promotion-key B64 --origin O --key K (--killswitch F|URL | --epoch N) [--proof F|URL] record.json
 * </pre>
 * {@code --key} may be repeated, or replaced by {@code --key-file F} (one key per line).
 * Exit codes: 0 verified, 1 verification failed (tampering, forged or foreign signature),
 * 2 usage error or unreadable input.
 */
public final class Verify {

    public static final int VERIFIED = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            usage:
              verify bundle      --origin O --key K bundle.json
              verify log         --origin O --key K --checkpoint checkpoint.note [--threads N] export.jsonl
              verify consistency --origin O --key K --proof proof.json older.note newer.note
              verify promotion   (see below)
            options:
              --origin O      the log's checkpoint origin, e.g. governor.example/audit
              --key K         a trusted verifier key <name>+<hash>+<base64>; repeatable
              --key-file F    trusted verifier keys, one per line
              --threads N     threads checking a log export (default: the number of processors)
            exit codes: 0 verified, 1 verification failed, 2 usage error or unreadable input
            """ + VerifyPromotion.USAGE_TEXT;

    private Verify() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the verifier and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("promotion")) {
            return VerifyPromotion.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err, System.in);
        }
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        try {
            OfflineVerifier verifier = new OfflineVerifier(arguments.origin, arguments.keys);
            VerificationReport report = switch (arguments.command) {
                case "bundle" -> verifier.verifyBundle(EvidenceJson.readBundle(read(arguments.file(0))));
                case "log" -> verifyLog(verifier, arguments, err);
                case "consistency" -> verifier.verifyConsistency(read(arguments.file(0)), read(arguments.file(1)),
                        readProof(arguments.proof));
                default -> throw new IllegalArgumentException("unknown command " + arguments.command);
            };
            (report.verified() ? out : err).println(report.summary());
            return report.verified() ? VERIFIED : FAILED;
        } catch (NoteException | EvidenceException | IllegalArgumentException | IOException | UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return USAGE;
        }
    }

    private static VerificationReport verifyLog(OfflineVerifier verifier, Arguments arguments, PrintStream err) throws IOException {
        String checkpoint = read(arguments.checkpoint);
        Path export = arguments.file(0);
        if (!Files.isReadable(export)) {
            throw new IOException("cannot read " + export);
        }
        long bytes = Files.size(export);
        long started = System.nanoTime();
        // Progress on stderr for exports that take more than a moment: every 2^18 entries.
        try (BufferedReader lines = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
            return verifier.verifyExportLines(lines, checkpoint, arguments.threads, checked -> {
                if (checked % (1 << 18) == 0) {
                    err.printf("verified %,d entries (%.1f s, %,d MB export)%n", checked,
                            (System.nanoTime() - started) / 1e9, bytes >> 20);
                }
            });
        }
    }

    private static List<String> readProof(Path file) throws IOException {
        JsonNode json = new ObjectMapper().readTree(read(file));
        if (json == null || !json.isArray()) {
            throw new IllegalArgumentException(file + " must hold a JSON array of base64 hashes");
        }
        List<String> proof = new ArrayList<>();
        json.forEach(hash -> proof.add(hash.asText()));
        return proof;
    }

    private static String read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("cannot read " + file);
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private record Arguments(String command, String origin, List<NoteVerifier> keys, Path checkpoint, Path proof,
                             List<Path> files, int threads) {

        Path file(int i) {
            return files.get(i);
        }

        static Arguments parse(String[] args) {
            if (args.length == 0) {
                throw new IllegalArgumentException("no command given");
            }
            String command = args[0];
            String origin = null;
            List<NoteVerifier> keys = new ArrayList<>();
            Path checkpoint = null;
            Path proof = null;
            int threads = Runtime.getRuntime().availableProcessors();
            List<Path> files = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--origin" -> origin = value(args, ++i, arg);
                    case "--key" -> keys.add(key(value(args, ++i, arg)));
                    case "--key-file" -> keys.addAll(keyFile(Path.of(value(args, ++i, arg))));
                    case "--checkpoint" -> checkpoint = Path.of(value(args, ++i, arg));
                    case "--proof" -> proof = Path.of(value(args, ++i, arg));
                    case "--threads" -> threads = threads(value(args, ++i, arg));
                    default -> {
                        if (arg.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        }
                        files.add(Path.of(arg));
                    }
                }
            }
            if (origin == null || origin.isBlank()) {
                throw new IllegalArgumentException("--origin is required");
            }
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("at least one --key or --key-file is required");
            }
            int wantedFiles = switch (command) {
                case "bundle", "log" -> 1;
                case "consistency" -> 2;
                default -> throw new IllegalArgumentException("unknown command '" + command + "'");
            };
            if (files.size() != wantedFiles) {
                throw new IllegalArgumentException(command + " takes " + wantedFiles + " file argument(s), got " + files.size());
            }
            if (command.equals("log") && checkpoint == null) {
                throw new IllegalArgumentException("log needs --checkpoint");
            }
            if (command.equals("consistency") && proof == null) {
                throw new IllegalArgumentException("consistency needs --proof");
            }
            return new Arguments(command, origin, keys, checkpoint, proof, files, threads);
        }

        private static int threads(String value) {
            try {
                int n = Integer.parseInt(value);
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("--threads needs a whole number of at least 1, got '" + value + "'");
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static NoteVerifier key(String key) {
            try {
                return NoteVerifier.fromKey(key);
            } catch (NoteException e) {
                throw new IllegalArgumentException("bad verifier key: " + e.getMessage(), e);
            }
        }

        private static List<NoteVerifier> keyFile(Path file) {
            try {
                return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                        .map(Arguments::key).toList();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
