-- A batch's serials in issue order, read a page at a time by keyset (the page after the last
-- serial sent) by the labels.csv and labels.xlsx downloads: without this index each page of a
-- 1 000 000-serial batch would sort the whole batch again.
CREATE INDEX label_serials_issue_order ON label_serials (batch_id, issued_at, serial);
