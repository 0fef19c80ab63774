"""Newsletter lists by consent and language, issues composed from new products and articles, sent through the outbox."""
