"""Per-language date formats (FORMAT_MODULE_PATH): they override Django's for these languages."""
