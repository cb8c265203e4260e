-- The flag job reads only open cases, as the overdue sweep of service
-- requests does since 0330: its index held every case not yet flagged, so
-- each sweep walked the cases settled or withdrawn within their 15 days
-- too, a zone's whole history, and read each from the table to find its
-- status. The index now holds open cases alone (mediation.sweepUnsettled).
DROP INDEX mediation_cases_clock;
CREATE INDEX mediation_cases_clock ON mediation_cases(applied_at)
    WHERE flagged_at IS NULL AND status IN ('intake', 'accepted', 'scheduled', 'in_mediation');
