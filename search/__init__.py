"""Japanese full-text search (Whoosh): engine, index upkeep, web page and JSON API. See README.md."""
