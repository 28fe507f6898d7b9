using System.Reflection;
using System.Text.RegularExpressions;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Pulse.Api.Storage;

/// <summary>One numbered schema change, embedded in the assembly as <c>NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Applies embedded migrations in order, each in its own transaction, recorded in <c>schema_migrations</c>.
/// SQLite's are <c>Storage/Migrations/NNNN_name.sql</c>; PostgreSQL's are <c>Storage/Migrations/postgres/</c>:
/// a baseline equal to the SQLite schema at its number, then one file per later SQLite migration, with the
/// same number (docs/decisions.md G3). Both record the same versions and names in the ledger.
/// </summary>
public static partial class Migrator
{
    const string Prefix = "Pulse.Migrations.";

    const string PostgresPrefix = "Pulse.Migrations.postgres.";

    /// <summary>The PostgreSQL file that stands for every SQLite migration up to its number.</summary>
    const string Baseline = "baseline";

    /// <summary>The key of the session advisory lock under which one PostgreSQL migrator at a time runs.</summary>
    const long PostgresLockKey = 0x70756c7365; // "pulse"

    const string CreateLedger = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        )
        """;

    public static IReadOnlyList<Migration> All { get; } = Load(Prefix);

    /// <summary>PostgreSQL's migrations: the baseline, then one per later SQLite migration.</summary>
    public static IReadOnlyList<Migration> AllPostgres { get; } = Load(PostgresPrefix);

    public static int LatestVersion => All.Count == 0 ? 0 : All[^1].Version;

    /// <summary>Applies every migration above the current level (up to <paramref name="upTo"/>); returns how many ran.</summary>
    public static int Apply(DbConnection connection, TimeProvider time, int upTo = int.MaxValue) =>
        connection is SqliteConnection sqlite ? ApplySqlite(sqlite, time, upTo) : ApplyPostgres(connection, time, upTo);

    static int ApplySqlite(SqliteConnection connection, TimeProvider time, int upTo)
    {
        connection.Execute("PRAGMA journal_mode=WAL");
        connection.Execute(CreateLedger);
        var applied = 0;
        foreach (var migration in All.Where(m => m.Version <= upTo))
        {
            // A table rebuild must not cascade the DROP of the old table into its children, and
            // foreign_keys can only be switched outside a transaction.
            var keysOff = migration.Sql.StartsWith(ForeignKeysOff, StringComparison.Ordinal);
            if (keysOff)
                connection.Execute("PRAGMA foreign_keys=OFF");
            try
            {
                if (ApplyOne(connection, migration, keysOff, time))
                    applied++;
            }
            finally
            {
                if (keysOff)
                    connection.Execute("PRAGMA foreign_keys=ON");
            }
        }
        return applied;
    }

    /// <summary>First line of a migration that rebuilds tables (SQLite's 12-step ALTER TABLE): run with foreign keys off, checked before commit.</summary>
    const string ForeignKeysOff = "-- pulse:foreign-keys-off";

    static bool ApplyOne(SqliteConnection connection, Migration migration, bool checkKeys, TimeProvider time)
    {
        // BEGIN IMMEDIATE takes the write lock first, so two processes starting together
        // cannot both decide a migration is missing.
        using var tx = connection.BeginTransaction(deferred: false);
        var done = connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { migration.Version }, tx);
        if (done > 0)
            return false;
        connection.Execute(migration.Sql, transaction: tx);
        if (checkKeys && connection.Query("PRAGMA foreign_key_check", transaction: tx).Any())
            throw new InvalidOperationException($"Migration {migration.Version} ({migration.Name}) would break foreign keys; nothing was changed.");
        connection.Execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
            new { migration.Version, migration.Name, At = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx);
        tx.Commit();
        return true;
    }

    /// <summary>
    /// Instances starting together each take the session advisory lock in turn; whoever comes second
    /// finds the versions applied and does nothing. Each migration commits with its ledger row.
    /// </summary>
    static int ApplyPostgres(DbConnection connection, TimeProvider time, int upTo)
    {
        connection.Execute("SELECT pg_advisory_lock(@Key)", new { Key = PostgresLockKey });
        try
        {
            connection.Execute(CreateLedger.Replace("applied_at INTEGER", "applied_at BIGINT", StringComparison.Ordinal));
            var applied = 0;
            foreach (var migration in AllPostgres.Where(m => m.Version <= upTo))
            {
                using var tx = connection.BeginTransaction();
                var done = connection.ExecuteScalar<long>(
                    "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { migration.Version }, tx);
                if (done > 0)
                    continue;
                connection.Execute(migration.Sql, transaction: tx);
                var at = time.GetUtcNow().ToUnixTimeMilliseconds();
                // The baseline stands for every SQLite migration up to its number; later files for one each.
                var recorded = migration.Name == Baseline ? All.Where(m => m.Version <= migration.Version) : [migration];
                foreach (var version in recorded)
                    connection.Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                        new { version.Version, version.Name, At = at }, tx);
                tx.Commit();
                applied++;
            }
            return applied;
        }
        finally
        {
            connection.Execute("SELECT pg_advisory_unlock(@Key)", new { Key = PostgresLockKey });
        }
    }

    /// <summary>The highest applied version, or 0 for a new database.</summary>
    public static int CurrentVersion(DbConnection connection)
    {
        var ledger = connection.ExecuteScalar<long>(connection is SqliteConnection
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'");
        return ledger == 0 ? 0 : (int)connection.ExecuteScalar<long>("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    }

    static List<Migration> Load(string prefix)
    {
        var assembly = typeof(Migrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)
            && (prefix == PostgresPrefix || !n.StartsWith(PostgresPrefix, StringComparison.Ordinal))))
        {
            var file = resource[prefix.Length..];
            var match = FileName().Match(file);
            if (!match.Success)
                throw new InvalidOperationException($"Migration '{file}' is not named NNNN_name.sql.");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups[2].Value, reader.ReadToEnd()));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key}.");
        return migrations;
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileName();
}
