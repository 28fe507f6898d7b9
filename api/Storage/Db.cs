using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Pulse.Api.Storage;

/// <summary>
/// Opens pooled connections to the Pulse database: SQLite (the default) with the pragmas every
/// connection needs, or PostgreSQL (<c>Storage:Provider=postgres</c>, docs/decisions.md G2).
/// Stores see only <see cref="DbConnection"/>; the few SQL fragments that differ come from <see cref="Dialect"/>.
/// Queries name their result columns as the properties they fill (<c>workspace_id AS WorkspaceId</c>):
/// Dapper runs with its default mapping, no process-wide setting.
/// </summary>
public sealed class Db
{
    readonly NpgsqlDataSource? _postgres;

    /// <param name="walSizeLimitBytes">The writer's <c>journal_size_limit</c>: a restarted WAL is cut back to this size.</param>
    /// <param name="provider">Which database <paramref name="connectionString"/> names.</param>
    public Db(string connectionString, string contentRoot, int busyTimeoutSeconds = 30, long walSizeLimitBytes = StorageOptions.DefaultWalSizeLimitMiB << 20,
        StorageProvider provider = StorageProvider.Sqlite, long mmapBytes = (long)StorageOptions.DefaultSqliteMmapMiB << 20)
    {
        MmapBytes = mmapBytes;
        _mmapPragma = $"PRAGMA mmap_size={mmapBytes}";
        Provider = provider;
        Dialect = SqlDialect.For(provider);
        BusyTimeoutMilliseconds = busyTimeoutSeconds * 1000;
        WalSizeLimitBytes = walSizeLimitBytes;
        if (provider == StorageProvider.Postgres)
        {
            var pg = new NpgsqlConnectionStringBuilder(connectionString)
            {
                // Npgsql prepares the statements a connection runs often (ours are constant texts).
                MaxAutoPrepare = 64,
                AutoPrepareMinUsages = 2,
            };
            ConnectionString = pg.ConnectionString;
            FilePath = $"postgres://{pg.Host}:{pg.Port}/{pg.Database}";
            _postgres = NpgsqlDataSource.Create(pg);
            return;
        }
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource))
            builder.DataSource = Path.Combine("data", "pulse.db");
        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        builder.Pooling = true;
        builder.Cache = SqliteCacheMode.Private;
        builder.ForeignKeys = true;
        builder.DefaultTimeout = busyTimeoutSeconds;
        if (builder.Mode == SqliteOpenMode.ReadWriteCreate && builder.DataSource != ":memory:")
            CreatePrivately(builder.DataSource);

        FilePath = builder.DataSource;
        ConnectionString = builder.ToString();
    }

    public StorageProvider Provider { get; }

    public SqlDialect Dialect { get; }

    public bool IsSqlite => Provider == StorageProvider.Sqlite;

    /// <summary>
    /// This instance among the processes sharing the database: the owner written into the outbox leases it
    /// holds (docs/decisions.md I1). New for every <see cref="Db"/>, so a restarted process holds none of its old leases.
    /// </summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>
    /// The database holds identity secrets, webhook secrets and personal data: a missing folder is
    /// created 0700 and a missing file 0600 (empty, which SQLite opens as a new database). SQLite
    /// gives its -wal, -shm and -journal files the mode of the database file. Existing folders and
    /// files keep the mode their owner gave them.
    /// </summary>
    static void CreatePrivately(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }
        // CreateDirectory(path, mode) gives the mode to the last folder only; create each missing one.
        var missing = new Stack<string>();
        for (var f = folder; !string.IsNullOrEmpty(f) && !Directory.Exists(f); f = Path.GetDirectoryName(f))
            missing.Push(f);
        while (missing.TryPop(out var f))
            Directory.CreateDirectory(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(path))
            return;
        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process (a second instance, the CLI) created it at the same moment.
        }
    }

    /// <summary>Whether group or others may read or write the database file (a warning at start-up names it).</summary>
    public bool FileIsShared() =>
        IsSqlite && !OperatingSystem.IsWindows() && FilePath != ":memory:" && File.Exists(FilePath)
        && (File.GetUnixFileMode(FilePath) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0;

    public string ConnectionString { get; }

    /// <summary>The SQLite file, or <c>postgres://host:port/database</c> (for messages).</summary>
    public string FilePath { get; }

    public int BusyTimeoutMilliseconds { get; }

    long _outages;

    /// <summary>
    /// How many times a request found the database unreachable (<see cref="ConnectionLost"/>): long-lived connections
    /// (the read pool's, the writer's) opened before the latest one are replaced before their next use.
    /// </summary>
    public long Outages => Interlocked.Read(ref _outages);

    /// <summary>
    /// The database was unreachable or closed our sessions (<see cref="StorageHealth.IsUnavailable"/>): on PostgreSQL the
    /// pool's idle connections are dropped (a server that restarted or terminated them left them dead, and Npgsql would
    /// hand each out once more), and the long-lived ones are replaced before their next use, so the instance works again
    /// as soon as the server does, without a restart (docs/decisions.md MG6).
    /// </summary>
    public void ConnectionLost()
    {
        if (_postgres is null)
            return;
        Interlocked.Increment(ref _outages);
        _postgres.Clear();
    }

    public long WalSizeLimitBytes { get; }

    /// <summary>A short-lived pooled connection for one unit of work (reads, or a CLI write).</summary>
    public DbConnection Open() => Open(Unmapped);

    /// <summary>
    /// A short-lived pooled connection for a read that scans many rows of a large file — the dashboard's reports, the
    /// response list, exports — which maps up to <see cref="MmapBytes"/> of the file (<c>PRAGMA mmap_size</c>, decisions
    /// MM1): its pages are read straight from the operating system's cache instead of one <c>pread</c> each when missing
    /// from SQLite's own small cache. Mapped pages a scan touched count in the process's resident memory (as the kernel's
    /// shared, reclaimable file pages), so every other read, the read pool and the writer map nothing.
    /// </summary>
    public DbConnection OpenForScans() => Open(_mmapPragma);

    DbConnection Open(string mapping)
    {
        if (_postgres is not null)
            return _postgres.OpenConnection();
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        // Set on every open: a pooled connection keeps the setting of its last user.
        using (var mmap = connection.CreateCommand())
        {
            mmap.CommandText = mapping;
            mmap.ExecuteNonQuery();
        }
        return connection;
    }

    const string Unmapped = "PRAGMA mmap_size=0";

    /// <summary>Bytes of the file a connection from <see cref="OpenForScans"/> maps (<c>Storage:SqliteMmapMiB</c>).</summary>
    public long MmapBytes { get; }

    readonly string _mmapPragma;

    /// <summary>
    /// PostgreSQL: a connection of its own, outside the pool, for <c>LISTEN</c> (<see cref="CacheNotifications"/>), named
    /// <paramref name="applicationName"/> in <c>pg_stat_activity</c>; keepalives make a silently broken one fail.
    /// </summary>
    public NpgsqlConnection OpenListener(string applicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName, Pooling = false, KeepAlive = 10 };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// The writer's own long-lived connection: every commit is fsynced (synchronous=FULL), and
    /// deleted or overwritten content is zeroed (secure_delete), so an erased user leaves no bytes
    /// in the file's free space. On PostgreSQL: a commit returns once it is flushed
    /// (<c>synchronous_commit=on</c>, set on the session whatever the server's default).
    /// </summary>
    public DbConnection OpenWriter()
    {
        if (_postgres is not null)
        {
            var writer = _postgres.OpenConnection();
            using var set = writer.CreateCommand();
            set.CommandText = "SET synchronous_commit = on";
            set.ExecuteNonQuery();
            return writer;
        }
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; PRAGMA busy_timeout={BusyTimeoutMilliseconds}; " +
            $"PRAGMA journal_size_limit={WalSizeLimitBytes};";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// Sets SQLite's soft heap limit for the whole process: the page caches of all connections
    /// together (each may hold up to its <c>cache_size</c>) recycle pages rather than grow past it.
    /// </summary>
    public static void LimitMemory(DbConnection connection, long bytes)
    {
        if (connection is not SqliteConnection)
            return;
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA soft_heap_limit={bytes}";
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Copies the WAL into the database file and truncates it to zero bytes, so deleted content
    /// (erasure) does not linger in old WAL frames. Waits at most <paramref name="wait"/> for readers;
    /// false when they kept it from finishing (the next checkpoint gets the rest).
    /// </summary>
    public bool TruncateWal(DbConnection connection, TimeSpan wait) => connection is not SqliteConnection || Checkpoint(connection, "TRUNCATE", wait);

    /// <summary>
    /// PostgreSQL: the tables the transaction of <paramref name="tx"/> deleted or updated rows of so far
    /// (<c>pg_stat_xact_user_tables</c>), quoted for SQL. None on SQLite, whose secure_delete zeroes
    /// what a write frees.
    /// </summary>
    public static IReadOnlyList<string> TablesChangedBy(DbConnection connection, DbTransaction tx) =>
        connection is SqliteConnection
            ? []
            : connection.Query<string>("""
                SELECT format('%I.%I', schemaname, relname) FROM pg_stat_xact_user_tables
                WHERE n_tup_del + n_tup_upd > 0 ORDER BY 1
                """, transaction: tx).ToList();

    /// <summary>
    /// PostgreSQL: <c>VACUUM (INDEX_CLEANUP ON)</c> of <paramref name="tables"/> on a connection of its own
    /// (outside any transaction, so the writer goes on), which removes the row versions a committed
    /// erasure left dead and their index entries. Waits at most <paramref name="wait"/>; false when it did
    /// not finish (autovacuum does the rest). True at once on SQLite or with no table (decisions GA3).
    /// </summary>
    public async Task<bool> VacuumAsync(IReadOnlyList<string> tables, TimeSpan wait)
    {
        if (_postgres is null || tables.Count == 0)
            return true;
        await using var connection = await _postgres.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"VACUUM (INDEX_CLEANUP ON) {string.Join(", ", tables)}";
        command.CommandTimeout = Math.Max(1, (int)wait.TotalSeconds);
        try
        {
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException || e is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled })
        {
            return false;
        }
    }

    /// <summary>
    /// <c>PRAGMA wal_checkpoint(mode)</c> waiting at most <paramref name="wait"/> for readers and writers;
    /// true when it completed (for RESTART and TRUNCATE: the next write starts the log over).
    /// </summary>
    public bool Checkpoint(DbConnection connection, string mode, TimeSpan wait)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout={(int)wait.TotalMilliseconds}";
        command.ExecuteNonQuery();
        try
        {
            command.CommandText = $"PRAGMA wal_checkpoint({mode})";
            using var reader = command.ExecuteReader();
            return reader.Read() && reader.GetInt64(0) == 0;
        }
        finally
        {
            command.CommandText = $"PRAGMA busy_timeout={BusyTimeoutMilliseconds}";
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// A write transaction for work outside the writer (the CLI, tests): SQLite's BEGIN IMMEDIATE takes
    /// the write lock first; PostgreSQL's READ COMMITTED takes row locks as it writes.
    /// </summary>
    public static DbTransaction BeginWrite(DbConnection connection) =>
        connection is SqliteConnection sqlite ? sqlite.BeginTransaction(deferred: false) : connection.BeginTransaction(IsolationLevel.ReadCommitted);

    public static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}

public static class DbConnectionExtensions
{
    /// <summary>
    /// <see cref="SqliteConnection.BeginTransaction(bool)"/> for any provider: a non-deferred transaction is
    /// <see cref="Db.BeginWrite"/> (BEGIN IMMEDIATE on SQLite, READ COMMITTED on PostgreSQL).
    /// </summary>
    public static DbTransaction BeginTransaction(this DbConnection connection, bool deferred) =>
        deferred ? connection.BeginTransaction() : Db.BeginWrite(connection);
}
