using System.ComponentModel.DataAnnotations;

namespace Pulse.Api.Storage;

/// <summary>Settings of the database and its writer (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (the default) or <c>postgres</c>; <c>ConnectionStrings:Pulse</c> is then an Npgsql connection string.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Write commands that may wait for the writer before callers get 503.</summary>
    [Range(1, 1_000_000)]
    public int WriteQueueCapacity { get; set; } = 4096;

    /// <summary>Most commands committed in one transaction.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>How long a connection waits for a lock held by another process.</summary>
    [Range(1, 600)]
    public int BusyTimeoutSeconds { get; set; } = 30;

    public const int DefaultWalSizeLimitMiB = 64;

    /// <summary>
    /// Size past which the writer restarts the write-ahead log (a RESTART checkpoint that waits up
    /// to a second for readers), and to which a restarted log file is cut back.
    /// </summary>
    [Range(1, 65536)]
    public int WalSizeLimitMiB { get; set; } = DefaultWalSizeLimitMiB;

    /// <summary>
    /// SQLite's heap for the whole process — the page caches of every connection, statements,
    /// sorting — kept under this soft limit: past it, caches give pages back instead of growing.
    /// </summary>
    [Range(8, 65536)]
    public int SqliteMemoryMiB { get; set; } = 64;

    public const int DefaultSqliteMmapMiB = 2048;

    /// <summary>
    /// How much of the SQLite file each short-lived read maps into memory (<c>PRAGMA mmap_size</c>; SQLite caps it
    /// at just under 2 GiB; 0 reads every page with a system call). Mapped pages are the operating system's file
    /// cache, not Pulse's heap: they count as shared, reclaimable resident memory of the process while a scan
    /// touches them (docs/decisions.md MM1).
    /// </summary>
    [Range(0, 65536)]
    public int SqliteMmapMiB { get; set; } = DefaultSqliteMmapMiB;
}
