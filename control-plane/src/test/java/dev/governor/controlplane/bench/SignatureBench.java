package dev.governor.controlplane.bench;

import dev.governor.auditor.dsse.Envelope;
import dev.governor.auditor.dsse.Ed25519Verifier;
import dev.governor.controlplane.loop.LoopSnapshot;
import dev.governor.controlplane.proposal.Proposal;
import dev.governor.controlplane.proposal.ProposalParser;
import dev.governor.controlplane.testing.ProposalMessages;
import dev.governor.controlplane.testing.TestLoops;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What checking a proposal's signature costs, per proposal, on one thread: the intake's whole
 * parse of a signed test proposal (envelope, signature, payload, schema, digest), the signature
 * check alone with the intake's verifier (Bouncy Castle), and the same check with the JDK's
 * provider (the auditor's verifier) as the peer, in the same run. Run with bench/signatures/run.
 */
public final class SignatureBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String loop = "loop-bench-signatures";
        LoopSnapshot registry = TestLoops.snapshot(loop);
        ProposalParser parser = new ProposalParser(1_048_576, 262_144, 64);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        byte[] value = ProposalMessages.bytes(ProposalMessages.cloudEvent(ProposalMessages.data("bench-1", loop)));
        Envelope envelope = Envelope.parse(ProposalMessages.MAPPER.readTree(value).get("data"));
        Ed25519Verifier jdk = TestLoops.signer(loop).verifier();
        Envelope.Signature signature = envelope.signatures().get(0);
        System.out.printf("Signed proposal record: %d bytes, payload %d bytes; %d operations per measurement after %d of warm-up%n",
                value.length, envelope.payload().length, n, n);

        for (int round = 0; round < 3; round++) {
            double parse = perOp(n, () -> {
                Proposal p = parser.parse("bench-1", value, registry, now);
                if (p.provenance() == null) {
                    throw new IllegalStateException("not signed");
                }
            });
            double snapshotVerify = perOp(n, () -> {
                if (registry.verify(envelope, now) == null) {
                    throw new IllegalStateException();
                }
            });
            double jdkVerify = perOp(Math.max(1, n / 5), () -> {
                if (!jdk.verifies(envelope, signature)) {
                    throw new IllegalStateException();
                }
            });
            System.out.printf("round %d: parse of a signed proposal %.1f us; signature check (intake, Bouncy Castle) %.1f us;"
                    + " signature check (JDK provider) %.1f us; JDK / intake %.2f%n", round + 1, parse, snapshotVerify, jdkVerify,
                    jdkVerify / snapshotVerify);
        }
    }

    private interface Op {
        void run() throws Exception;
    }

    private static double perOp(int n, Op op) throws Exception {
        for (int i = 0; i < n; i++) {
            op.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }

    private SignatureBench() {
    }
}
