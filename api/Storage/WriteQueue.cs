using Pulse.Api.Operations;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Pulse.Api.Storage;

/// <summary>Thrown when the write queue is full or shutting down; answered with 503 and Retry-After.</summary>
public sealed class WriteQueueFullException() : Exception("The write queue is full; try again shortly.");

/// <summary>
/// The one writer of the process. Every write is a command queued here; the writer takes as
/// many commands as are waiting (up to a batch), runs them in one transaction on one connection
/// with synchronous=FULL, commits, and only then completes each command's task. So a caller that
/// awaited <see cref="ExecuteAsync{T}"/> knows its data is on disk, and a burst of writes costs
/// one fsync instead of one each (group commit). Each command runs inside its own savepoint, so a
/// command that throws is rolled back alone and the rest of the batch still commits.
/// </summary>
public sealed class WriteQueue : IHostedService, IDisposable
{
    readonly Db _db;
    readonly ILogger<WriteQueue> _log;
    readonly Channel<IWriteCommand> _channel;
    readonly int _maxBatch;
    readonly Histogram<int> _batchSizes;
    int _depth;
    volatile bool _accepting = true;
    Task? _loop;
    SqliteConnection? _connection;

    public WriteQueue(Db db, IOptions<StorageOptions> options, ILogger<WriteQueue> log, PulseMetrics metrics)
    {
        _db = db;
        _log = log;
        _maxBatch = options.Value.MaxBatchSize;
        _channel = Channel.CreateBounded<IWriteCommand>(new BoundedChannelOptions(options.Value.WriteQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        metrics.Meter.CreateObservableGauge("pulse.write_queue.depth", () => Volatile.Read(ref _depth),
            description: "Write commands waiting for the writer");
        _batchSizes = metrics.Meter.CreateHistogram<int>("pulse.write_queue.batch_size",
            description: "Commands committed per transaction");
    }

    /// <summary>Commands waiting for the writer right now.</summary>
    public int Depth => Volatile.Read(ref _depth);

    /// <summary>
    /// Queues <paramref name="work"/> and completes once the transaction that ran it has committed.
    /// Throws <see cref="WriteQueueFullException"/> at once when the queue is full.
    /// </summary>
    public Task<T> ExecuteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work)
    {
        var command = new WriteCommand<T>(work);
        if (!_accepting || !_channel.Writer.TryWrite(command))
            throw new WriteQueueFullException();
        Interlocked.Increment(ref _depth);
        return command.Task;
    }

    /// <summary>Queues a command with no result.</summary>
    public Task ExecuteAsync(Action<SqliteConnection, SqliteTransaction> work) =>
        ExecuteAsync<bool>((c, tx) => { work(c, tx); return true; });

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        return Task.CompletedTask;
    }

    /// <summary>Stops taking commands and drains the ones already queued before the process exits.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _accepting = false;
        _channel.Writer.TryComplete();
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
    }

    async Task RunAsync()
    {
        var batch = new List<IWriteCommand>(_maxBatch);
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var command))
                batch.Add(command);
            Interlocked.Add(ref _depth, -batch.Count);
            Commit(batch);
        }
        _connection?.Dispose();
    }

    void Commit(List<IWriteCommand> batch)
    {
        try
        {
            _connection ??= _db.OpenWriter();
            using var tx = _connection.BeginTransaction(deferred: false);
            foreach (var command in batch)
            {
                tx.Save("cmd");
                try
                {
                    command.Run(_connection, tx);
                    tx.Release("cmd");
                }
                catch (Exception ex)
                {
                    tx.Rollback("cmd");
                    tx.Release("cmd");
                    command.Fail(ex);
                }
            }
            tx.Commit();
            _batchSizes.Record(batch.Count);
            foreach (var command in batch)
                command.Complete();
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Write batch of {Count} commands failed to commit", batch.Count);
            foreach (var command in batch)
                command.Fail(ex);
            _connection?.Dispose();
            _connection = null;
        }
    }

    public void Dispose() => _connection?.Dispose();

    interface IWriteCommand
    {
        void Run(SqliteConnection connection, SqliteTransaction tx);
        void Complete();
        void Fail(Exception ex);
    }

    sealed class WriteCommand<T>(Func<SqliteConnection, SqliteTransaction, T> work) : IWriteCommand
    {
        readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        T? _result;
        bool _failed;

        public Task<T> Task => _done.Task;

        public void Run(SqliteConnection connection, SqliteTransaction tx) => _result = work(connection, tx);

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
