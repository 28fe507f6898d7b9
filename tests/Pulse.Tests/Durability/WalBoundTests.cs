using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Durability;

/// <summary>
/// The WAL stays bounded under continuous load. What starved checkpoints: readers that overlap,
/// so at every moment some read transaction holds an older snapshot and SQLite's passive
/// checkpoints can never reach the end of the log nor restart it — the file grew with every write.
/// </summary>
public sealed class WalBoundTests
{
    const int LimitMiB = 1;
    const int Writes = 160;
    static readonly byte[] Blob = new byte[64 * 1024];

    [Test]
    public async Task Wal_StaysUnderItsLimitPlusOneBatch_WhileOverlappingReadersNeverLeaveIt()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Storage:WalSizeLimitMiB"] = $"{LimitMiB}" });
        var writer = app.Services.GetRequiredService<WriteQueue>();
        await writer.ExecuteAsync((c, tx) => c.Execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)", transaction: tx));
        var wal = app.DatabasePath + "-wal";

        using var stop = new CancellationTokenSource();
        var readers = Task.Run(() => OverlappingReaders(app.Db, stop.Token));
        long largest = 0;
        try
        {
            for (var i = 0; i < Writes; i++)
            {
                await writer.ExecuteAsync((c, tx) => c.Execute("INSERT INTO blobs (data) VALUES (@Blob)", new { Blob }, tx));
                largest = Math.Max(largest, new FileInfo(wal).Length);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await readers;
        }

        var written = (long)Writes * Blob.Length;
        Assert.That(largest, Is.LessThanOrEqualTo((LimitMiB << 20) + 4 * Blob.Length),
            $"{written >> 20} MiB written while readers overlapped; the WAL must stay near its {LimitMiB} MiB limit");
    }

    [Test]
    public async Task Wal_IsTruncatedToNothing_OnceTheWriterIsIdle()
    {
        using var app = new PulseFactory();
        var writer = app.Services.GetRequiredService<WriteQueue>();
        await writer.ExecuteAsync((c, tx) => c.Execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)", transaction: tx));
        for (var i = 0; i < 20; i++)
            await writer.ExecuteAsync((c, tx) => c.Execute("INSERT INTO blobs (data) VALUES (@Blob)", new { Blob }, tx));
        var wal = new FileInfo(app.DatabasePath + "-wal");
        Assert.That(wal.Length, Is.GreaterThan(Blob.Length), "the writes went through the WAL");

        var deadline = Stopwatch.StartNew();
        while (new FileInfo(wal.FullName).Length > 0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(100);

        Assert.That(new FileInfo(wal.FullName).Length, Is.Zero, "an idle writer empties the WAL file");
        using var c = app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM blobs"), Is.EqualTo(20));
    }

    /// <summary>
    /// Two connections take turns holding a read transaction: the next one starts before the
    /// previous one ends, so there is never a moment without a reader, and each lasts a few
    /// milliseconds — like pooled readers under steady traffic.
    /// </summary>
    static void OverlappingReaders(Db db, CancellationToken stop)
    {
        using var a = db.Open();
        using var b = db.Open();
        SqliteTransaction? held = null;
        var current = a;
        while (!stop.IsCancellationRequested)
        {
            var next = current == a ? b : a;
            var tx = ((Microsoft.Data.Sqlite.SqliteConnection)next).BeginTransaction(deferred: true);
            next.ExecuteScalar<long>("SELECT COUNT(*) FROM blobs", transaction: tx); // the snapshot starts here
            held?.Commit();
            held?.Dispose();
            held = tx;
            current = next;
            Thread.Sleep(2);
        }
        held?.Commit();
        held?.Dispose();
    }
}
