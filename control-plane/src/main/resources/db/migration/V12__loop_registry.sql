-- The loop registry (issue 19): which loops may submit, who owns them (owners never approve
-- their proposals), which authenticated subjects may submit for them over HTTP, and the Ed25519
-- keys whose DSSE signatures identify them on Kafka. Every change bumps the loop's revision
-- from one sequence, so an instance sees that its cached registry is stale with one query.
create sequence loop_registry_revision;

create table loop_registration (
    loop_id        text        primary key,
    source_system  text        not null,
    display_name   text,
    owners         text[]      not null default '{}',
    submitters     text[]      not null default '{}',
    status         text        not null check (status in ('ACTIVE', 'DISABLED')),
    registered_by  text        not null,
    registered_at  timestamptz not null,
    updated_by     text        not null,
    updated_at     timestamptz not null,
    revision       bigint      not null default nextval('loop_registry_revision')
);

-- A key belongs to one loop forever (its id is the hex SHA-256 of the raw public key). Keys are
-- never deleted: a revoked or expired key still explains the signatures it made.
create table loop_key (
    key_id      text        primary key check (key_id ~ '^[0-9a-f]{64}$'),
    loop_id     text        not null references loop_registration (loop_id),
    public_key  text        not null,
    not_before  timestamptz not null,
    not_after   timestamptz,
    revoked_at  timestamptz,
    added_by    text        not null,
    added_at    timestamptz not null,
    check (not_after is null or not_after > not_before)
);
create index loop_key_loop on loop_key (loop_id);

-- What identified a proposal's sender: the key whose signature verified, and the envelope as it
-- came (its payload is the exact bytes signed, so anyone can check the signature again).
alter table proposal add column signing_key_id text, add column envelope text;

grant select, insert, update on loop_registration to ${appRole};
grant select, insert on loop_key to ${appRole};
grant update (revoked_at, not_after) on loop_key to ${appRole};
grant usage on sequence loop_registry_revision to ${appRole};
