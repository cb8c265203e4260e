package orgs

// MemberCounts exposes getOne's member-count columns to the plan test.
const MemberCounts = memberCounts
