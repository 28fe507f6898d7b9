// Fixtures run in parallel with each other; the tests of one fixture run one after another.
//
// Most of the suite's time is spent waiting for another process — Chromium, PostgreSQL, an API process,
// smtp4dev, an fsync — rather than computing (one sequential run kept the test host at about a quarter of
// one core), so three fixtures at a time on two cores bring the full run well under CI's 30 minutes
// (docs/decisions.md T-S1). It is safe because every fixture owns what it touches: its own SQLite file or
// PostgreSQL database (PulseFactory, Postgres.CreateDatabase), its own loopback ports, its own Chromium,
// smtp4dev and API processes, and metrics read from its own app's meter (MetricsProbe). A fixture that
// measures the whole process (its memory) carries [NonParallelizable] and runs alone.
//
// Override the number of workers for one run with: dotnet test -- NUnit.NumberOfTestWorkers=1
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]
