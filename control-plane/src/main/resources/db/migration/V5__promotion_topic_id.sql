-- Where a promotion landed is named by the Kafka topic id as well as partition and offset. A topic
-- deleted and created again (or a replaced cluster) restarts its offsets at zero; marks left from
-- the old topic must not tell the relay's reconciliation where the new topic's unmarked messages
-- begin, or a promotion published just before a crash would be sent twice (ADR 0006).
alter table promotion_outbox add column kafka_topic_id text;
