package dev.governor.killswitch.state;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * The exact bytes that kill-switch signatures cover: UTF-8 text, one {@code name=value} line per
 * field, each ended by a line feed, in a fixed order after a version line.
 *
 * <pre>
 * governor-killswitch/v1
 * state=PAUSED
 * epoch=7
 * changedAt=2026-11-25T18:00:00.123Z
 * actor=alice
 * reason=evaluator drift on run 42
 * cause                                      (absent: the bare name, no '=')
 * pendingResume.officer                      (the four pendingResume lines are absent together)
 * pendingResume.reason
 * pendingResume.requestedAt
 * pendingResume.expiresAt
 * </pre>
 *
 * Values are escaped so that no value can contain a line break: {@code \} becomes {@code \\},
 * LF becomes {@code \n}, CR becomes {@code \r}. Instants are ISO-8601 UTC as printed by
 * {@link Instant#toString()}; epochs are decimal. A message issuing a state on {@code rsi.control}
 * has its own form, {@link #ofIssue}, which binds the state's signature to the time of issue.
 */
public final class CanonicalForm {

    public static final String STATE_VERSION = "governor-killswitch/v1";
    public static final String ISSUE_VERSION = "governor-killswitch-issue/v1";

    private CanonicalForm() {
    }

    public static byte[] of(PauseState s) {
        Lines lines = new Lines(STATE_VERSION)
                .field("state", s.state().name())
                .field("epoch", Long.toString(s.epoch()))
                .field("changedAt", s.changedAt().toString())
                .field("actor", s.actor())
                .field("reason", s.reason())
                .field("cause", s.cause());
        PendingResume p = s.pendingResume();
        lines.field("pendingResume.officer", p == null ? null : p.officer())
                .field("pendingResume.reason", p == null ? null : p.reason())
                .field("pendingResume.requestedAt", p == null ? null : p.requestedAt().toString())
                .field("pendingResume.expiresAt", p == null ? null : p.expiresAt().toString());
        return lines.bytes();
    }

    /**
     * The bytes a message's issue signature covers: the version line, {@code epoch=},
     * {@code stateSignature=} (the state's base64 signature, which covers the whole state) and
     * {@code issuedAt=}. A heartbeat re-issues the same signed state with a fresh {@code issuedAt}.
     */
    public static byte[] ofIssue(PauseState signedState, Instant issuedAt) {
        Objects.requireNonNull(signedState.signature(), "only a signed state can be issued");
        return new Lines(ISSUE_VERSION)
                .field("epoch", Long.toString(signedState.epoch()))
                .field("stateSignature", signedState.signature())
                .field("issuedAt", issuedAt.toString())
                .bytes();
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final class Lines {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        Lines(String version) {
            write(version);
        }

        Lines field(String name, String value) {
            write(value == null ? name : name + "=" + escape(value));
            return this;
        }

        private void write(String line) {
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
