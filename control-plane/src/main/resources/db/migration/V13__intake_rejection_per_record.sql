-- A refusal is recorded (and audited) once per record, not once per Kafka position. Positions
-- start again at 0 when a Kafka cluster is rebuilt with the same topic names, and a different
-- record at an old position must still be recorded and audited; its value digest tells the two
-- apart. A redelivery of the same record finds its row and is not audited twice.
alter table intake_rejection drop constraint intake_rejection_pkey;
create unique index intake_rejection_record
    on intake_rejection (topic, kafka_partition, kafka_offset, coalesce(value_sha256, ''));
