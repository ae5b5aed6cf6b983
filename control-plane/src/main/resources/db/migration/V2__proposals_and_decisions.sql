-- Proposals as received from rsi.proposals, the policy decisions made on them, and the records
-- intake refused. The application role may add rows and move a proposal through its states;
-- decisions and refusals are never changed once written.

create table proposal (
    proposal_id            text        primary key,
    loop_id                text        not null,
    source_system          text        not null,
    kind                   text        not null,
    content_digest         char(64)    not null,
    status                 text        not null,
    source                 text        not null,
    event_time             timestamptz,
    data                   jsonb       not null,
    received_at            timestamptz not null,
    received_while_paused  boolean     not null default false,
    submitted_by           text,
    kafka_partition        integer,
    kafka_offset           bigint,
    trace_id               text,
    decision_id            uuid,
    updated_at             timestamptz not null,
    constraint proposal_status_known check (status in
        ('RECEIVED', 'REJECTED_BY_POLICY', 'PENDING_REVIEW', 'REJECTED', 'APPROVED', 'EXPIRED', 'BLOCKED', 'PROMOTED'))
);
create index proposal_status_received on proposal (status, received_at);
create index proposal_loop_received on proposal (loop_id, received_at);

create table policy_decision (
    decision_id         uuid        primary key,
    proposal_id         text        not null references proposal (proposal_id),
    path                text        not null,
    bundle_name         text        not null,
    bundle_revision     text        not null,
    engine              text        not null,
    input               jsonb       not null,
    input_digest        char(64)    not null,
    result              jsonb       not null,
    outcome             text        not null,
    tier                text        not null,
    required_approvals  integer     not null,
    halt_loop           boolean     not null,
    decided_at          timestamptz not null,
    metrics             jsonb       not null,
    constraint policy_decision_outcome_known check (outcome in ('DENY', 'REVIEW'))
);
create index policy_decision_proposal on policy_decision (proposal_id, decided_at);
create index policy_decision_revision on policy_decision (bundle_revision);

-- Capability scores seen per loop, for the policy's rate-of-improvement rule.
create table capability_observation (
    loop_id      text             not null,
    domain       text             not null,
    score        double precision not null,
    proposal_id  text             not null references proposal (proposal_id),
    observed_at  timestamptz      not null
);
create index capability_observation_loop on capability_observation (loop_id, domain, observed_at);

-- Records intake refused (malformed, conflicting). Keyed by their place in Kafka so that a
-- redelivered record is recognised and neither audited nor counted twice.
create table intake_rejection (
    topic          text        not null,
    kafka_partition integer    not null,
    kafka_offset   bigint      not null,
    record_key     text,
    code           text        not null,
    reason         text        not null,
    value_sha256   char(64),
    value_bytes    integer     not null,
    rejected_at    timestamptz not null,
    primary key (topic, kafka_partition, kafka_offset)
);

grant select, insert, update on proposal to ${appRole};
grant select, insert on policy_decision, capability_observation, intake_rejection to ${appRole};
