"""Cross-domain helpers: time, column types, transactions and jobs, i18n, security."""
