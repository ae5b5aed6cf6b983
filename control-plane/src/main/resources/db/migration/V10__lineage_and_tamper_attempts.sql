-- Governor counts a proposal's unreviewed lineage itself, from the parentId chain it received
-- (the loop's own lineage[] is only cross-checked): the parent is a column, so walking the chain
-- reads one primary-key row per generation instead of each ancestor's whole document.
alter table proposal add column parent_id text;
update proposal set parent_id = data ->> 'parentId' where data ->> 'parentId' is not null;

-- Proposals the policy found tampering (its decision says tampering: true), per loop: the
-- policy halts a loop after too many within its window (data/tampering.json). One row per
-- proposal, however often it is decided again.
create table tamper_attempt (
    proposal_id  text        primary key references proposal (proposal_id),
    loop_id      text        not null,
    decision_id  uuid        not null references policy_decision (decision_id),
    decided_at   timestamptz not null
);
create index tamper_attempt_loop on tamper_attempt (loop_id, decided_at);

grant select, insert on tamper_attempt to ${appRole};
