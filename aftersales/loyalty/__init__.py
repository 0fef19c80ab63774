"""Points ledger, earn rules, redemption, expiry and tiers with their benefits."""
