using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Durability;

/// <summary>
/// Every cache has a bound. SQLite's page caches are per connection (2 MiB each by default), so
/// memory grew with the number of pooled connections and the pages they had touched; the process's
/// SQLite heap now has a soft limit in bytes (<c>Storage:SqliteMemoryMiB</c>).
/// </summary>
[NonParallelizable]
public sealed class MemoryBoundTests
{
    const int LimitMiB = 8;
    const int Connections = 16;

    [Test]
    public async Task SqliteHeap_StaysNearItsLimit_WhileManyConnectionsHaveReadEverything()
    {
        SqliteConnection.ClearAllPools();
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Storage:SqliteMemoryMiB"] = $"{LimitMiB}" });
        var writer = app.Services.GetRequiredService<WriteQueue>();
        await writer.ExecuteAsync((c, tx) => c.Execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)", transaction: tx));
        for (var i = 0; i < 8; i++)
            await writer.ExecuteAsync((c, tx) =>
            {
                for (var j = 0; j < 64; j++)
                    c.Execute("INSERT INTO blobs (data) VALUES (randomblob(4000))", transaction: tx);
            });
        var before = SQLitePCL.raw.sqlite3_memory_used();

        // Each connection reads every page (2 MiB of table), which its own cache would keep.
        var open = new List<SqliteConnection>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var c = (Microsoft.Data.Sqlite.SqliteConnection)app.Db.Open();
                open.Add(c);
                c.ExecuteScalar<long>("SELECT sum(length(data)) FROM blobs");
            }
            var used = SQLitePCL.raw.sqlite3_memory_used() - before;

            Assert.That(used, Is.LessThanOrEqualTo((LimitMiB + 4L) << 20),
                $"{Connections} connections that read 2 MiB each hold {used >> 20} MiB; the limit is {LimitMiB} MiB");
        }
        finally
        {
            open.ForEach(c => c.Dispose());
        }
    }
}
