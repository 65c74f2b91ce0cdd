-- The claim behind each debtor, as the bank's debtor list gives it (all optional): what the
-- recovery assessment weighs a jurisdiction's enforcement route against.
ALTER TABLE debtors ADD COLUMN claim_kind VARCHAR;          -- 'judgment' or 'award'
ALTER TABLE debtors ADD COLUMN claim_reference VARCHAR;     -- judgment or award reference
ALTER TABLE debtors ADD COLUMN claim_forum VARCHAR;         -- court or tribunal
ALTER TABLE debtors ADD COLUMN judgment_date DATE;          -- date given (or award made)
ALTER TABLE debtors ADD COLUMN judgment_final BOOLEAN;      -- final and conclusive
ALTER TABLE debtors ADD COLUMN default_date DATE;           -- date of default
ALTER TABLE debtors ADD COLUMN secured_amount DECIMAL(20, 2);  -- security held, claim currency
