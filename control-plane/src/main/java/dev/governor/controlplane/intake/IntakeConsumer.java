package dev.governor.controlplane.intake;

import dev.governor.controlplane.proposal.Proposal;
import dev.governor.controlplane.proposal.MalformedProposalException;
import dev.governor.controlplane.gate.DecisionMessage;
import dev.governor.controlplane.proposal.ProposalParser;
import dev.governor.auditor.canonical.CanonicalJson;
import dev.governor.controlplane.config.GovernorConfig;
import dev.governor.controlplane.gate.DecisionEntity;
import dev.governor.controlplane.kafka.KafkaClients;
import dev.governor.controlplane.config.Daemons;
import dev.governor.controlplane.loop.LoopRegistry;
import dev.governor.controlplane.loop.LoopSnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@code rsi.proposals} and hands each polled batch to {@link IntakeService}. Order per batch:
 * classify and evaluate (while the batch before it is stored), decide and audit in one database
 * transaction on the store thread (while the batch before it is published and committed), then
 * publish refusals to the dead-letter topic and decisions to {@code rsi.decisions} and wait for the
 * broker, then commit the offsets. One transaction runs at a time, in poll order. A failure before
 * the commit rewinds to the first record not committed and retries: at-least-once delivery, with
 * the database making each decision happen exactly once (ADRs 0003, 0010 and 0012).
 * <p>
 * It is longer than 400 lines because the three stages, the rewind after a failure and the spans
 * of each record all work on one consumer's state (its positions, the batches in flight, their
 * spans); split apart, every piece would need that state handed to it and the order between
 * them, which is the point of this class, would no longer be read in one place.
 */
@ApplicationScoped
public class IntakeConsumer {

    private static final Logger LOG = Logger.getLogger(IntakeConsumer.class);
    public static final String ERROR_HEADER = "governor-error";

    private final GovernorConfig config;
    private final KafkaClients kafka;
    private final IntakeService service;
    private final ProposalParser parser;
    private final Tracer tracer;
    private final MeterRegistry registry;
    private final LoopRegistry loops;
    private final Timer batchTimer;
    private final Timer prepareTimer;
    private final Timer storeTimer;
    private final Timer publishTimer;
    private final Timer commitTimer;
    /**
     * Batches are stored here, one transaction at a time, while the consumer thread publishes and
     * commits the batch before and prepares the batch after (ADR 0012).
     */
    private final ExecutorService storeThread = Executors.newSingleThreadExecutor(Daemons.named("governor-intake-store"));
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Thread thread;
    private volatile long lastPoll;
    private volatile long failingSince;
    private volatile String lastError;

    public IntakeConsumer(GovernorConfig config, KafkaClients kafka, IntakeService service, ProposalParser parser, Tracer tracer,
                          MeterRegistry registry, LoopRegistry loops) {
        this.config = config;
        this.loops = loops;
        this.kafka = kafka;
        this.service = service;
        this.tracer = tracer;
        this.registry = registry;
        this.parser = parser;
        this.batchTimer = Timer.builder("governor.intake.batch").description("Time to decide, publish and commit one batch")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.prepareTimer = stageTimer(registry, "prepare", "parse, read what the batch depends on, submit its evaluations");
        this.storeTimer = stageTimer(registry, "store", "the batch's transaction, waiting for its evaluations included");
        this.publishTimer = stageTimer(registry, "publish", "decisions and dead letters sent and acknowledged");
        this.commitTimer = stageTimer(registry, "commit", "offsets committed");
    }

    /** {@code governor.intake.stage{stage=...}}: time per batch in one intake stage. */
    static Timer stageTimer(MeterRegistry registry, String stage, String what) {
        return Timer.builder("governor.intake.stage").tag("stage", stage).description("Time per batch in one intake stage: " + what)
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!config.intake().enabled()) {
            LOG.info("Intake consumer disabled (governor.intake.enabled=false)");
            return;
        }
        running = true;
        thread = new Thread(this::run, "governor-intake");
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        storeThread.shutdown();
    }

    /** Keeps a consumer running until shutdown: an unexpected failure closes it and opens a new one after the backoff. */
    private void run() {
        while (running) {
            try {
                consume();
            } catch (WakeupException e) {
                if (running) {
                    LOG.warn("Intake consumer woken up unexpectedly; reopening it");
                }
            } catch (RuntimeException e) {
                lastError = e.toString();
                registry.counter("governor.intake.consumer.restarts").increment();
                LOG.errorf(e, "Intake consumer failed; reopening it in %s", config.intake().retryBackoff());
                sleep(config.intake().retryBackoff());
            }
        }
        LOG.info("Intake consumer stopped");
    }

    private void consume() {
        String topic = config.topics().proposals();
        try (KafkaConsumer<String, byte[]> c = kafka.consumer(config.intake().groupId(), config.intake().maxPollRecords(),
                config.intake().sessionTimeout())) {
            consumer = c;
            c.subscribe(List.of(topic), new Rebalance(c));
            LOG.infof("Intake consuming %s from %s as group %s", topic, kafka.bootstrapServers(), config.intake().groupId());
            try {
                while (running) {
                    turn(c);
                }
            } finally {
                // Shutting down or reopening: the batch being stored is finished if it can be.
                if (storing != null) {
                    InFlight f = storing;
                    storing = null;
                    settle(c, f, "before the consumer closed");
                }
            }
        } finally {
            consumer = null;
        }
    }

    /** One turn: poll, prepare what came, and hand on the batch being stored (ADRs 0010 and 0012). */
    private void turn(KafkaConsumer<String, byte[]> c) {
        // With a batch being stored, take whatever has been fetched already and prepare it meanwhile.
        ConsumerRecords<String, byte[]> records = c.poll(storing == null ? config.intake().pollTimeout() : Duration.ZERO);
        lastPoll = System.nanoTime();
        InFlight next = null;
        InFlight stored = null;
        try {
            if (!records.isEmpty()) {
                next = begin(records, storing);
            }
            if (storing != null) {
                IntakeService.Outcome outcome = storing.awaitStored();
                stored = storing;
                storing = null;
                if (next != null) {
                    storeInBackground(next);
                    storing = next;
                    next = null;
                }
                publishAndCommit(c, stored, outcome);
                stored = null;
                failingSince = 0;
                lastError = null;
            } else if (next != null) {
                storeInBackground(next);
                storing = next;
                next = null;
            }
        } catch (RuntimeException e) {
            // Nothing is left in flight: the batch being stored is waited for, then every batch not
            // committed in Kafka is dropped and read again, the earliest positions winning. What was
            // stored is found stored when read again (ADR 0003).
            int count = records.count() + (stored == null ? 0 : stored.records.count())
                    + (storing == null || storing.records == records ? 0 : storing.records.count());
            if (storing != null) {
                storing.awaitQuietly();
            }
            if (next != null) {
                next.abandon(e);
            }
            rewind(c, records);
            abandonAndRewind(c, e, storing, stored);
            storing = null;
            if (!running) {
                return;
            }
            if (failingSince == 0) {
                failingSince = System.nanoTime();
            }
            lastError = e.toString();
            LOG.errorf(e, "Intake batch of %d records failed; it will be retried in %s (nothing was committed)",
                    count, config.intake().retryBackoff());
            registry.counter("governor.intake.batch.failures").increment();
            sleep(config.intake().retryBackoff());
        }
    }

    /** Publishes and commits a batch once its transaction has ended; if it did not commit, rewinds to it. */
    private void settle(KafkaConsumer<String, byte[]> c, InFlight f, String when) {
        try {
            publishAndCommit(c, f, f.awaitStored());
        } catch (RuntimeException e) {
            f.abandon(e);
            try {
                rewind(c, f.records);
            } catch (RuntimeException r) {
                e.addSuppressed(r); // a closing consumer: the next one starts from the committed offsets anyway
            }
            LOG.warnf(e, "Intake could not finish a batch of %d records %s; it will be read again", f.records.count(), when);
        }
    }

    /** A polled batch on its way: prepared and evaluating, then stored, published and committed. */
    private final class InFlight {
        final ConsumerRecords<String, byte[]> records;
        final List<Span> spans = new ArrayList<>();
        final Map<IntakeRecord, Span> spanOf = new java.util.IdentityHashMap<>();
        final Map<String, Span> spanOfProposal = new HashMap<>();
        final long started = System.nanoTime();
        IntakeService.Prepared prepared;
        /** Its transaction, on the store thread; null until submitted. */
        Future<IntakeService.Outcome> stored;
        private boolean ended;

        InFlight(ConsumerRecords<String, byte[]> records) {
            this.records = records;
        }

        /** The outcome of its transaction, once committed; its failure, rethrown. */
        IntakeService.Outcome awaitStored() {
            try {
                return stored.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException("storing an intake batch failed: " + cause, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while an intake batch was being stored", e);
            }
        }

        /** Waits until its transaction has ended, committed or not, without caring which. */
        void awaitQuietly() {
            if (stored == null) {
                return;
            }
            boolean interrupted = false;
            while (true) {
                try {
                    stored.get();
                    break;
                } catch (ExecutionException e) {
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        void end() {
            if (!ended) {
                ended = true;
                spans.forEach(Span::end);
            }
        }

        /** Neither committed in Kafka nor (as far as this consumer knows) stored: it will be read again. */
        void abandon(Throwable why) {
            if (prepared != null) {
                prepared.discard();
            }
            if (!ended) {
                spans.forEach(s -> s.recordException(why));
            }
            end();
        }
    }

    /**
     * Consumer thread only: the batch whose transaction runs on the store thread, at most one. The
     * batch prepared after it counts what it stores (ADR 0010); the next transaction starts only
     * after it has committed.
     */
    private InFlight storing;

    /** Parses a polled batch and has it classified and evaluated, counting what {@code before} will store. */
    private InFlight begin(ConsumerRecords<String, byte[]> records, InFlight before) {
        InFlight f = new InFlight(records);
        List<IntakeRecord> batch = new ArrayList<>(records.count());
        // Who may sign, as committed now: a key revoked before this poll signs nothing in it.
        LoopSnapshot registry = loops.snapshot();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        for (ConsumerRecord<String, byte[]> r : records) {
            Span span = tracer.spanBuilder(r.topic() + " process")
                    .setParent(kafka.extract(r.headers()))
                    .setSpanKind(SpanKind.CONSUMER)
                    .setAttribute("messaging.system", "kafka")
                    .setAttribute("messaging.destination.name", r.topic())
                    .setAttribute("messaging.kafka.message.key", r.key() == null ? "" : r.key())
                    .setAttribute("messaging.kafka.offset", r.offset())
                    .startSpan();
            f.spans.add(span);
            IntakeRecord record = parse(r, span.getSpanContext().getTraceId(), registry, now);
            batch.add(record);
            f.spanOf.put(record, span);
            if (!record.isMalformed()) {
                f.spanOfProposal.putIfAbsent(record.proposal().proposalId(), span);
            }
        }
        try {
            f.prepared = service.prepare(batch, before == null ? null : before.prepared);
        } catch (RuntimeException e) {
            f.abandon(e);
            throw e;
        }
        prepareTimer.record(System.nanoTime() - f.started, TimeUnit.NANOSECONDS);
        return f;
    }

    /** Starts the batch's transaction on the store thread; the one before it must have committed. */
    private void storeInBackground(InFlight f) {
        f.stored = storeThread.submit(() -> {
            long t0 = System.nanoTime();
            IntakeService.Outcome outcome = service.store(f.prepared);
            storeTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return outcome;
        });
    }

    /** Publishes what a stored batch decided and refused, waits for the broker, then commits its offsets. */
    private void publishAndCommit(KafkaConsumer<String, byte[]> c, InFlight f, IntakeService.Outcome outcome) {
        try {
            long t1 = System.nanoTime();
            publish(outcome, f.spanOf, f.spanOfProposal);
            long t2 = System.nanoTime();
            c.commitSync(nextOffsets(f.records));
            long t3 = System.nanoTime();
            publishTimer.record(t2 - t1, TimeUnit.NANOSECONDS);
            commitTimer.record(t3 - t2, TimeUnit.NANOSECONDS);
            batchTimer.record(t3 - f.started, TimeUnit.NANOSECONDS);
        } finally {
            f.end();
        }
    }

    /**
     * Drops batches not committed in Kafka and seeks back to their first records. Given latest
     * first: the earliest batch's positions win.
     */
    private static void abandonAndRewind(KafkaConsumer<String, byte[]> c, Throwable why, InFlight... latestFirst) {
        for (InFlight f : latestFirst) {
            if (f != null) {
                f.abandon(why);
                rewind(c, f.records);
            }
        }
    }

    /** What the intake health check reports. */
    public record State(boolean enabled, boolean threadAlive, Duration sinceLastPoll, Duration failingFor, String lastError) {
    }

    public State state() {
        long now = System.nanoTime();
        long polled = lastPoll;
        long failing = failingSince;
        return new State(config.intake().enabled(), thread != null && thread.isAlive(),
                polled == 0 ? null : Duration.ofNanos(now - polled),
                failing == 0 ? Duration.ZERO : Duration.ofNanos(now - failing), lastError);
    }

    private IntakeRecord parse(ConsumerRecord<String, byte[]> r, String traceId, LoopSnapshot registry, OffsetDateTime now) {
        byte[] value = r.value();
        int size = value == null ? 0 : value.length;
        String sha = value == null ? null : CanonicalJson.sha256Hex(value);
        // Both content modes of the CloudEvents Kafka binding: binary (attributes in ce_ headers,
        // the value is the data) when any ce_ header is present, else structured.
        List<Map.Entry<String, byte[]>> eventHeaders = new ArrayList<>();
        for (Header h : r.headers()) {
            if (h.key().startsWith(ProposalParser.BINARY_PREFIX) || h.key().equals(ProposalParser.CONTENT_TYPE_HEADER)) {
                eventHeaders.add(Map.entry(h.key(), h.value() == null ? new byte[0] : h.value()));
            }
        }
        if (!ProposalParser.isBinary(eventHeaders)) {
            eventHeaders = List.of();
        }
        try {
            Proposal proposal = eventHeaders.isEmpty() ? parser.parse(r.key(), value, registry, now)
                    : parser.parseBinary(r.key(), eventHeaders, value, registry, now);
            return new IntakeRecord(r.topic(), r.partition(), r.offset(), r.key(), value, size, sha, traceId, proposal, null,
                    eventHeaders);
        } catch (MalformedProposalException e) {
            return new IntakeRecord(r.topic(), r.partition(), r.offset(), r.key(), value, size, sha, traceId, null, e, eventHeaders);
        }
    }

    /** Each publication is sent inside the span of the record it answers, so the trace continues. */
    private void publish(IntakeService.Outcome outcome, Map<IntakeRecord, Span> spanOf, Map<String, Span> spanOfProposal) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        List<Refusal> refusals = outcome.refusals();
        for (Refusal refusal : refusals) {
            try (Scope ignored = spanOf.get(refusal.record()).makeCurrent()) {
                sends.add(kafka.send(deadLetter(refusal, true)));
            }
        }
        for (DecisionEntity d : outcome.decisionsToPublish()) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.topics().decisions(), d.proposalId,
                    DecisionMessage.of(d).toJson().getBytes(StandardCharsets.UTF_8));
            try (Scope ignored = spanOfProposal.get(d.proposalId).makeCurrent()) {
                sends.add(kafka.send(record));
            }
        }
        for (int i = 0; i < sends.size(); i++) {
            try {
                sends.get(i).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RecordTooLargeException && i < refusals.size()) {
                    // The original stays in rsi.proposals; the dead letter names it and its digest.
                    try (Scope ignored = spanOf.get(refusals.get(i).record()).makeCurrent()) {
                        await(kafka.send(deadLetter(refusals.get(i), false)));
                    }
                } else {
                    throw new IllegalStateException("Kafka did not acknowledge an intake publication: " + e.getCause(), e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Kafka did not acknowledge an intake publication within 30 s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while publishing intake results", e);
            }
        }
    }

    private static void await(Future<RecordMetadata> send) {
        try {
            send.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not acknowledge a dead letter: " + e, e);
        }
    }

    private ProducerRecord<String, byte[]> deadLetter(Refusal refusal, boolean withValue) {
        IntakeRecord r = refusal.record();
        ProducerRecord<String, byte[]> dlq = new ProducerRecord<>(config.topics().proposalsDlq(), r.key(),
                withValue ? r.rawValue() : null);
        r.eventHeaders().forEach(h -> dlq.headers().add(h.getKey(), h.getValue()));
        dlq.headers().add(ERROR_HEADER, refusal.reason().getBytes(StandardCharsets.UTF_8));
        dlq.headers().add("governor-error-code", refusal.code().getBytes(StandardCharsets.UTF_8));
        dlq.headers().add("governor-source", r.position().getBytes(StandardCharsets.UTF_8));
        if (r.valueSha256() != null) {
            dlq.headers().add("governor-value-sha256", r.valueSha256().getBytes(StandardCharsets.UTF_8));
        }
        if (!withValue) {
            dlq.headers().add("governor-value-dropped", "too large to copy; read it at governor-source".getBytes(StandardCharsets.UTF_8));
        }
        return dlq;
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> list = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private static void rewind(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            if (c.assignment().contains(tp)) {
                c.seek(tp, records.records(tp).get(0).offset());
            }
        }
    }

    /**
     * Operators see which partitions this instance decides, and when a crashed peer's are taken
     * over. A batch waiting to be stored is finished before its partitions are handed over, so the
     * next owner starts after it; if it cannot be, it is dropped and the next owner reads it again.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> c;

        Rebalance(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.infof("Intake assigned %s", partitions);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.infof("Intake revoked %s", partitions);
            }
            if (storing != null) {
                InFlight f = storing;
                storing = null;
                settle(c, f, "before a rebalance");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            LOG.warnf("Intake lost %s without a clean hand-over (session expired); its uncommitted batches are replayed and the database keeps each decision once", partitions);
            if (storing != null) {
                storing.awaitQuietly();
                abandonAndRewind(c, new IllegalStateException("partitions lost: " + partitions), storing);
                storing = null;
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
