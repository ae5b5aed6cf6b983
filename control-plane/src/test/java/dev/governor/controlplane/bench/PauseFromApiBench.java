package dev.governor.controlplane.bench;

import static dev.governor.controlplane.bench.Percentiles.max;
import static dev.governor.controlplane.bench.Percentiles.pct;

import dev.governor.controlplane.testing.GovernorProcess;
import dev.governor.controlplane.testing.KafkaTestClients;
import dev.governor.controlplane.testing.Keycloak;
import dev.governor.killswitch.guard.GuardStatus;
import dev.governor.killswitch.guard.KillSwitchGuard;
import dev.governor.killswitch.propagation.ControlTopicPublisher;
import dev.governor.killswitch.state.CachingStateVerifier;
import dev.governor.killswitch.state.Ed25519Keys;
import dev.governor.killswitch.state.Ed25519StateSigner;
import dev.governor.killswitch.state.Ed25519StateVerifier;
import dev.governor.killswitch.state.PauseState;
import dev.governor.killswitch.state.PauseStateMachine;
import dev.governor.killswitch.state.Roles;
import dev.governor.killswitch.state.StateVerifier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Issue 6's figure: from the 200 of {@code POST /api/v1/killswitch/pause} on the packaged control
 * plane until N guards following {@code rsi.control} (one consumer each, one shared verifier, as
 * loops in one process would) all report HALTED. The peer, measured in the same run: the same N
 * guards on a topic of their own, from the broker's acknowledgement of a bare signed publish.
 * Needs scripts/services up (PostgreSQL, Kafka, Keycloak).
 */
public final class PauseFromApiBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        int guards = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = 3;
        Map<String, String> env = GovernorProcess.servicesEnv("target/governor-test", Map.of("GOVERNOR_INTAKE_ENABLED", "false"));
        double[] fromResponse = new double[rounds];
        double[] fromRequest = new double[rounds];
        double[] roundTrip = new double[rounds];
        try (GovernorProcess governor = new GovernorProcess("pause-bench", 18095, List.of(), env)) {
            governor.start().awaitReady(Duration.ofSeconds(120));
            resumeIfHalted(governor);
            String key = get(governor, "/api/v1/killswitch/verifier-key").strip();
            StateVerifier shared = new CachingStateVerifier(
                    new Ed25519StateVerifier(Ed25519Keys.publicKey(Base64.getDecoder().decode(key))), 1024);
            List<KillSwitchGuard> list = follow(guards, "rsi.control", shared);
            try {
                awaitAll(list, GuardStatus.Verdict.RUNNING, Duration.ofSeconds(60));
                System.out.printf("%d guards running on rsi.control; %d warm-up rounds, then %d measured%n", guards, warmup, rounds);
                for (int i = 0; i < warmup + rounds; i++) {
                    long t0 = System.nanoTime();
                    post(governor, "/api/v1/killswitch/pause", "carol", 200);
                    long t1 = System.nanoTime();
                    long t2 = awaitAll(list, GuardStatus.Verdict.HALTED, Duration.ofSeconds(30));
                    if (i >= warmup) {
                        fromResponse[i - warmup] = (t2 - t1) / 1e6;
                        fromRequest[i - warmup] = (t2 - t0) / 1e6;
                        roundTrip[i - warmup] = (t1 - t0) / 1e6;
                    }
                    post(governor, "/api/v1/killswitch/resume", "alice", 202);
                    post(governor, "/api/v1/killswitch/resume", "bob", 200);
                    awaitAll(list, GuardStatus.Verdict.RUNNING, Duration.ofSeconds(30));
                }
            } finally {
                list.forEach(KillSwitchGuard::close);
            }
            governor.stop(Duration.ofSeconds(60));
        }
        double[] bare = bare(guards, rounds, warmup);
        report("all guards HALTED, from the pause's 200", fromResponse);
        report("all guards HALTED, from sending the request", fromRequest);
        report("the pause request's round trip (commit, audit, ack)", roundTrip);
        report("peer: all guards HALTED, from the broker's ack of a bare publish", bare);
        System.out.printf("ratio p50 %.2f, p99 %.2f (from the 200 / bare publish)%n",
                pct(fromResponse, 50) / pct(bare, 50), pct(fromResponse, 99) / pct(bare, 99));
    }

    /** The same guards on a topic of their own, paused by a bare publisher: what Kafka and the guards cost alone. */
    private static double[] bare(int guards, int rounds, int warmup) throws Exception {
        String topic = "rsi.control.bench-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = KafkaTestClients.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        KeyPair pair = Ed25519Keys.generate();
        Ed25519StateSigner signer = new Ed25519StateSigner(pair.getPrivate());
        PauseStateMachine machine = new PauseStateMachine(Duration.ofMinutes(15), signer);
        StateVerifier shared = new CachingStateVerifier(new Ed25519StateVerifier(pair.getPublic()), 1024);
        double[] out = new double[rounds];
        try (ControlTopicPublisher publisher = ControlTopicPublisher.create(KafkaTestClients.BOOTSTRAP, KafkaTestClients.ADMIN.clientProperties(), topic, signer, Clock.systemUTC())) {
            PauseState[] state = {machine.initialState(Instant.now())};
            publisher.publish(state[0]);
            List<KillSwitchGuard> list = follow(guards, topic, shared);
            // keep the lease alive as Governor's heartbeat would
            Thread beat = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        publisher.publish(state[0]);
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException ignored) {
                        // raced with a change; the next beat carries it
                    }
                }
            });
            beat.setDaemon(true);
            beat.start();
            try {
                awaitAll(list, GuardStatus.Verdict.RUNNING, Duration.ofSeconds(60));
                for (int i = 0; i < warmup + rounds; i++) {
                    Set<String> officer = Set.of(Roles.SAFETY_OFFICER);
                    state[0] = machine.pause(state[0], "carol", officer, "bench", Instant.now()).to();
                    publisher.publish(state[0]);
                    long t1 = System.nanoTime();
                    long t2 = awaitAll(list, GuardStatus.Verdict.HALTED, Duration.ofSeconds(30));
                    if (i >= warmup) {
                        out[i - warmup] = (t2 - t1) / 1e6;
                    }
                    state[0] = machine.requestResume(state[0], "alice", officer, "bench", Instant.now()).to();
                    state[0] = machine.requestResume(state[0], "bob", officer, "bench", Instant.now()).to();
                    publisher.publish(state[0]);
                    awaitAll(list, GuardStatus.Verdict.RUNNING, Duration.ofSeconds(30));
                }
            } finally {
                beat.interrupt();
                list.forEach(KillSwitchGuard::close);
            }
        } finally {
            try (Admin admin = KafkaTestClients.admin()) {
                admin.deleteTopics(List.of(topic)).all().get();
            }
        }
        return out;
    }

    private static List<KillSwitchGuard> follow(int n, String topic, StateVerifier verifier) {
        List<KillSwitchGuard> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(KillSwitchGuard.follow(KafkaTestClients.BOOTSTRAP, KafkaTestClients.ADMIN.clientProperties(), topic, verifier, KillSwitchGuard.DEFAULT_LEASE, Clock.systemUTC()));
        }
        return list;
    }

    /** Polls every guard (0.2 ms apart) until all report the verdict; returns the nanoTime when the last one did. */
    private static long awaitAll(List<KillSwitchGuard> guards, GuardStatus.Verdict verdict, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean all = true;
            for (KillSwitchGuard g : guards) {
                if (g.status().verdict() != verdict) {
                    all = false;
                    break;
                }
            }
            long now = System.nanoTime();
            if (all) {
                return now;
            }
            if (now > deadline) {
                throw new IllegalStateException("not all guards reached " + verdict + " within " + timeout);
            }
            Thread.sleep(0, 200_000);
        }
    }

    private static void resumeIfHalted(GovernorProcess governor) throws Exception {
        String state = get(governor, "/api/v1/killswitch");
        if (state.contains("\"state\":\"RUNNING\"") && state.contains("\"verified\":true")) {
            return;
        }
        post(governor, "/api/v1/killswitch/pause", "carol", 200); // signs with this key if another key left the state
        post(governor, "/api/v1/killswitch/resume", "alice", 202);
        post(governor, "/api/v1/killswitch/resume", "bob", 200);
    }

    private static String get(GovernorProcess governor, String path) throws Exception {
        return send(governor, HttpRequest.newBuilder(URI.create(governor.url(path))), "rita", 200);
    }

    private static void post(GovernorProcess governor, String path, String user, int expected) throws Exception {
        send(governor, HttpRequest.newBuilder(URI.create(governor.url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"pause benchmark\"}")), user, expected);
    }

    private static String send(GovernorProcess governor, HttpRequest.Builder b, String user, int expected) throws Exception {
        HttpResponse<String> r = HTTP.send(b.header("Authorization", "Bearer " + Keycloak.token(user)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(r.statusCode() + " from " + r.uri() + ": " + r.body() + "\n" + governor.tail());
        }
        return r.body();
    }

    private static void report(String what, double[] ms) {
        System.out.printf("%-62s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", what, pct(ms, 50), pct(ms, 99),
                max(ms));
    }

}
