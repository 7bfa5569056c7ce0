"""Tools for tests, benchmarks and demos: they drive the stack from outside, like a user."""
