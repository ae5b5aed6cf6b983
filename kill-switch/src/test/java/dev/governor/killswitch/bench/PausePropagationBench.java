package dev.governor.killswitch.bench;

import dev.governor.killswitch.guard.KillSwitchGuard;
import dev.governor.killswitch.propagation.ControlListener;
import dev.governor.killswitch.propagation.ControlMessage;
import dev.governor.killswitch.propagation.ControlTopicFollower;
import dev.governor.killswitch.propagation.ControlTopicHeartbeat;
import dev.governor.killswitch.propagation.ControlTopicPublisher;
import dev.governor.killswitch.state.CachingStateVerifier;
import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.Ed25519StateVerifier;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.Roles;
import dev.governor.killswitch.state.StateSigner;
import dev.governor.killswitch.state.StateVerifier;
import dev.governor.killswitch.testing.ControlTopics;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Pause propagation: the time from the broker's acknowledgement of a pause on the control topic
 * until every one of N guards (each with its own follower, i.e. its own Kafka consumer, in this
 * JVM) reports paused. Each round pauses, waits for all guards, then resumes with two officers.
 *
 * <pre>
 * ./mvnw -B -pl kill-switch test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.governor.killswitch.bench.PausePropagationBench \
 *     -Dexec.args="--bootstrap 127.0.0.1:9092 --guards 100 --rounds 20 --warmup 3 --verifier shared"
 * </pre>
 * The publisher and the guards log in as Governor's principal (SASL/SCRAM, ControlTopics.GOVERNOR;
 * -Dit.kafka.security-protocol=PLAINTEXT for a broker without authentication).
 */
public final class PausePropagationBench {

    private static final Set<String> OFFICER = Set.of(Roles.SAFETY_OFFICER);
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(30);
    /** Held so that the level set in main is not lost when the logger is collected. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.governor.killswitch.propagation");

    /** Figures in milliseconds. {@code allSeen*}: per round, until the last guard; {@code perGuard*}: every guard of every round. */
    public record Result(int guards, int rounds, boolean sharedVerifier, double[] allSeenAfterAckMillis, double[] allSeenAfterSendMillis,
                         double[] perGuardAfterAckMillis, double[] ackMillis) {

        public double allSeenP(double percentile) {
            return percentile(allSeenAfterAckMillis, percentile);
        }

        public String report() {
            return String.format(Locale.ROOT, """
                    pause propagation: %d guards (one consumer each), %d rounds, %s
                      all %d guards paused, from publish ack:  p50 %.1f ms  p99 %.1f ms  max %.1f ms
                      all %d guards paused, from publish call: p50 %.1f ms  p99 %.1f ms  max %.1f ms
                      each guard, from publish ack:            p50 %.1f ms  p99 %.1f ms  max %.1f ms
                      publish (send to ack):                   p50 %.1f ms  p99 %.1f ms  max %.1f ms""",
                    guards, rounds, sharedVerifier ? "one shared caching verifier" : "one verifier per guard",
                    guards, percentile(allSeenAfterAckMillis, 50), percentile(allSeenAfterAckMillis, 99), percentile(allSeenAfterAckMillis, 100),
                    guards, percentile(allSeenAfterSendMillis, 50), percentile(allSeenAfterSendMillis, 99), percentile(allSeenAfterSendMillis, 100),
                    percentile(perGuardAfterAckMillis, 50), percentile(perGuardAfterAckMillis, 99), percentile(perGuardAfterAckMillis, 100),
                    percentile(ackMillis, 50), percentile(ackMillis, 99), percentile(ackMillis, 100));
        }
    }

    private PausePropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        // Heartbeats racing a round's pause are ignored as stale, by design; keep their warnings out of the report.
        QUIET.setLevel(java.util.logging.Level.SEVERE);
        String bootstrap = ControlTopics.BOOTSTRAP;
        int guards = 100;
        int rounds = 20;
        int warmup = 3;
        boolean sharedVerifier = true;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[i + 1];
                case "--guards" -> guards = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--verifier" -> sharedVerifier = switch (args[i + 1]) {
                    case "shared" -> true;
                    case "per-guard" -> false;
                    default -> throw new IllegalArgumentException("--verifier is shared or per-guard, not " + args[i + 1]);
                };
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --bootstrap host:port --guards N --rounds N --warmup N --verifier shared|per-guard");
            }
        }
        System.out.println(run(bootstrap, guards, rounds, warmup, sharedVerifier).report());
    }

    /**
     * Runs the measurement on a fresh compacted topic, deleted afterwards. Fails if any guard misses a pause.
     *
     * @param sharedVerifier one {@link CachingStateVerifier} for all guards, as one process embedding several
     *                       guards would use; false: every guard verifies every signature itself (about 1 ms of
     *                       CPU per Ed25519 verification, two per message, all on this machine's cores)
     */
    public static Result run(String bootstrap, int guardCount, int rounds, int warmup, boolean sharedVerifier) throws Exception {
        KeyPair keys = Ed25519Keys.generate();
        StateSigner signer = new Ed25519StateSigner(keys.getPrivate());
        StateVerifier shared = new CachingStateVerifier(new Ed25519StateVerifier(keys.getPublic()), 64);
        PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);
        Clock clock = Clock.systemUTC();
        try (ControlTopics topic = ControlTopics.create(bootstrap, "rsi.control.bench");
             ControlTopicPublisher publisher = ControlTopicPublisher.create(bootstrap, ControlTopics.GOVERNOR, topic.name(), signer, clock);
             Followers followers = new Followers()) {
            AtomicReference<PauseState> current = new AtomicReference<>(machine.initialState(clock.instant()));
            publisher.publish(current.get());
            AtomicReference<Round> round = new AtomicReference<>();
            List<KillSwitchGuard> guards = new ArrayList<>();
            for (int i = 0; i < guardCount; i++) {
                KillSwitchGuard guard = new KillSwitchGuard(LEASE, clock);
                StateVerifier verifier = sharedVerifier ? shared : new Ed25519StateVerifier(keys.getPublic());
                ControlTopicFollower follower = ControlTopicFollower.create(bootstrap, ControlTopics.GOVERNOR, topic.name(), verifier, clock);
                follower.addListener(guard).addListener(new Probe(i, guard, round));
                followers.list.add(follower);
                guards.add(guard);
            }
            followers.list.forEach(ControlTopicFollower::start);
            try (ControlTopicHeartbeat heartbeat = new ControlTopicHeartbeat(publisher, current::get, HEARTBEAT).start()) {
                awaitAll(guards, true, Duration.ofSeconds(60));
                double[] allAfterAck = new double[rounds];
                double[] allAfterSend = new double[rounds];
                double[] ack = new double[rounds];
                double[] perGuard = new double[rounds * guardCount];
                for (int r = -warmup; r < rounds; r++) {
                    PauseState paused = machine.pause(current.get(), "alice", OFFICER, "propagation round " + r, clock.instant()).to();
                    Round pause = new Round(paused.epoch(), guardCount);
                    round.set(pause);
                    long sent = System.nanoTime();
                    publisher.publish(paused);
                    long acked = System.nanoTime();
                    current.set(paused);
                    if (!pause.latch.await(ROUND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new AssertionError("round " + r + ": only " + (guardCount - pause.latch.getCount()) + " of "
                                + guardCount + " guards reported the pause within " + ROUND_TIMEOUT);
                    }
                    for (KillSwitchGuard guard : guards) {
                        if (guard.status().running()) {
                            throw new AssertionError("round " + r + ": a guard reports RUNNING after it saw the pause");
                        }
                    }
                    if (r >= 0) {
                        long last = 0;
                        for (int g = 0; g < guardCount; g++) {
                            long seen = pause.seenAt.get(g);
                            last = Math.max(last, seen);
                            perGuard[r * guardCount + g] = millis(seen - acked);
                        }
                        allAfterAck[r] = millis(last - acked);
                        allAfterSend[r] = millis(last - sent);
                        ack[r] = millis(acked - sent);
                    }
                    PauseState pending = machine.requestResume(paused, "alice", OFFICER, "round done", clock.instant()).to();
                    publisher.publish(pending);
                    PauseState resumed = machine.requestResume(pending, "bob", OFFICER, "round done", clock.instant()).to();
                    publisher.publish(resumed);
                    current.set(resumed);
                    awaitAll(guards, true, ROUND_TIMEOUT);
                }
                return new Result(guardCount, rounds, sharedVerifier, allAfterAck, allAfterSend, perGuard, ack);
            }
        }
    }

    /** Closed before the topic is deleted, so that no consumer keeps fetching a vanished partition. */
    private static final class Followers implements AutoCloseable {
        final List<ControlTopicFollower> list = new ArrayList<>();

        @Override
        public void close() {
            list.parallelStream().forEach(ControlTopicFollower::close);
        }
    }

    private static void awaitAll(List<KillSwitchGuard> guards, boolean running, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long matching = guards.stream().filter(g -> g.status().running() == running).count();
            if (matching == guards.size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + matching + " of " + guards.size() + " guards report "
                        + (running ? "RUNNING" : "halted") + " after " + timeout);
            }
            Thread.sleep(10);
        }
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    /** Nearest-rank percentile; 100 is the maximum. */
    static double percentile(double[] values, double percentile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** One pause being watched: when each guard first saw it. */
    private static final class Round {
        final long epoch;
        final AtomicLongArray seenAt;
        final CountDownLatch latch;

        Round(long epoch, int guards) {
            this.epoch = epoch;
            this.seenAt = new AtomicLongArray(guards);
            this.latch = new CountDownLatch(guards);
        }
    }

    /** Listens after the guard on the same follower, so the guard has taken the message when this runs. */
    private record Probe(int index, KillSwitchGuard guard, AtomicReference<Round> round) implements ControlListener {
        @Override
        public void onVerified(ControlMessage message, java.time.Instant receivedAt) {
            long now = System.nanoTime();
            Round watched = round.get();
            if (watched != null && message.state().epoch() == watched.epoch && !guard.status().running()
                    && watched.seenAt.compareAndSet(index, 0, now)) {
                watched.latch.countDown();
            }
        }
    }
}
