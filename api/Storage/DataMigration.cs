using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Pulse.Api.Storage;

/// <summary>One table <c>migrate-data</c> copies: its columns in the SQLite table's order.</summary>
public sealed record CopiedTable(string Name, IReadOnlyList<string> Columns);

/// <summary>What is copied, in foreign-key order (parents first), and what is not, each with its reason.</summary>
public sealed record DataMigrationPlan(IReadOnlyList<CopiedTable> Copied, IReadOnlyDictionary<string, string> Skipped);

/// <summary>Rows of one table on both sides after the copy.</summary>
public sealed record TableCount(string Table, long Source, long Target);

/// <summary>
/// One survey's answers on one side: answers per category, and the NPS of its NPS answers
/// (null when it has none), from the responses and from the hourly aggregates the dashboard reads.
/// </summary>
public sealed record SurveyCheck(string SurveyId, string Categories, long Answers, int? Nps, int? AggregateNps);

public sealed record DataMigrationResult(string Target, IReadOnlyList<TableCount> Tables, IReadOnlyList<SurveyCheck> Surveys,
    IReadOnlyDictionary<string, string> Skipped, bool Replaced);

/// <param name="Replace">Empty the copied tables of a target that already holds data (in the copy's transaction) instead of refusing.</param>
/// <param name="BatchSize">Rows per COPY batch (and per progress line).</param>
public sealed record DataMigrationOptions(bool Replace = false, int BatchSize = 5000);

/// <summary>The copy could not be made; nothing was changed on PostgreSQL. Exit code 1 in the CLI.</summary>
public sealed class DataMigrationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// <c>pulse migrate-data</c> (docs/decisions.md MG1–MG5): copies a whole SQLite installation into a
/// PostgreSQL database. The target's schema is migrated first; the tables come from the SQLite schema
/// itself (so a table added by a later migration is copied without a change here), minus
/// <see cref="Excluded"/>, in foreign-key order, with their ids; identity sequences continue after the
/// highest id SQLite ever handed out. Everything is read in one SQLite read transaction (a consistent
/// snapshot, even while Pulse runs on the file) and written in one PostgreSQL transaction that commits
/// only after rows per table and answers and NPS per survey are equal on both sides: a failed or
/// interrupted run leaves the target as it was, so running again is always safe.
/// </summary>
public static class DataMigration
{
    /// <summary>Tables of the SQLite schema that are not copied, and why (a test fails on a table that is neither copied nor here).</summary>
    public static readonly IReadOnlyDictionary<string, string> Excluded = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["schema_migrations"] = "the target's migrator writes its own history; the two ledgers are compared before the copy",
        ["comment_search_state"] = "the state of SQLite's comment index; PostgreSQL keeps its own row (decisions G6)",
        ["storage_probe"] = "the disk-full probe's scratch row, deleted in the probe's own transaction",
    };

    /// <summary>Why an FTS5 table and its shadow tables are not copied.</summary>
    public const string FullTextReason = "SQLite's FTS5 comment index (or one of its shadow tables); each provider indexes comments its own way (decisions G6)";

    static readonly string[] ShadowSuffixes = ["data", "idx", "content", "docsize", "config"];

    /// <summary>The plan for a SQLite database at the latest schema version.</summary>
    public static DataMigrationPlan Plan(SqliteConnection source, SqliteTransaction? tx = null)
    {
        var tables = source.Query<(string Name, string Sql)>(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", transaction: tx).ToList();
        var virtuals = tables.Where(t => t.Sql.StartsWith("CREATE VIRTUAL TABLE", StringComparison.OrdinalIgnoreCase)).Select(t => t.Name).ToList();
        var skipped = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, _) in tables)
        {
            if (Excluded.TryGetValue(name, out var reason))
                skipped[name] = reason;
            else if (virtuals.Any(v => name == v || (name.StartsWith(v + "_", StringComparison.Ordinal) && ShadowSuffixes.Contains(name[(v.Length + 1)..]))))
                skipped[name] = FullTextReason;
        }
        var copied = tables.Select(t => t.Name).Where(n => !skipped.ContainsKey(n)).ToHashSet(StringComparer.Ordinal);
        var parents = copied.ToDictionary(t => t, t => source.Query<string>(
                "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(@Table)", new { Table = t }, tx)
            .Where(p => p != t && copied.Contains(p)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var ordered = new List<CopiedTable>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (done.Count < copied.Count)
        {
            var ready = copied.Where(t => !done.Contains(t) && parents[t].All(done.Contains)).Order(StringComparer.Ordinal).ToList();
            if (ready.Count == 0)
                throw new DataMigrationException("The tables' foreign keys form a cycle: " + string.Join(", ", copied.Except(done).Order(StringComparer.Ordinal)) + ".");
            foreach (var table in ready)
            {
                ordered.Add(new CopiedTable(table, source.Query<string>("SELECT name FROM pragma_table_info(@Table) ORDER BY cid", new { Table = table }, tx).ToList()));
                done.Add(table);
            }
        }
        return new DataMigrationPlan(ordered, skipped);
    }

    /// <summary>Copies <paramref name="sqlitePath"/> into the PostgreSQL database of <paramref name="postgres"/>; progress goes to <paramref name="progress"/>.</summary>
    public static DataMigrationResult Run(string sqlitePath, string postgres, DataMigrationOptions options, TimeProvider time, TextWriter progress)
    {
        using var source = OpenSource(sqlitePath);
        var target = new Db(postgres, ".", provider: StorageProvider.Postgres);
        DbConnection connection;
        try
        {
            connection = target.Open();
        }
        catch (NpgsqlException ex)
        {
            throw new DataMigrationException($"Could not connect to PostgreSQL at {target.FilePath}: {ex.Message}", ex);
        }
        using (connection)
        {
            var pg = (NpgsqlConnection)connection;
            progress.WriteLine($"Migrating the schema of {target.FilePath} to version {Migrator.LatestVersion}…");
            try
            {
                Migrator.Apply(pg, time);
                return Copy(source, pg, target.FilePath, options, progress);
            }
            catch (PostgresException ex)
            {
                throw new DataMigrationException($"PostgreSQL refused: {ex.MessageText} ({ex.SqlState}" +
                    (ex.TableName is { } table ? $", table {table}" : "") + "). Nothing was copied.", ex);
            }
            catch (NpgsqlException ex)
            {
                throw new DataMigrationException($"The connection to PostgreSQL at {target.FilePath} failed: {ex.Message}. Nothing was copied.", ex);
            }
        }
    }

    static SqliteConnection OpenSource(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new DataMigrationException($"There is no SQLite database at {full}.");
        // ReadWrite, not Create: a mistyped path must not leave an empty database behind (WAL readers need the -shm file).
        var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        try
        {
            source.Open();
            var version = Migrator.CurrentVersion(source);
            if (version != Migrator.LatestVersion)
                throw new DataMigrationException(version == 0
                    ? $"{full} is not a Pulse database (it has no schema_migrations table)."
                    : $"{full} is at schema version {version}; this Pulse copies version {Migrator.LatestVersion}. " +
                      "Start this version of Pulse on it once (or run 'workspaces list --db <file>'), which migrates it, then copy.");
            return source;
        }
        catch (SqliteException ex)
        {
            source.Dispose();
            throw new DataMigrationException($"{full} could not be read as a SQLite database: {ex.Message}", ex);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    static DataMigrationResult Copy(SqliteConnection source, NpgsqlConnection pg, string target, DataMigrationOptions options, TextWriter progress)
    {
        // One read transaction: every table is read from the same snapshot, whatever a running Pulse writes meanwhile.
        using var read = source.BeginTransaction(deferred: true);
        var sourceLedger = source.Query<long>("SELECT version FROM schema_migrations ORDER BY version", transaction: read).ToList();
        var targetLedger = pg.Query<long>("SELECT version FROM schema_migrations ORDER BY version").ToList();
        if (!sourceLedger.SequenceEqual(targetLedger))
            throw new DataMigrationException($"The schema histories differ (SQLite {string.Join(",", sourceLedger)}; PostgreSQL {string.Join(",", targetLedger)}).");
        var plan = Plan(source, read);
        var counts = plan.Copied.ToDictionary(t => t.Name, t => source.ExecuteScalar<long>($"SELECT COUNT(*) FROM {Quote(t.Name)}", transaction: read),
            StringComparer.Ordinal);

        using var write = pg.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        pg.Execute("SET LOCAL synchronous_commit = on", transaction: write);
        var holding = plan.Copied.Where(t => pg.ExecuteScalar<bool>($"SELECT EXISTS (SELECT 1 FROM {Quote(t.Name)})", transaction: write))
            .Select(t => t.Name).ToList();
        if (holding.Count > 0 && !options.Replace)
            throw new DataMigrationException($"The PostgreSQL database {target} already holds data (in {string.Join(", ", holding)}); nothing was changed. " +
                "Run again with --replace to empty its Pulse tables and copy again (in one transaction: on any failure it keeps what it has).");
        if (holding.Count > 0)
        {
            progress.WriteLine($"Emptying {holding.Count} tables of {target} (--replace)…");
            pg.Execute("TRUNCATE TABLE " + string.Join(", ", plan.Copied.Select(t => Quote(t.Name))), transaction: write);
        }

        foreach (var table in plan.Copied)
            CopyTable(source, read, pg, table, counts[table.Name], options.BatchSize, progress);
        ResetSequences(source, read, pg, write, plan, progress);

        var tables = plan.Copied.Select(t => new TableCount(t.Name, counts[t.Name],
            pg.ExecuteScalar<long>($"SELECT COUNT(*) FROM {Quote(t.Name)}", transaction: write))).ToList();
        if (tables.Where(t => t.Source != t.Target).ToList() is { Count: > 0 } differ)
            throw new DataMigrationException("Row counts differ after the copy, so it was rolled back: " +
                string.Join(", ", differ.Select(d => $"{d.Table} {d.Source} in SQLite, {d.Target} in PostgreSQL")) + ".");
        var surveys = Surveys(source, read);
        var copiedSurveys = Surveys(pg, write);
        if (!surveys.SequenceEqual(copiedSurveys))
            throw new DataMigrationException("Answers or NPS per survey differ after the copy, so it was rolled back: " +
                string.Join(", ", surveys.Except(copiedSurveys).Select(s => $"{s.SurveyId} ({s.Categories}, NPS {s.Nps})")) + ".");
        write.Commit();
        return new DataMigrationResult(target, tables, surveys, plan.Skipped, holding.Count > 0);
    }

    static void CopyTable(SqliteConnection source, SqliteTransaction read, NpgsqlConnection pg, CopiedTable table, long total, int batchSize, TextWriter progress)
    {
        var types = pg.Query<(string Column, string Type)>("""
            SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @Table
            """, new { Table = table.Name }).ToDictionary(c => c.Column, c => c.Type, StringComparer.Ordinal);
        if (!types.Keys.Order(StringComparer.Ordinal).SequenceEqual(table.Columns.Order(StringComparer.Ordinal)))
            throw new DataMigrationException($"Table {table.Name} has columns ({string.Join(", ", table.Columns)}) in SQLite but " +
                (types.Count == 0 ? "does not exist in PostgreSQL." : $"({string.Join(", ", types.Keys)}) in PostgreSQL."));
        var columns = string.Join(", ", table.Columns.Select(Quote));
        var kinds = table.Columns.Select(c => Kind(table.Name, c, types[c])).ToArray();
        using var select = source.CreateCommand();
        select.Transaction = read;
        select.CommandText = $"SELECT {columns} FROM {Quote(table.Name)}";
        using var reader = select.ExecuteReader();
        NpgsqlBinaryImporter? copy = null;
        long rows = 0;
        try
        {
            while (reader.Read())
            {
                copy ??= pg.BeginBinaryImport($"COPY {Quote(table.Name)} ({columns}) FROM STDIN (FORMAT BINARY)");
                copy.StartRow();
                for (var i = 0; i < kinds.Length; i++)
                    Write(copy, reader.GetValue(i), kinds[i], table.Name, table.Columns[i]);
                if (++rows % batchSize == 0)
                {
                    copy.Complete();
                    copy.Dispose();
                    copy = null;
                    progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{table.Name}: {rows:N0} of {total:N0} rows"));
                }
            }
            copy?.Complete();
        }
        finally
        {
            copy?.Dispose();
        }
        if (rows == 0 || rows % batchSize != 0)
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{table.Name}: {rows:N0} of {total:N0} rows"));
    }

    static NpgsqlDbType Kind(string table, string column, string type) => type switch
    {
        "bigint" => NpgsqlDbType.Bigint,
        "integer" => NpgsqlDbType.Integer,
        "double precision" => NpgsqlDbType.Double,
        "text" => NpgsqlDbType.Text,
        "bytea" => NpgsqlDbType.Bytea,
        _ => throw new DataMigrationException($"{table}.{column} is {type} in PostgreSQL, which migrate-data does not copy yet."),
    };

    /// <summary>One SQLite value as its PostgreSQL column takes it; a value the column cannot hold stops the copy naming it.</summary>
    static void Write(NpgsqlBinaryImporter copy, object value, NpgsqlDbType kind, string table, string column)
    {
        if (value is DBNull)
        {
            copy.WriteNull();
            return;
        }
        switch (kind, value)
        {
            case (NpgsqlDbType.Bigint, long l):
                copy.Write(l, kind);
                break;
            case (NpgsqlDbType.Integer, long l) when l is >= int.MinValue and <= int.MaxValue:
                copy.Write((int)l, kind);
                break;
            case (NpgsqlDbType.Double, double d):
                copy.Write(d, kind);
                break;
            case (NpgsqlDbType.Double, long l):
                copy.Write((double)l, kind);
                break;
            case (NpgsqlDbType.Text, string s) when !s.Contains('\0', StringComparison.Ordinal):
                copy.Write(s, kind);
                break;
            case (NpgsqlDbType.Text, long or double):
                copy.Write(Convert.ToString(value, CultureInfo.InvariantCulture)!, kind);
                break;
            case (NpgsqlDbType.Bytea, byte[] bytes):
                copy.Write(bytes, kind);
                break;
            default:
                throw new DataMigrationException($"{table}.{column} holds a value PostgreSQL's {kind} column cannot take " +
                    $"({value.GetType().Name}{(value is string ? " with a NUL character" : "")}); nothing was copied.");
        }
    }

    /// <summary>
    /// Each identity continues after the highest id SQLite handed out (<c>sqlite_sequence</c> remembers ids of deleted
    /// rows too: ids are never reused, migration 0041), or after the highest copied id.
    /// </summary>
    static void ResetSequences(SqliteConnection source, SqliteTransaction read, NpgsqlConnection pg, NpgsqlTransaction write, DataMigrationPlan plan,
        TextWriter progress)
    {
        var handedOut = source.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'", transaction: read) == 0
            ? []
            : source.Query<(string Name, long Seq)>("SELECT name, seq FROM sqlite_sequence", transaction: read)
                .ToDictionary(s => s.Name, s => s.Seq, StringComparer.Ordinal);
        var copied = plan.Copied.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var identities = pg.Query<(string Table, string Column)>("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name
            """, transaction: write).Where(i => copied.Contains(i.Table)).ToList();
        foreach (var (table, column) in identities)
        {
            var last = Math.Max(pg.ExecuteScalar<long?>($"SELECT MAX({Quote(column)}) FROM {Quote(table)}", transaction: write) ?? 0,
                handedOut.GetValueOrDefault(table));
            pg.Execute("SELECT setval(pg_get_serial_sequence(@Table, @Column), @Value, @Called)",
                new { Table = table, Column = column, Value = Math.Max(last, 1), Called = last > 0 }, write);
        }
        progress.WriteLine($"Identity sequences of {identities.Count} tables continue after SQLite's last ids.");
    }

    /// <summary>Per survey: answers per category, and NPS from the responses and from the hourly aggregates (shared SQL).</summary>
    static List<SurveyCheck> Surveys(DbConnection c, DbTransaction tx)
    {
        var categories = c.Query<(string SurveyId, string Category, long Count)>(
            "SELECT survey_id, category, COUNT(*) FROM responses GROUP BY survey_id, category", transaction: tx).ToList();
        var hourly = c.Query<(string SurveyId, long Promoters, long Passives, long Detractors)>("""
            SELECT survey_id, CAST(SUM(promoters) AS BIGINT), CAST(SUM(passives) AS BIGINT), CAST(SUM(detractors) AS BIGINT)
            FROM nps_hourly GROUP BY survey_id
            """, transaction: tx).ToDictionary(h => h.SurveyId, StringComparer.Ordinal);
        return categories.GroupBy(r => r.SurveyId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            long Of(string category) => g.Where(r => r.Category == category).Sum(r => r.Count);
            var aggregate = hourly.TryGetValue(g.Key, out var h) ? Nps(h.Promoters, h.Passives, h.Detractors) : null;
            return new SurveyCheck(g.Key,
                string.Join(" ", g.OrderBy(r => r.Category, StringComparer.Ordinal).Select(r => $"{r.Category}={r.Count}")),
                g.Sum(r => r.Count), Nps(Of("promoter"), Of("passive"), Of("detractor")), aggregate);
        }).ToList();
    }

    static int? Nps(long promoters, long passives, long detractors)
    {
        var total = promoters + passives + detractors;
        return total == 0 ? null : (int)Math.Round(100.0 * (promoters - detractors) / total, MidpointRounding.AwayFromZero);
    }

    static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
