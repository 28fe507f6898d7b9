using Microsoft.Data.Sqlite;

namespace Pulse.Api.Storage;

/// <summary>Opens pooled SQLite connections to the Pulse database with the pragmas every connection needs.</summary>
public sealed class Db
{
    // Every query maps snake_case columns to PascalCase properties. Set before any connection is
    // opened, because Dapper caches each query's mapper on first use.
    static Db() => Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;

    public Db(string connectionString, string contentRoot, int busyTimeoutSeconds = 30)
    {
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
            Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);

        FilePath = builder.DataSource;
        ConnectionString = builder.ToString();
        BusyTimeoutMilliseconds = busyTimeoutSeconds * 1000;
    }

    public string ConnectionString { get; }

    public string FilePath { get; }

    public int BusyTimeoutMilliseconds { get; }

    /// <summary>A short-lived pooled connection for one unit of work (reads, or a CLI write).</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// The writer's own long-lived connection: every commit is fsynced (synchronous=FULL), and
    /// deleted or overwritten content is zeroed (secure_delete), so an erased user leaves no bytes
    /// in the file's free space.
    /// </summary>
    public SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; PRAGMA busy_timeout={BusyTimeoutMilliseconds};";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// Copies the WAL into the database file and truncates it to zero bytes, so deleted content
    /// (erasure) does not linger in old WAL frames. Waits at most <paramref name="wait"/> for readers;
    /// false when they kept it from finishing (the next checkpoint gets the rest).
    /// </summary>
    public bool TruncateWal(SqliteConnection connection, TimeSpan wait)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout={(int)wait.TotalMilliseconds}";
        command.ExecuteNonQuery();
        try
        {
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            using var reader = command.ExecuteReader();
            return reader.Read() && reader.GetInt64(0) == 0;
        }
        finally
        {
            command.CommandText = $"PRAGMA busy_timeout={BusyTimeoutMilliseconds}";
            command.ExecuteNonQuery();
        }
    }

    public static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
