using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Data.Common;

namespace Pulse.Api.Storage;

/// <summary>
/// Keeps the write-ahead log bounded; run by the writer's thread on its connection.
/// SQLite's automatic (passive) checkpoints copy pages into the database but can only restart
/// the log when no reader still uses it, and under continuous traffic some reader always does,
/// so the file grew with every write. Here: once the WAL passes <c>Storage:WalSizeLimitMiB</c>
/// after a commit, a <c>RESTART</c> checkpoint waits (at most <see cref="Wait"/>) for the readers
/// of old snapshots to finish — new readers read the database file, so they do not hold it up —
/// and the next commit starts the log over, cut back to the limit by <c>journal_size_limit</c>.
/// After a second without writes a <c>TRUNCATE</c> checkpoint empties the file.
/// </summary>
sealed class WalCheckpoints
{
    /// <summary>The longest a checkpoint waits for readers; the writer commits nothing meanwhile.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);

    /// <summary>Writer idle this long: truncate the WAL.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(1);

    readonly Db _db;
    readonly long _limitBytes;
    readonly Counter<long> _checkpoints;
    readonly string _walPath;
    long _retryAt;
    bool _writtenSinceTruncate;

    public WalCheckpoints(Db db, long limitBytes, PulseMetrics metrics)
    {
        _db = db;
        _limitBytes = limitBytes;
        _walPath = db.FilePath + "-wal";
        _checkpoints = metrics.Meter.CreateCounter<long>("pulse.storage.wal_checkpoints",
            description: "Checkpoints the writer ran to bound the WAL, by mode (restart, truncate) and outcome (done, busy)");
        metrics.Meter.CreateObservableGauge("pulse.storage.wal_size", WalBytes, unit: "By",
            description: "Size of the SQLite write-ahead log file");
    }

    /// <summary>The WAL limit in bytes; also set as <c>journal_size_limit</c> on the writer's connection.</summary>
    public long LimitBytes => _limitBytes;

    long WalBytes()
    {
        try
        {
            var file = new FileInfo(_walPath);
            return file.Exists ? file.Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// After a commit: restart the log when it has outgrown the limit. When readers outlasted the
    /// wait, the next try is a second later, so a long read cannot stall every commit.
    /// </summary>
    public void Committed(DbConnection connection)
    {
        _writtenSinceTruncate = true;
        var now = Stopwatch.GetTimestamp();
        if (now < _retryAt || WalBytes() <= _limitBytes)
            return;
        if (!Run(connection, "RESTART"))
            _retryAt = now + Stopwatch.Frequency;
    }

    /// <summary>The writer has been idle for <see cref="IdleAfter"/>: empty the WAL file once per idle spell.</summary>
    public void Idle(DbConnection connection)
    {
        if (_writtenSinceTruncate && Run(connection, "TRUNCATE"))
            _writtenSinceTruncate = false;
    }

    bool Run(DbConnection connection, string mode)
    {
        var done = _db.Checkpoint(connection, mode, Wait);
        _checkpoints.Add(1, new KeyValuePair<string, object?>("mode", mode.ToLowerInvariant()),
            new KeyValuePair<string, object?>("outcome", done ? "done" : "busy"));
        return done;
    }
}
