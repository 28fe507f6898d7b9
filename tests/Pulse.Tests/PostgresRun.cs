using Pulse.Tests.Support;

namespace Pulse.Tests;

/// <summary>Ends the run's PostgreSQL cluster (<see cref="Postgres"/>) after the last test of the assembly.</summary>
[SetUpFixture]
public sealed class PostgresRun
{
    [OneTimeTearDown]
    public void StopCluster() => Postgres.Stop();
}
