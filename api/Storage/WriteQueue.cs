using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Pulse.Api.Storage;

/// <summary>Thrown when the write queue is full, shutting down or the database is busy; answered with 503 and Retry-After.</summary>
public sealed class WriteQueueFullException : Exception
{
    public WriteQueueFullException() : base("The write queue is full; try again shortly.") { }

    public WriteQueueFullException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The one writer of the process. Every write is a command queued here; the writer takes as
/// many commands as are waiting (up to a batch), runs them in one transaction on one connection
/// with synchronous=FULL, commits, and only then completes each command's task. So a caller that
/// awaited <see cref="ExecuteAsync{T}"/> knows its data is on disk, and a burst of writes costs
/// one fsync instead of one each (group commit). Each command runs inside its own savepoint, so a
/// command that throws is rolled back alone and the rest of the batch still commits.
/// The writer runs on its own thread: commits block on fsync, and a blocked thread-pool thread
/// would starve request handling on a small machine exactly when the load is highest.
/// After each commit and when idle it keeps the WAL bounded (<see cref="WalCheckpoints"/>); a
/// write that finds no space fails with <see cref="StorageFullException"/> (507), reported to
/// <see cref="StorageHealth"/>, and while writes fail the idle writer probes every few seconds.
/// </summary>
public sealed class WriteQueue : IHostedService, IDisposable
{
    /// <summary>While the disk is full, the idle writer tries a small write this often.</summary>
    public static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(5);

    readonly Db _db;
    readonly ILogger<WriteQueue> _log;
    readonly StorageHealth _health;
    readonly WalCheckpoints? _wal;
    long _lastProbe;
    readonly Channel<IWriteCommand> _channel;
    readonly int _maxBatch;
    readonly Histogram<int> _batchSizes;
    readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _depth;
    volatile bool _accepting = true;
    Thread? _thread;
    DbConnection? _connection;
    long _connectionOutages;

    public WriteQueue(Db db, IOptions<StorageOptions> options, ILogger<WriteQueue> log, PulseMetrics metrics, StorageHealth health)
    {
        _db = db;
        _log = log;
        _health = health;
        // PostgreSQL keeps its own write-ahead log bounded (checkpoints, max_wal_size): G5.
        _wal = db.IsSqlite ? new WalCheckpoints(db, db.WalSizeLimitBytes, metrics) : null;
        _maxBatch = options.Value.MaxBatchSize;
        _channel = Channel.CreateBounded<IWriteCommand>(new BoundedChannelOptions(options.Value.WriteQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        metrics.Meter.CreateObservableGauge("pulse.write_queue.depth", () => Depth,
            description: "Write commands waiting for the writer");
        _batchSizes = metrics.Meter.CreateHistogram<int>("pulse.write_queue.batch_size",
            description: "Commands committed per transaction");
        if (db.IsSqlite)
            metrics.Meter.CreateObservableGauge("pulse.storage.sqlite_memory", () => SQLitePCL.raw.sqlite3_memory_used(), unit: "By",
            description: "Memory SQLite holds for the whole process (page caches, statements), kept under Storage:SqliteMemoryMiB");
    }

    /// <summary>Commands waiting for the writer right now.</summary>
    public int Depth => Volatile.Read(ref _depth);

    /// <summary>
    /// Queues <paramref name="work"/> and completes once the transaction that ran it has committed.
    /// Throws <see cref="WriteQueueFullException"/> at once when the queue is full.
    /// </summary>
    public Task<T> ExecuteAsync<T>(Func<DbConnection, DbTransaction, T> work) =>
        Enqueue(new WriteCommand<T>(work));

    /// <summary>
    /// Queues <paramref name="work"/> that must not run beside the same work of another instance: on PostgreSQL
    /// the writer takes the transaction-level advisory lock <paramref name="lockKey"/> before the batch's commands
    /// run, and holds it until the batch commits, so a second instance's writer waits for that commit and then
    /// reads what it wrote (READ COMMITTED). The keys of a batch are taken in ascending order in one statement,
    /// so two writers locking overlapping keys never deadlock on them (docs/decisions.md G8). On SQLite the
    /// key changes nothing: <c>BEGIN IMMEDIATE</c> already serialises every writer of the file.
    /// </summary>
    public Task<T> ExecuteAsync<T>(Func<DbConnection, DbTransaction, T> work, long lockKey) =>
        Enqueue(new WriteCommand<T>(work) { LockKeys = [lockKey] });

    /// <summary>As <see cref="ExecuteAsync{T}(Func{DbConnection, DbTransaction, T}, long)"/> with several keys, all taken with the batch's.</summary>
    public Task<T> ExecuteAsync<T>(Func<DbConnection, DbTransaction, T> work, IReadOnlyList<long> lockKeys) =>
        Enqueue(new WriteCommand<T>(work) { LockKeys = lockKeys });

    /// <summary>
    /// Queues <paramref name="work"/> that only adds to counters no command reads (a new display, an answer): on SQLite the
    /// hooks may buffer what it adds (<see cref="WriteBatch"/>) and write the sums of the batch's appends once, before the
    /// commit or before the next command that is not an append (decision WR2). Its result and failure are its own, as for
    /// <see cref="ExecuteAsync{T}(Func{DbConnection, DbTransaction, T})"/>.
    /// </summary>
    public Task<T> AppendAsync<T>(Func<DbConnection, DbTransaction, T> work) =>
        Enqueue(new WriteCommand<T>(work) { Appends = true });

    /// <summary>As <see cref="AppendAsync{T}(Func{DbConnection, DbTransaction, T})"/>, holding the PostgreSQL advisory locks <paramref name="lockKeys"/>.</summary>
    public Task<T> AppendAsync<T>(Func<DbConnection, DbTransaction, T> work, IReadOnlyList<long> lockKeys) =>
        Enqueue(new WriteCommand<T>(work) { LockKeys = lockKeys, Appends = true });

    /// <summary>
    /// Queues <paramref name="work"/> to run on the writer's connection right after the commit of
    /// the batch it lands in, outside any transaction (for a WAL checkpoint, which cannot run in one).
    /// </summary>
    public Task<T> ExecuteAfterCommitAsync<T>(Func<DbConnection, T> work) =>
        Enqueue(new WriteCommand<T>((c, _) => work(c)) { AfterCommit = true });

    Task<T> Enqueue<T>(WriteCommand<T> command)
    {
        // Counted before it is visible to the writer, so the depth never goes below zero.
        Interlocked.Increment(ref _depth);
        if (_accepting && _channel.Writer.TryWrite(command))
            return command.Task;
        Interlocked.Decrement(ref _depth);
        throw _accepting ? new WriteQueueFullException() : new WriteQueueFullException("The server is shutting down; try again shortly.");
    }

    /// <summary>Queues a command with no result.</summary>
    public Task ExecuteAsync(Action<DbConnection, DbTransaction> work) =>
        ExecuteAsync<bool>((c, tx) => { work(c, tx); return true; });

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "Pulse writer" };
        _thread.Start();
        return Task.CompletedTask;
    }

    /// <summary>Stops taking commands and drains the ones already queued before the process exits.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _accepting = false;
        _channel.Writer.TryComplete();
        if (_thread is not null)
            await _stopped.Task.ConfigureAwait(false);
    }

    void Run()
    {
        var batch = new List<IWriteCommand>(_maxBatch);
        var reader = _channel.Reader;
        try
        {
            while (WaitToRead(reader))
            {
                batch.Clear();
                while (batch.Count < _maxBatch && reader.TryRead(out var command))
                    batch.Add(command);
                Interlocked.Add(ref _depth, -batch.Count);
                Commit(batch);
            }
        }
        finally
        {
            _connection?.Dispose();
            _connection = null;
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// Blocks the writer thread until a command is waiting; false once the queue is completed and empty.
    /// Every <see cref="WalCheckpoints.IdleAfter"/> without commands it does its idle work.
    /// </summary>
    bool WaitToRead(ChannelReader<IWriteCommand> reader)
    {
        var wait = reader.WaitToReadAsync();
        if (wait.IsCompletedSuccessfully)
            return wait.Result;
        var task = wait.AsTask();
        while (!task.Wait(WalCheckpoints.IdleAfter))
            Idle();
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Nothing to write: empty the WAL, and while the disk is full, probe whether space is back.</summary>
    void Idle()
    {
        try
        {
            if (_health.DiskFull && Stopwatch.GetElapsedTime(_lastProbe) >= ProbeEvery)
            {
                _lastProbe = Stopwatch.GetTimestamp();
                Probe();
            }
            if (_connection is not null && !_health.DiskFull)
                _wal?.Idle(_connection);
        }
        catch (DbException ex)
        {
            _log.LogWarning(ex, "Idle maintenance of the database failed; it is tried again at the next idle moment");
            _connection?.Dispose();
            _connection = null;
        }
    }

    /// <summary>
    /// A write that needs fresh pages (and WAL space to commit them), undone in the same transaction:
    /// when it commits, real writes have room again.
    /// </summary>
    void Probe()
    {
        try
        {
            _connection = Writer();
            using var tx = Db.BeginWrite(_connection);
            using var command = _connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"INSERT INTO storage_probe (pad) VALUES ({_db.Dialect.ZeroBlob64K}); DELETE FROM storage_probe;";
            command.ExecuteNonQuery();
            tx.Commit();
            _health.WriteSucceeded();
        }
        catch (DbException ex) when (StorageHealth.IsFull(ex))
        {
            _health.WriteFailed(ex);
            _connection?.Dispose();
            _connection = null;
        }
    }

    /// <summary>
    /// The writer's connection, opened again when the database was found unreachable since it was opened
    /// (<see cref="Db.ConnectionLost"/>): the server may have ended its session, MG6.
    /// </summary>
    DbConnection Writer()
    {
        if (_connection is not null && _connectionOutages != _db.Outages)
        {
            _connection.Dispose();
            _connection = null;
        }
        if (_connection is null)
        {
            _connectionOutages = _db.Outages;
            _connection = _db.OpenWriter();
        }
        return _connection;
    }

    void Commit(List<IWriteCommand> batch)
    {
        Exception? full = null;
        try
        {
            _connection = Writer();
            var changesBefore = TotalChanges(_connection);
            using var tx = Db.BeginWrite(_connection);
            if (!_db.IsSqlite)
                LockKeys(_connection, tx, batch);
            // On PostgreSQL every command writes its own rows: a deadlock between instances over a flushed sum would fail
            // the whole batch instead of one command (decision WR2).
            var buffered = _db.IsSqlite ? WriteBatch.Begin(tx) : null;
            try
            {
                foreach (var command in batch)
                {
                    if (command.AfterCommit)
                        continue;
                    if (buffered is not null)
                    {
                        // A command that is not an append reads and writes rows as if every earlier command had written its own.
                        if (!command.Appends)
                            buffered.Flush(_connection, tx);
                        buffered.Appending = command.Appends;
                    }
                    RunInSavepoint(command, tx, buffered, ref full);
                }
                buffered?.Flush(_connection, tx);
            }
            finally
            {
                if (buffered is not null)
                    WriteBatch.End(tx);
            }
            tx.Commit();
            _batchSizes.Record(batch.Count);
            // Only a commit that stored rows proves there is room again.
            if (full is null && TotalChanges(_connection) != changesBefore)
                _health.WriteSucceeded();
            foreach (var command in batch)
            {
                if (command.AfterCommit)
                {
                    try
                    {
                        command.Run(_connection, null!);
                    }
                    catch (Exception ex)
                    {
                        command.Fail(ex);
                    }
                }
                command.Complete();
            }
        }
        catch (Exception ex)
        {
            // Another process (the CLI) holding the lock past the busy timeout is a temporary
            // condition: callers get 503 with Retry-After, like a full queue. A full disk is
            // 507 and is logged once a minute by StorageHealth, not once per batch.
            Exception failure;
            if (StorageHealth.IsFull(ex))
            {
                _health.WriteFailed(ex);
                failure = ex as StorageFullException ?? new StorageFullException(ex);
            }
            else
            {
                _log.LogError(ex, "Write batch of {Count} commands failed to commit", batch.Count);
                failure = ex is SqliteException { SqliteErrorCode: 5 or 6 } or Npgsql.PostgresException { SqlState: "55P03" or "40P01" }
                    ? new WriteQueueFullException("The database is busy; try again shortly.", ex)
                    : ex;
            }
            foreach (var command in batch)
                command.Fail(failure);
            _connection?.Dispose();
            _connection = null;
            return;
        }
        try
        {
            _wal?.Committed(_connection);
        }
        catch (SqliteException ex)
        {
            _log.LogWarning(ex, "A WAL checkpoint failed; the next commit tries again");
            _connection.Dispose();
            _connection = null;
        }
    }

    /// <summary>Runs one command in its own savepoint: a failure rolls back that command alone (and what it buffered) and fails it.</summary>
    void RunInSavepoint(IWriteCommand command, DbTransaction tx, WriteBatch? buffered, ref Exception? full)
    {
        tx.Save("cmd");
        try
        {
            command.Run(_connection!, tx);
            tx.Release("cmd");
            buffered?.Accept();
        }
        catch (Exception ex)
        {
            try
            {
                tx.Rollback("cmd");
                tx.Release("cmd");
                buffered?.Discard();
            }
            catch (DbException) when (StorageHealth.IsFull(ex))
            {
                // SQLite rolled the whole transaction back: the batch fails as a whole.
                throw new StorageFullException(ex);
            }
            // A deadlock with another instance's writer over rows (never over lock keys): the
            // command is rolled back alone, and the caller may try again (503 with Retry-After).
            if (ex is Npgsql.PostgresException { SqlState: "40P01" })
                ex = new WriteQueueFullException("The database is busy; try again shortly.", ex);
            if (StorageHealth.IsFull(ex))
            {
                // Reported before the caller hears of it, so /readyz already says so.
                full = ex;
                _health.WriteFailed(ex);
                ex = new StorageFullException(ex);
            }
            command.Fail(ex);
        }
    }

    public void Dispose() => _connection?.Dispose();

    const string LockAll = "SELECT COUNT(pg_advisory_xact_lock(k)) FROM unnest(@Keys) AS k";

    /// <summary>
    /// Takes the batch's lock keys (PostgreSQL): distinct, in ascending order (unnest yields the array's order,
    /// and the aggregate calls the lock function row by row), so every writer waits in the same order.
    /// </summary>
    static void LockKeys(DbConnection connection, DbTransaction tx, List<IWriteCommand> batch)
    {
        var sorted = new SortedSet<long>();
        foreach (var command in batch)
            if (command.LockKeys is { } keys)
                sorted.UnionWith(keys);
        if (sorted.Count > 0)
            connection.Prepared(tx, LockAll).Bind("@Keys", sorted.ToArray()).ExecuteScalar();
    }

    /// <summary>
    /// Rows changed on this connection so far (SQLite); on PostgreSQL a new number each time, so any
    /// commit counts as proof of room (the probe and a failed write tell full from not full there).
    /// </summary>
    static long TotalChanges(DbConnection connection) =>
        connection is SqliteConnection sqlite ? SQLitePCL.raw.sqlite3_total_changes(sqlite.Handle) : Stopwatch.GetTimestamp();

    interface IWriteCommand
    {
        bool AfterCommit { get; }

        /// <summary>The advisory locks the batch holds for this command (PostgreSQL), or null.</summary>
        IReadOnlyList<long>? LockKeys { get; }

        /// <summary>Whether the command only appends, so hooks may buffer what it adds (<see cref="AppendAsync{T}(Func{DbConnection, DbTransaction, T})"/>).</summary>
        bool Appends { get; }

        void Run(DbConnection connection, DbTransaction tx);
        void Complete();
        void Fail(Exception ex);
    }

    sealed class WriteCommand<T>(Func<DbConnection, DbTransaction, T> work) : IWriteCommand
    {
        readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        T? _result;
        bool _failed;

        public Task<T> Task => _done.Task;

        public bool AfterCommit { get; init; }

        public IReadOnlyList<long>? LockKeys { get; init; }

        public bool Appends { get; init; }

        public void Run(DbConnection connection, DbTransaction tx) => _result = work(connection, tx);

        public void Complete()
        {
            if (!_failed)
                _done.TrySetResult(_result!);
        }

        public void Fail(Exception ex)
        {
            _failed = true;
            _done.TrySetException(ex);
        }
    }
}
