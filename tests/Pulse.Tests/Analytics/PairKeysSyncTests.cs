using Dapper;
using Microsoft.Extensions.Time.Testing;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// Several instances starting together on one PostgreSQL database each bring <c>nps_pair_keys</c> in line at
/// start-up (<c>PairAggregateSync</c>): the second waits for the first, finds the keys stored and rebuilds
/// nothing, instead of failing on a duplicate key and taking its instance down (found by the bench's three instances).
/// </summary>
[Category(TestCategories.Process)]
public sealed class PairKeysSyncTests
{
    [Test]
    public async Task Sync_WhileAnotherInstanceSyncs_WaitsForIt_AndFindsTheKeysStored()
    {
        using var database = Postgres.CreateDatabase();
        var db = new Db(database.ConnectionString, ".", provider: StorageProvider.Postgres);
        using (var c = db.Open())
            Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));
        var keys = PairAggregates.KeysOf("plan, role");
        using var first = db.Open();
        var firstTx = first.BeginTransaction();
        Assert.That(PairAggregates.Sync(first, firstTx, keys), Is.True, "the first instance stores the keys");

        using var second = db.Open();
        var secondPid = second.ExecuteScalar<int>("SELECT pg_backend_pid()");
        var secondSync = Task.Run(() =>
        {
            using var tx = second.BeginTransaction();
            var rebuilt = PairAggregates.Sync(second, tx, keys);
            tx.Commit();
            return rebuilt;
        });
        using (var watch = db.Open())
            while (!secondSync.IsCompleted && watch.ExecuteScalar<long>(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = @Pid AND wait_event_type = 'Lock'", new { Pid = secondPid }) == 0)
                await Task.Delay(10);
        firstTx.Commit();
        firstTx.Dispose();

        Assert.That(await secondSync, Is.False, "the second found the keys in place");
        using var check = db.Open();
        Assert.That(check.Query<string>("SELECT key FROM nps_pair_keys ORDER BY key"), Is.EqualTo(new[] { "plan", "role" }));
    }
}
