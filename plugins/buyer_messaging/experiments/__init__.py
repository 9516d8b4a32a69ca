"""A/B tests: variants of a kind's timing or text, assigned per order, compared by outcome."""
