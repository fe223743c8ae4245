"""Load and scale benchmarks with their budgets; results go to docs/benchmarks.md.

Each module here is one benchmark, run as a script: ``python -m benchmarks.<name>``.
``python -m benchmarks`` lists them; ``python -m benchmarks <name> …`` runs them in turn."""
