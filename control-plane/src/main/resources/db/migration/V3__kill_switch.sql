-- The global kill switch (architecture §5): one row, the source of truth, changed only under a
-- row lock by the signed state machine of kill-switch/; every accepted change is also kept in
-- the history, which is never updated. Fields are stored exactly as signed (whole milliseconds)
-- so that the signature still verifies when read back.

create table kill_switch (
    id                    text        primary key,
    state                 text        not null,
    epoch                 bigint      not null,
    reason                text        not null,
    actor                 text        not null,
    cause                 text,
    changed_at            timestamptz not null,
    pending_officer       text,
    pending_reason        text,
    pending_requested_at  timestamptz,
    pending_expires_at    timestamptz,
    signature             text        not null,
    constraint kill_switch_single_row check (id = 'global'),
    constraint kill_switch_state_known check (state in ('RUNNING', 'PAUSED', 'TRIPPED')),
    constraint kill_switch_tripped_has_cause check (state <> 'TRIPPED' or cause is not null),
    constraint kill_switch_pending_complete check (
        (pending_officer is null) = (pending_reason is null)
        and (pending_officer is null) = (pending_requested_at is null)
        and (pending_officer is null) = (pending_expires_at is null))
);

create table kill_switch_history (
    epoch       bigint      primary key,
    kind        text        not null,
    actor       text        not null,
    roles       text[]      not null,
    reason      text        not null,
    from_state  text        not null,
    from_epoch  bigint      not null,
    state       text        not null,
    cause       text,
    pending_officer text,
    changed_at  timestamptz not null,
    signature   text        not null
);

grant select, insert, update on kill_switch to ${appRole};
grant select, insert on kill_switch_history to ${appRole};
