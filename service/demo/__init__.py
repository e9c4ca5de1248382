"""Demo data for `radura serve --demo`: organizations, users, products, a batch in every state, a
week of scans."""
