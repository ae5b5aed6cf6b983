-- Human sign-off and promotion (architecture §5). An approval names the decision and content
-- digest it approves and is void for any other; one person counts once per decision. A promotion
-- happens at most once per proposal; its message waits in the outbox until the relay has it
-- acknowledged by rsi.promotions, and records where it landed.

create table approval (
    approval_id       uuid        primary key,
    proposal_id       text        not null references proposal (proposal_id),
    decision_id       uuid        not null references policy_decision (decision_id),
    content_digest    char(64)    not null,
    approver_subject  text        not null,
    approver          text        not null,
    comment           text,
    approved_at       timestamptz not null,
    expires_at        timestamptz not null,
    constraint approval_once_per_person unique (proposal_id, decision_id, approver_subject)
);
create index approval_proposal on approval (proposal_id, approved_at);

create table promotion (
    proposal_id        text        primary key references proposal (proposal_id),
    promotion_id       uuid        not null unique,
    approved_decision  uuid        not null references policy_decision (decision_id),
    recheck_decision   uuid        not null references policy_decision (decision_id),
    bundle_revision    text        not null,
    content_digest     char(64)    not null,
    promoted_at        timestamptz not null
);

create table promotion_outbox (
    promotion_id     uuid        primary key references promotion (promotion_id),
    proposal_id      text        not null,
    payload          jsonb       not null,
    created_at       timestamptz not null,
    published_at     timestamptz,
    kafka_partition  integer,
    kafka_offset     bigint
);
create index promotion_outbox_unpublished on promotion_outbox (created_at) where published_at is null;

grant select, insert on approval, promotion to ${appRole};
-- A person approving again after their approval expired renews it (one row per person and decision).
grant update (approved_at, expires_at, comment) on approval to ${appRole};
grant select, insert, update on promotion_outbox to ${appRole};
