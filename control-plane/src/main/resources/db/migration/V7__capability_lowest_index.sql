-- The rate-of-improvement rule needs, per loop and domain, the lowest score of the last 7 days.
-- Ordered by score, the index answers that with one short index scan per (loop, domain) instead
-- of reading and sorting every observation of the week (a loop sending 40 proposals a minute
-- has 400,000). It also lists a loop's domains by skipping from one to the next, as the old
-- index (loop_id, domain, observed_at) did, which nothing else reads.
create index capability_observation_lowest on capability_observation (loop_id, domain, score, observed_at);
drop index capability_observation_loop;
