-- The tamper-evident audit log (ARCHITECTURE.md §6), owned by the auditor module.
--
-- Append-only: the application role ${appRole} gets SELECT and INSERT, nothing else, and
-- statement-level triggers refuse UPDATE, DELETE and TRUNCATE for every role, the owner included.
-- Entries are numbered 0, 1, 2, ... without gaps: appenders serialise on a transaction-scoped
-- advisory lock (dev.governor.auditor.store.AuditLogStore), and a trigger refuses any entry whose
-- index is not the next one or whose leaf hash is not SHA-256(0x00 || leaf).
-- Names are unqualified so that the migration runs in whatever schema Flyway is given.

create table audit_entry (
    entry_index      bigint      primary key,
    leaf             bytea       not null,
    leaf_hash        bytea       not null,
    event_type       text        not null,
    proposal_id      text,
    actor            text,
    policy_revision  text,
    occurred_at      timestamptz not null,
    constraint audit_entry_index_not_negative check (entry_index >= 0),
    constraint audit_entry_leaf_hash_size check (octet_length(leaf_hash) = 32)
);
comment on table audit_entry is
    'RFC 6962 log leaves: leaf = RFC 8785 canonical JSON of the event; the other columns repeat fields of the leaf for queries.';
create index audit_entry_proposal on audit_entry (proposal_id, entry_index) where proposal_id is not null;
create index audit_entry_actor on audit_entry (actor, entry_index) where actor is not null;
create index audit_entry_type on audit_entry (event_type, entry_index);
create index audit_entry_occurred on audit_entry (occurred_at);
create index audit_entry_policy_revision on audit_entry (policy_revision, entry_index) where policy_revision is not null;

-- Hash of every complete subtree (2^level leaves starting at node_index * 2^level), written
-- when its last leaf is integrated; any root or proof reads O(log n) of them.
create table audit_tree_node (
    level       smallint not null,
    node_index  bigint   not null,
    hash        bytea    not null,
    primary key (level, node_index),
    constraint audit_tree_node_level_range check (level between 0 and 62),
    constraint audit_tree_node_index_not_negative check (node_index >= 0),
    constraint audit_tree_node_hash_size check (octet_length(hash) = 32)
);

-- Signed C2SP checkpoints as published (signed_note is the exact text handed out).
create table audit_checkpoint (
    tree_size     bigint      primary key,
    root_hash     bytea       not null,
    signed_note   text        not null,
    published_at  timestamptz not null default now(),
    constraint audit_checkpoint_size_not_negative check (tree_size >= 0),
    constraint audit_checkpoint_root_size check (octet_length(root_hash) = 32)
);

create function audit_refuse_change() returns trigger
    language plpgsql as
$$
begin
    raise exception 'the audit log is append-only: % on % is refused', tg_op, tg_table_name
        using errcode = 'insufficient_privilege',
              hint = 'audit entries, tree nodes and checkpoints are never changed or removed';
end;
$$;

create trigger audit_entry_append_only
    before update or delete or truncate on audit_entry
    for each statement execute function audit_refuse_change();
create trigger audit_tree_node_append_only
    before update or delete or truncate on audit_tree_node
    for each statement execute function audit_refuse_change();
create trigger audit_checkpoint_append_only
    before update or delete or truncate on audit_checkpoint
    for each statement execute function audit_refuse_change();

-- Rows inserted earlier by the same statement are visible here, so batched inserts are checked
-- one by one as well.
create function audit_entry_check_next() returns trigger
    language plpgsql as
$$
declare
    expected bigint;
begin
    select coalesce(max(entry_index) + 1, 0) into expected from audit_entry;
    if new.entry_index <> expected then
        raise exception 'audit entry % is not the next index %: the log has no gaps', new.entry_index, expected
            using errcode = 'integrity_constraint_violation';
    end if;
    if new.leaf_hash <> sha256('\x00'::bytea || new.leaf) then
        raise exception 'audit entry %: leaf_hash is not SHA-256(0x00 || leaf)', new.entry_index
            using errcode = 'integrity_constraint_violation';
    end if;
    return new;
end;
$$;

create trigger audit_entry_next_index
    before insert on audit_entry
    for each row execute function audit_entry_check_next();

revoke all on audit_entry, audit_tree_node, audit_checkpoint from public;
grant select, insert on audit_entry, audit_tree_node, audit_checkpoint to ${appRole};
