package dev.governor.controlplane.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Governor's own settings, prefix {@code governor}; defaults live here, not in scattered properties. */
@ConfigMapping(prefix = "governor")
public interface GovernorConfig {

    Topics topics();

    Intake intake();

    Policy policy();

    Audit audit();

    KillSwitch killswitch();

    Review review();

    Promotion promotion();

    Console console();

    Security security();

    Loops loops();

    interface Loops {
        /**
         * The Ed25519 key (base64 of its 32-byte seed) with which the API signs the proposals it
         * publishes for authenticated submitters, e.g. from a secret. Intake accepts a submission
         * envelope only with this key (ADR 0017).
         */
        Optional<String> apiSigningKey();

        /** A file holding that key, when it is not given directly. */
        Optional<String> apiSigningKeyFile();

        /** Generate a key into the data directory when none is configured (embedded run and tests only). */
        @WithDefault("false")
        boolean generateKey();
    }

    interface Security {
        /**
         * How long a bearer token verified by OIDC is reused without verifying it again (never
         * past its own exp); PT0S verifies every request. ADR 0009.
         */
        @WithDefault("PT60S")
        Duration verifiedTokenReuse();
    }

    interface Console {
        /**
         * How the web console signs people in: {@code oidc} (authorization code with PKCE at the
         * identity provider, then bearer tokens) or {@code basic} (the embedded run's demo users).
         */
        @WithDefault("oidc")
        String auth();

        /** The issuer the browser signs in at; by default the one tokens are verified against. */
        Optional<String> oidcIssuer();

        /** The console's public OIDC client (no secret: a browser cannot keep one). */
        @WithDefault("governor-console")
        String oidcClientId();
    }

    interface Review {
        /** How long an approval counts; an expired one no longer adds to the quorum. */
        @WithDefault("PT24H")
        Duration approvalTtl();

        /** How long a proposal may wait in PENDING_REVIEW before it EXPIRES. */
        @WithDefault("P7D")
        Duration pendingTtl();

        /** Kafka transactional id of the promotion relay: one per deployment, shared by its instances. */
        @WithDefault("governor-promotions-relay")
        String relayTransactionalId();

        /** Turn the relay off (a test stands for a crash between the promotion's commit and its publication). */
        @WithDefault("true")
        boolean relayEnabled();
    }

    interface Promotion {
        /** The Ed25519 key that signs promotion attestations: base64 of its PKCS#8 encoding, e.g. from a secret. */
        Optional<String> signingKey();

        /** A file holding that key, when it is not given directly. */
        Optional<String> signingKeyFile();

        /** Generate a key into the data directory when none is configured (embedded run and tests only). */
        @WithDefault("false")
        boolean generateKey();
    }

    interface KillSwitch {
        /** The Ed25519 key that signs every kill-switch state: base64 of its PKCS#8 encoding, e.g. from a secret. */
        Optional<String> signingKey();

        /** A file holding that key, when it is not given directly. */
        Optional<String> signingKeyFile();

        /** Generate a key into the data directory when none is configured (embedded run and tests only). */
        @WithDefault("false")
        boolean generateKey();

        /** How long a first officer's resume request waits for a second, different officer. */
        @WithDefault("PT15M")
        Duration resumeWindow();

        /** How often the current state is re-issued on rsi.control; well below the guards' lease (10 s). */
        @WithDefault("PT2S")
        Duration heartbeatInterval();
    }

    interface Audit {
        /** The log's identity, the first line of every checkpoint; unique per deployment. */
        @WithDefault("governor.local/audit")
        String origin();

        /** The signer key ({@code PRIVATE+KEY+...}, C2SP signed-note encoding), e.g. from a secret. */
        Optional<String> signingKey();

        /** A file holding the signer key, when it is not given directly. */
        Optional<String> signingKeyFile();

        /** Generate a key into the data directory when none is configured (embedded run and tests only). */
        @WithDefault("false")
        boolean generateKey();

        /** How often a new checkpoint is signed when the log has grown. */
        @WithDefault("10s")
        String checkpointInterval();
    }

    /** Directory for state Governor keeps itself (embedded services, generated keys). */
    @WithDefault(".governor")
    String dataDir();

    Embedded embedded();

    /** Ports of the embedded run's own services; read by GovernorMain (module embedded) before Quarkus starts. */
    interface Embedded {
        @WithDefault("5433")
        int postgresPort();

        @WithDefault("9092")
        int kafkaPort();

        /**
         * Publish a few example proposals (as loop-agent, through Kafka like any other) when the
         * database has none, so the console has something to review on a first run. Demo only.
         */
        @WithDefault("false")
        boolean demoProposals();
    }

    interface Topics {
        @WithDefault("rsi.proposals")
        String proposals();

        @WithDefault("rsi.proposals.dlq")
        String proposalsDlq();

        @WithDefault("rsi.decisions")
        String decisions();

        @WithDefault("rsi.promotions")
        String promotions();

        @WithDefault("rsi.control")
        String control();

        @WithDefault("rsi.audit.checkpoints")
        String auditCheckpoints();
    }

    interface Intake {
        /** Consumer group of the intake; every control-plane instance joins it. */
        @WithDefault("governor-intake")
        String groupId();

        /** Largest record value accepted, in bytes (architecture §3: 1 MiB). */
        @WithDefault("1048576")
        int maxMessageBytes();

        /** Largest {@code artifact.inlineDiff}, in UTF-8 bytes (architecture §3: 256 KiB). */
        @WithDefault("262144")
        int maxInlineDiffBytes();

        /** Deepest JSON nesting accepted before the parser gives up. */
        @WithDefault("64")
        int maxNestingDepth();

        @WithDefault("500")
        int maxPollRecords();

        @WithDefault("PT1S")
        Duration pollTimeout();

        /**
         * How long the broker waits for a silent intake instance before giving its partitions to
         * another: the failover time after a crash (Kafka's default, 45 s, would leave proposals
         * undecided that long). Heartbeats go every third of it.
         */
        @WithDefault("PT10S")
        Duration sessionTimeout();

        /** Wait before retrying a batch that failed for a reason outside the message (database, policy engine). */
        @WithDefault("PT2S")
        Duration retryBackoff();

        @WithDefault("true")
        boolean enabled();
    }

    interface Policy {
        /** {@code wasm}: the in-process OPA engine on the bundled policy; {@code server}: an OPA server's REST API. */
        @WithDefault("wasm")
        String engine();

        /** Base URL of the OPA server when {@link #engine()} is {@code server}. */
        Optional<String> serverUrl();

        @WithDefault("PT2S")
        Duration serverTimeout();
    }
}
