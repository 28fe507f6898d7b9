using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class WriteQueueTests
{
    TempDirectory _dir = null!;
    Db _db = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _db = new Db($"Data Source={_dir.File("q.db")}", _dir.Path);
        using var c = _db.Open();
        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));
        c.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    WriteQueue NewQueue(int capacity = 1000, int batch = 100)
    {
        var meters = new PlainMeterFactory();
        return new WriteQueue(_db, Options.Create(new StorageOptions { WriteQueueCapacity = capacity, MaxBatchSize = batch }),
            NullLogger<WriteQueue>.Instance, new PulseMetrics(meters), new StorageHealth(_db, TimeProvider.System, NullLogger<StorageHealth>.Instance));
    }

    long Count()
    {
        using var c = _db.Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM t");
    }

    [Test]
    public async Task ExecuteAsync_ManyConcurrentWrites_AllCommittedBeforeTheirTasksComplete()
    {
        using var queue = NewQueue();
        await queue.StartAsync(default);
        var tasks = Enumerable.Range(0, 500).Select(i =>
            queue.ExecuteAsync((c, tx) => c.ExecuteScalar<long>("INSERT INTO t (v) VALUES (@v) RETURNING id", new { v = $"row {i}" }, tx))).ToList();

        var ids = await Task.WhenAll(tasks);

        // Each completed task's row must already be visible to a fresh connection.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Is.Unique);
            Assert.That(Count(), Is.EqualTo(500));
        }
        await queue.StopAsync(default);
    }

    [Test]
    public async Task ExecuteAsync_CommandThrows_OnlyThatCommandIsRolledBack()
    {
        using var queue = NewQueue();
        // Queue before starting so all three land in one batch.
        var good1 = queue.ExecuteAsync((c, tx) => c.Execute("INSERT INTO t (v) VALUES ('a')", transaction: tx));
        var bad = queue.ExecuteAsync((c, tx) =>
        {
            c.Execute("INSERT INTO t (v) VALUES ('half')", transaction: tx);
            return c.Execute("INSERT INTO t (v) VALUES (NULL)", transaction: tx); // NOT NULL violation
        });
        var good2 = queue.ExecuteAsync((c, tx) => c.Execute("INSERT INTO t (v) VALUES ('b')", transaction: tx));
        await queue.StartAsync(default);

        await Task.WhenAll(good1, good2);
        Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(async () => await bad);
        using var c = _db.Open();
        Assert.That(c.Query<string>("SELECT v FROM t ORDER BY id"), Is.EqualTo(new[] { "a", "b" }));
        await queue.StopAsync(default);
    }

    [Test]
    public void ExecuteAsync_WhenFull_ThrowsAtOnce()
    {
        using var queue = NewQueue(capacity: 2);
        _ = queue.ExecuteAsync((c, tx) => 1);
        _ = queue.ExecuteAsync((c, tx) => 2);
        Assert.Throws<WriteQueueFullException>(() => queue.ExecuteAsync((c, tx) => 3));
    }

    [Test]
    public async Task StopAsync_DrainsQueuedCommandsThenRefusesNewOnes()
    {
        using var queue = NewQueue(capacity: 5000, batch: 10);
        var tasks = Enumerable.Range(0, 300)
            .Select(i => queue.ExecuteAsync((c, tx) => c.Execute("INSERT INTO t (v) VALUES ('x')", transaction: tx))).ToList();
        await queue.StartAsync(default);

        await queue.StopAsync(default);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tasks.All(t => t.IsCompletedSuccessfully), Is.True);
            Assert.That(Count(), Is.EqualTo(300));
            Assert.Throws<WriteQueueFullException>(() => queue.ExecuteAsync((c, tx) => 1));
        }
    }
}
