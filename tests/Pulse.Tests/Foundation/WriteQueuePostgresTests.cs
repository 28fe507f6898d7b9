using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>The writer on PostgreSQL, where other instances' writers lock rows too (docs/decisions.md G8).</summary>
[Category(TestCategories.Process)]
public sealed class WriteQueuePostgresTests
{
    PostgresDatabase _database = null!;
    Db _db = null!;

    [SetUp]
    public void SetUp()
    {
        _database = Postgres.CreateDatabase();
        _db = new Db(_database.ConnectionString, ".", provider: StorageProvider.Postgres);
        using var c = _db.Open();
        Migrator.Apply(c, new FakeTimeProvider(PulseFactory.DefaultNow));
        c.Execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT NOT NULL); INSERT INTO t (id, v) VALUES (1, 'one'), (2, 'two')");
    }

    [TearDown]
    public void TearDown() => _database.Dispose();

    WriteQueue NewQueue() =>
        new(_db, Options.Create(new StorageOptions()), NullLogger<WriteQueue>.Instance, new PulseMetrics(new PlainMeterFactory()),
            new StorageHealth(_db, TimeProvider.System, NullLogger<StorageHealth>.Instance));

    /// <summary>
    /// Another session (an instance's writer) holds row 1 and waits for row 2, which a command of this writer
    /// holds while it waits for row 1: PostgreSQL breaks the deadlock by failing the writer's statement (the other
    /// session waits longer before it checks). That command is answered as busy (503), the rest of the batch commits.
    /// </summary>
    [Test]
    public async Task Command_ThatDeadlocksWithAnotherSession_IsBusy_AndTheRestOfItsBatchCommits()
    {
        using var other = _db.Open();
        other.Execute("SET deadlock_timeout = '10min'");
        using var otherTx = other.BeginTransaction();
        other.Execute("UPDATE t SET v = 'other' WHERE id = 1", transaction: otherTx);
        var otherPid = other.ExecuteScalar<int>("SELECT pg_backend_pid()", transaction: otherTx);
        using var queue = NewQueue();
        var holdsRow2 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var otherWaits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var before = queue.ExecuteAsync((c, tx) => c.Execute("INSERT INTO t (id, v) VALUES (3, 'three')", transaction: tx));
        var deadlocked = queue.ExecuteAsync((c, tx) =>
        {
            c.Execute("UPDATE t SET v = 'writer' WHERE id = 2", transaction: tx);
            holdsRow2.SetResult();
            otherWaits.Task.Wait();
            return c.Execute("UPDATE t SET v = 'writer' WHERE id = 1", transaction: tx);
        });
        var after = queue.ExecuteAsync((c, tx) => c.Execute("INSERT INTO t (id, v) VALUES (4, 'four')", transaction: tx));
        await queue.StartAsync(default);

        await holdsRow2.Task;
        var otherUpdate = Task.Run(() => other.Execute("UPDATE t SET v = 'other' WHERE id = 2", transaction: otherTx));
        using (var watch = _db.Open())
            while (watch.ExecuteScalar<long>("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = @Pid AND wait_event_type = 'Lock'", new { Pid = otherPid }) == 0)
                await Task.Delay(10);
        otherWaits.SetResult();

        var busy = Assert.ThrowsAsync<WriteQueueFullException>(async () => await deadlocked);
        await Task.WhenAll(before, after);
        await otherUpdate;
        otherTx.Commit();
        await queue.StopAsync(default);

        using var c = _db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(busy!.InnerException, Is.TypeOf<Npgsql.PostgresException>().With.Property("SqlState").EqualTo("40P01"));
            Assert.That(c.Query<(long, string)>("SELECT id, v FROM t ORDER BY id"),
                Is.EqualTo(new[] { (1L, "other"), (2L, "other"), (3L, "three"), (4L, "four") }), "the deadlocked command left nothing");
        }
    }
}
