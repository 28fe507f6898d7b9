using Microsoft.Data.Sqlite;

namespace Pulse.Api.Storage;

/// <summary>
/// Thrown when a write could not be stored because the disk (or the database's page limit) is
/// full: answered 507 with <c>Retry-After</c>. Nothing of the request was written.
/// </summary>
public sealed class StorageFullException(Exception inner)
    : Exception("The server's disk is full, so nothing was saved; try again later.", inner)
{
    /// <summary>Seconds a client should wait before trying again.</summary>
    public const int RetryAfterSeconds = 30;
}

/// <summary>
/// Whether writes currently fail for lack of space. The writer reports every outcome; while
/// writes fail, <c>/readyz</c> answers 503, the log says so once a minute (not once per request),
/// and the writer probes by itself until a write succeeds again.
/// </summary>
public sealed class StorageHealth(Db db, TimeProvider time, ILogger<StorageHealth> log)
{
    /// <summary>How often the "disk full" message is repeated while writes keep failing.</summary>
    public static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    readonly Lock _gate = new();
    volatile bool _full;
    DateTimeOffset? _lastLogged;
    long _failures;

    /// <summary>True from a write that failed for lack of space until the next write that succeeds.</summary>
    public bool DiskFull => _full;

    /// <summary>
    /// SQLITE_FULL (13): the disk, or <c>max_page_count</c>, has no room for the write; on PostgreSQL
    /// disk_full (53100).
    /// </summary>
    public static bool IsFull(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is StorageFullException or SqliteException { SqliteErrorCode: 13 } or Npgsql.PostgresException { SqlState: "53100" })
                return true;
        return false;
    }

    /// <summary>
    /// The database cannot be reached or ended our sessions: a connection that failed or broke (Npgsql's transient errors:
    /// sockets, timeouts), a server shutting down, restarting or refusing connections (SQLSTATE class 08, 57P01–57P04,
    /// and 55000, which a database closed to connections answers). Answered 503 with Retry-After, as a busy database is.
    /// </summary>
    public static bool IsUnavailable(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is Npgsql.PostgresException pg
                    ? pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "57P04" or "55000"
                    : ex is Npgsql.NpgsqlException { IsTransient: true })
                return true;
        return false;
    }

    public void WriteFailed(Exception ex)
    {
        var now = time.GetUtcNow();
        long failures;
        lock (_gate)
        {
            _full = true;
            failures = ++_failures;
            if (_lastLogged is { } last && now - last < LogEvery)
                return;
            _lastLogged = now;
            _failures = 0;
        }
        log.LogError("Disk full: writes to {Path} fail ({Reason}); {Failures} failed since the last message. " +
            "Requests that write get 507 and /readyz reports not ready until space is freed; Pulse retries by itself.",
            db.FilePath, ex.GetBaseException().Message, failures);
    }

    public void WriteSucceeded()
    {
        if (!_full)
            return;
        lock (_gate)
        {
            if (!_full)
                return;
            _full = false;
            _lastLogged = null;
            _failures = 0;
        }
        log.LogWarning("Disk space is back: writes to {Path} succeed again.", db.FilePath);
    }
}
