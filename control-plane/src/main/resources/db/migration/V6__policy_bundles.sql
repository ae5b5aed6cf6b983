-- Policy bundles that can be put into force at run time (ADR 0007), and which one is in force.
--
-- policy_bundle keeps every revision Governor has been able to evaluate with: the one each
-- release ships (source 'deployment') and those uploaded by an admin (source 'upload', with the
-- SHA-256 of the uploaded archive). Rows are never changed, so a decision's revision can always
-- be evaluated again. policy_active is one row: the revision every instance evaluates with, the
-- release's own revision when it was last deployed, and who put the revision into force.

create table policy_bundle (
    revision       char(64)    primary key,
    source         text        not null,
    wasm           bytea       not null,
    data           jsonb       not null,
    bundle_sha256  char(64),
    added_by       text        not null,
    added_at       timestamptz not null,
    constraint policy_bundle_source_known check (source in ('deployment', 'upload')),
    constraint policy_bundle_upload_has_digest check (source <> 'upload' or bundle_sha256 is not null)
);

create table policy_active (
    id                 smallint    primary key default 1,
    revision           char(64)    not null references policy_bundle (revision),
    source             text        not null,
    deployed_revision  char(64)    not null references policy_bundle (revision),
    activated_by       text        not null,
    activated_at       timestamptz not null,
    reason             text        not null,
    constraint policy_active_one_row check (id = 1),
    constraint policy_active_source_known check (source in ('deployment', 'admin'))
);

create trigger policy_bundle_append_only
    before update or delete or truncate on policy_bundle
    for each statement execute function audit_refuse_change();

revoke all on policy_bundle, policy_active from public;
grant select, insert on policy_bundle to ${appRole};
grant select, insert, update on policy_active to ${appRole};
