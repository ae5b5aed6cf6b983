package dev.governor.auditor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.governor.auditor.checkpoint.CheckpointVerifier;
import dev.governor.auditor.checkpoint.NoteException;
import dev.governor.auditor.checkpoint.NoteVerifier;
import dev.governor.auditor.dsse.Ed25519Verifier;
import dev.governor.auditor.promotion.PromotionRefused;
import dev.governor.auditor.promotion.PromotionVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code verify promotion}: the deployer's check of one record from {@code rsi.promotions}
 * ({@link PromotionVerifier}). The keys are pinned by the deployer (from
 * {@code GET /api/v1/promotions/key}, checked out of band); the kill switch and a fresher proof
 * may be files or URLs of Governor's API, fetched with the bearer token in {@code GOVERNOR_TOKEN}.
 *
 * <pre>
 * verify promotion --promotion-key B64 --origin O --key K
 *                  (--killswitch FILE|URL | --epoch N) [--proof FILE|URL] record.json|-
 * </pre>
 * Exit codes as {@link Verify}: 0 accepted, 1 refused (the reason on stderr), 2 usage error or unreadable input.
 */
final class VerifyPromotion {

    static final String USAGE_TEXT = """
              verify promotion   --promotion-key B64 --origin O --key K (--killswitch FILE|URL | --epoch N)
                                 [--proof FILE|URL] record.json|-
            promotion options:
              --promotion-key B64   Governor's promotion key (publicKey of GET /api/v1/promotions/key)
              --killswitch F|URL    the kill switch now: GET /api/v1/killswitch, saved or fetched
              --epoch N             or: the loop's guard says RUNNING at epoch N
              --proof F|URL         also check this inclusion proof (GET /api/v1/audit/entries/{index}/inclusion)
              URLs are fetched with the bearer token in the environment variable GOVERNOR_TOKEN""";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private VerifyPromotion() {
    }

    static int run(String[] args, PrintStream out, PrintStream err, InputStream stdin) {
        String promotionKey = null;
        String origin = null;
        String killSwitch = null;
        Long epoch = null;
        String proof = null;
        List<NoteVerifier> logKeys = new ArrayList<>();
        List<String> files = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--promotion-key" -> promotionKey = value(args, ++i, arg);
                    case "--origin" -> origin = value(args, ++i, arg);
                    case "--key" -> logKeys.add(NoteVerifier.fromKey(value(args, ++i, arg)));
                    case "--key-file" -> {
                        for (String line : Files.readAllLines(Path.of(value(args, ++i, arg)))) {
                            if (!line.isBlank() && !line.strip().startsWith("#")) {
                                logKeys.add(NoteVerifier.fromKey(line.strip()));
                            }
                        }
                    }
                    case "--killswitch" -> killSwitch = value(args, ++i, arg);
                    case "--epoch" -> epoch = epoch(value(args, ++i, arg));
                    case "--proof" -> proof = value(args, ++i, arg);
                    default -> {
                        if (arg.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        }
                        files.add(arg);
                    }
                }
            }
            if (promotionKey == null || origin == null || logKeys.isEmpty()) {
                throw new IllegalArgumentException("promotion needs --promotion-key, --origin and --key (or --key-file)");
            }
            if ((killSwitch == null) == (epoch == null)) {
                throw new IllegalArgumentException("promotion needs exactly one of --killswitch and --epoch");
            }
            if (files.size() != 1) {
                throw new IllegalArgumentException("promotion takes one record file (or - for standard input), got " + files.size());
            }
        } catch (IllegalArgumentException | NoteException | IOException e) {
            err.println("error: " + e.getMessage());
            err.println("usage:");
            err.println(USAGE_TEXT);
            return Verify.USAGE;
        }
        try {
            Ed25519Verifier key;
            try {
                key = Ed25519Verifier.fromBase64(promotionKey);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--promotion-key is not a base64 Ed25519 public key: " + e.getMessage());
            }
            PromotionVerifier verifier = new PromotionVerifier(key, new CheckpointVerifier(origin, logKeys));
            byte[] record = files.get(0).equals("-") ? stdin.readAllBytes() : readBytes(files.get(0));
            PromotionVerifier.KillSwitchNow now = epoch != null ? new PromotionVerifier.KillSwitchNow("RUNNING", epoch)
                    : killSwitchOf(MAPPER.readTree(read(killSwitch)), killSwitch);
            JsonNode fresh = proof == null ? null : MAPPER.readTree(read(proof));
            PromotionVerifier.Promotion p = verifier.verify(record, now, fresh);
            out.printf("accepted: promotion %s of proposal %s, artifact sha256:%s, kill-switch epoch %d, audit entry %d "
                            + "proven in the log of %s%n", p.promotionId(), p.proposalId(), p.artifactSha256(), p.killSwitchEpoch(),
                    p.entryIndex(), origin);
            return Verify.VERIFIED;
        } catch (PromotionRefused refused) {
            err.println("refused (" + refused.code() + "): " + refused.getMessage());
            return Verify.FAILED;
        } catch (IllegalArgumentException | IOException e) {
            err.println("error: " + e.getMessage());
            return Verify.USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return Verify.USAGE;
        }
    }

    /** The API's kill-switch view: a state that does not verify with Governor's kill-switch key counts as halted. */
    private static PromotionVerifier.KillSwitchNow killSwitchOf(JsonNode view, String source) {
        if (view == null || !view.path("state").isTextual() || !view.path("epoch").canConvertToLong()) {
            throw new IllegalArgumentException(source + " is not the kill switch as GET /api/v1/killswitch shows it");
        }
        boolean halted = !view.path("verified").asBoolean(false) || view.hasNonNull("localHalt");
        return new PromotionVerifier.KillSwitchNow(halted ? "UNVERIFIED" : view.get("state").asText(), view.get("epoch").asLong());
    }

    private static String read(String source) throws IOException, InterruptedException {
        if (!source.startsWith("http://") && !source.startsWith("https://")) {
            return new String(readBytes(source), java.nio.charset.StandardCharsets.UTF_8);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(source)).timeout(Duration.ofSeconds(30));
        String token = System.getenv("GOVERNOR_TOKEN");
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token.strip());
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + source + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static byte[] readBytes(String file) throws IOException {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new IOException("cannot read " + file);
        }
        return Files.readAllBytes(path);
    }

    private static long epoch(String value) {
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--epoch needs a whole number of at least 0, got '" + value + "'");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
